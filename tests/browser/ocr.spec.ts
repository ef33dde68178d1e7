import { createCanvas, loadImage } from '@napi-rs/canvas';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { makeImagePdf, makeMixedPdf, scanLines, type ScanPage } from '../../src/lib/ocr/testing/make-scan.ts';
import { greyPixels, makeTiff } from '../../src/lib/ocr/testing/make-tiff.ts';
import { mainThreadTaskCpu } from './long-tasks.ts';
import { CasePage, Library } from './pages.ts';

// OCR of scans in the app: one browser context and page for the whole file (each test opens its own case),
// so the OCR worker, its engines and the service worker are set up once, as for a person.
test.describe.configure({ mode: 'serial' });
test.use({ trace: 'off' });

const DEPOSITION = [
	'The deposition of the witness was taken on March 3, 2024 in Boston.',
	'She testified that the supply agreement was signed by both parties',
	'before the shipment left the warehouse, and that the invoice was sent.'
];
const EXHIBIT = [
	'Exhibit 14 is a letter from Margaret Holloway dated January 9, 2023.',
	'The witness could not recall whether the letter had been received.'
];

let context: BrowserContext;
let page: Page;

test.beforeAll(async ({ browser }: { browser: Browser }) => {
	context = await browser.newContext();
	page = await context.newPage();
});
test.afterAll(async () => {
	await context.close();
});

const pdfOf = async (pages: string[][]) => Buffer.from(makeImagePdf(await Promise.all(pages.map(scan))));
const scan = (lines: string[]) => scanLines(lines, { dpi: 150 });

async function pngOf(page: ScanPage): Promise<Buffer> {
	const canvas = createCanvas(page.width, page.height);
	canvas.getContext('2d').drawImage(await loadImage(Buffer.from(page.jpeg)), 0, 0);
	return canvas.encode('png');
}

async function newCase(title: string) {
	const library = new Library(page);
	await library.open();
	await library.createCase(title);
	await new CasePage(page).tab('Documents').click();
}

const rowOf = (name: string) =>
	page.getByRole('list', { name: 'Documents in this case' }).getByRole('listitem', { name, exact: true });

/** How dark the canvas is under the first marked word, and one box height above it (the margin). */
function inkUnderMark() {
	return page.evaluate(() => {
		const canvas = document.querySelector<HTMLCanvasElement>('.page canvas')!;
		const mark = document.querySelector<HTMLElement>('.page mark.match')!;
		const c = canvas.getBoundingClientRect();
		const m = mark.getBoundingClientRect();
		const ratio = canvas.width / c.width;
		const [x, y, w, h] = [m.left - c.left, m.top - c.top, m.width, m.height].map((v) => Math.round(v * ratio));
		const darkShare = (top: number) => {
			const data = canvas.getContext('2d')!.getImageData(x!, top, Math.max(1, w!), Math.max(1, h!)).data;
			let dark = 0;
			for (let i = 0; i < data.length; i += 4) if (data[i]! < 128) dark++;
			return dark / (data.length / 4);
		};
		// The same box shifted off the text (into the margin above the line) is blank.
		return { inside: darkShare(y!), above: darkShare(Math.max(0, y! - 3 * h!)), width: m.width, height: m.height };
	});
}

test('reads a scanned PDF by OCR: Indexed (OCR), found on the right page, highlighted on the words’ pixels', async ({
	browser
}) => {
	test.setTimeout(300_000);
	await newCase('Scanned exhibits');
	const buffer = await pdfOf([DEPOSITION, EXHIBIT]);
	// Main-thread tasks while the scan is read, by their CPU time (wall time also counts other processes here).
	await browser.startTracing(page, { categories: ['devtools.timeline', 'toplevel'] });
	await page.evaluate(() => console.timeStamp('ingest-start'));
	await page.getByLabel('Add documents').setInputFiles({
		name: 'exhibits-scan.pdf',
		mimeType: 'application/pdf',
		buffer
	});
	const row = rowOf('exhibits-scan.pdf');
	await expect(row).toContainText(/OCR page [12] of 2|Starting OCR|Waiting to read the scan/, { timeout: 120_000 });
	await expect(row).toContainText('Indexed (OCR)', { timeout: 240_000 });
	await expect(row).toContainText(/All 2 pages read by OCR, lowest page confidence \d+%/);
	await page.evaluate(() => console.timeStamp('ingest-end'));
	const cpu = mainThreadTaskCpu(await browser.stopTracing());
	const report = `main-thread tasks while 2 scanned pages were read: ${cpu.tasks}, longest ${cpu.longestCpu.toFixed(1)} ms CPU / ${cpu.longestWall.toFixed(1)} ms wall`;
	console.log(report);
	test.info().annotations.push({ type: 'long tasks', description: report });
	expect(cpu.longestCpu, report).toBeLessThan(50);

	await new CasePage(page).tab('Search').click();
	const box = page.getByRole('searchbox', { name: 'Search this case' });
	await box.fill('Holloway');
	await box.press('Enter');
	const passages = page
		.getByRole('list', { name: 'Results' })
		.getByRole('list', { name: 'Passages in exhibits-scan.pdf' });
	await expect(passages.getByRole('listitem')).toHaveCount(1);
	await expect(passages.getByRole('listitem').first()).toContainText('p. 2');
	await passages.getByRole('link').first().click();
	await expect(page).toHaveURL(/\/documents\/.+\?page=2&.*q=Holloway/);

	// The marked word sits on the scan's ink: the canvas under its box is dark enough to be letters.
	const region = page.getByRole('region', { name: 'Page 2' });
	const mark = region.locator('mark.match');
	await expect(mark).toHaveCount(1);
	await expect(mark).toHaveText(/Holloway/);
	const ink = await inkUnderMark();
	expect(ink.width).toBeGreaterThan(10);
	expect(ink.inside).toBeGreaterThan(0.08);
	expect(ink.above).toBeLessThan(ink.inside / 4);
	// The whole page's words are a text layer a person can select and copy.
	await expect(region.locator('.ocr-word')).not.toHaveCount(0);
	await expect(region).toContainText('recall whether the letter');
});

test('a typed page with a scan pasted in: its text layer stays, the scan’s words are found and marked on the scan', async () => {
	test.setTimeout(240_000);
	await newCase('Brief with an exhibit');
	const typed = ['Memorandum on the supply dispute.', 'The signed letter is reproduced below.'];
	const buffer = Buffer.from(
		makeMixedPdf([{ lines: typed, scan: await scanLines(EXHIBIT, { dpi: 200 }), rect: [100, 40, 412, 533] }])
	);
	await page.getByLabel('Add documents').setInputFiles({ name: 'brief.pdf', mimeType: 'application/pdf', buffer });
	const row = rowOf('brief.pdf');
	await expect(row).toContainText('Indexed (OCR)', { timeout: 200_000 });
	await expect(row).toContainText(/Images on 1 page read by OCR, lowest page confidence \d+%/);

	await new CasePage(page).tab('Search').click();
	const box = page.getByRole('searchbox', { name: 'Search this case' });
	await box.fill('Holloway');
	await box.press('Enter');
	const passages = page.getByRole('list', { name: 'Results' }).getByRole('list', { name: 'Passages in brief.pdf' });
	await expect(passages.getByRole('listitem')).toHaveCount(1);
	await expect(passages.getByRole('listitem').first()).toContainText('p. 1');
	await passages.getByRole('link').first().click();
	const region = page.getByRole('region', { name: 'Page 1' });
	await expect(region.locator('mark.match')).toHaveText(/Holloway/);
	const ink = await inkUnderMark();
	expect(ink.inside).toBeGreaterThan(0.08);
	expect(ink.above).toBeLessThan(ink.inside / 4);
	// The typed lines are pdf.js's own text layer, shown once; the scan's words lie over the scan.
	await expect(region.getByText('Memorandum on the supply dispute.', { exact: true })).toHaveCount(1);
	await expect(region.locator('.ocr-word')).not.toHaveCount(0);
	await expect(region).toContainText('recall whether the letter');
});

test('reads PNG and multi-page TIFF images as documents', async () => {
	test.setTimeout(300_000);
	await newCase('Photographed exhibits');
	const deposition = await scan(DEPOSITION);
	const exhibit = await scan(EXHIBIT);
	const blank = await scanLines([], { dpi: 100 });
	await page.getByLabel('Add documents').setInputFiles([
		{ name: 'letter.png', mimeType: 'image/png', buffer: await pngOf(exhibit) },
		{
			name: 'bundle.tif',
			mimeType: 'image/tiff',
			buffer: Buffer.from(makeTiff(await Promise.all([deposition, blank, exhibit].map(greyPixels))))
		}
	]);
	await expect(rowOf('letter.png')).toContainText('Indexed (OCR)', { timeout: 240_000 });
	await expect(rowOf('bundle.tif')).toContainText('Indexed (OCR)', { timeout: 240_000 });
	await expect(rowOf('bundle.tif')).toContainText('3 pages');
	await expect(rowOf('bundle.tif')).toContainText('2 pages read by OCR');

	await rowOf('bundle.tif').getByRole('link', { name: 'Open bundle.tif' }).click();
	await page.getByRole('button', { name: 'Next page' }).click();
	await page.getByRole('button', { name: 'Next page' }).click();
	const region = page.getByRole('region', { name: 'Page 3' });
	await expect(region).toContainText('Holloway');
	// The TIFF page is drawn, ink and all (decoded in the image-page worker, in colour as stored).
	// Polled: the text layer can be in place before the bitmap is drawn.
	const drawn = () =>
		page.evaluate(() => {
			const canvas = document.querySelector<HTMLCanvasElement>('.page canvas');
			if (!canvas || canvas.width < 100) return 0;
			const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
			let ink = 0;
			for (let i = 0; i < data.length; i += 4) if (data[i]! < 96) ink++;
			return ink / (data.length / 4);
		});
	await expect.poll(drawn, { timeout: 15_000 }).toBeGreaterThan(0.002);
});

const PAGES = 8;

test('a scan’s OCR can be cancelled, and resumes after a retry and after a reload without reading a page again', async () => {
	test.setTimeout(480_000);
	await newCase('Long scan');
	await page.getByLabel('Add documents').setInputFiles({
		name: 'long-scan.pdf',
		mimeType: 'application/pdf',
		buffer: await pdfOf(Array.from({ length: PAGES }, (_, i) => (i % 2 ? EXHIBIT : DEPOSITION)))
	});
	const row = rowOf('long-scan.pdf');
	// Past the first page (two engines may finish pages 1 and 2 together, so "page 2" can be skipped).
	await expect(row).toContainText(new RegExp(`OCR page ([2-9]|\\d\\d) of ${PAGES}`), { timeout: 240_000 });
	await row.getByRole('button', { name: 'Cancel long-scan.pdf' }).click();
	await expect(row).toContainText('Failed');
	await expect(row).toContainText('cancelled');
	const cancelledAt = await readPages(page);

	// The retry starts after the pages read before the cancel; reload as soon as it has read one more.
	await row.getByRole('button', { name: 'Retry long-scan.pdf' }).click();
	await expect.poll(() => readPages(page), { timeout: 240_000, intervals: [250] }).toBeGreaterThan(cancelledAt);
	const before = await readPages(page);
	await page.reload();
	await new CasePage(page).tab('Documents').click();
	const seen = new Set<number>();
	await expect
		.poll(
			async () => {
				const text = (await rowOf('long-scan.pdf').textContent()) ?? '';
				const line = new RegExp(`OCR page (\\d+) of ${PAGES}`).exec(text);
				if (line) seen.add(Number(line[1]));
				return text.includes('Indexed (OCR)');
			},
			{ timeout: 240_000, intervals: [200] }
		)
		.toBe(true);
	// It was cut short mid-scan, and the run after the reload began after the pages already read.
	expect(before).toBeLessThan(PAGES);
	expect(seen.size, 'the run after the reload showed its progress').toBeGreaterThan(0);
	expect(Math.min(...seen), `pages read again after the reload (${before} were read before it)`).toBeGreaterThan(
		before
	);
	await expect(rowOf('long-scan.pdf')).toContainText(`All ${PAGES} pages read by OCR`);
});

/** How many pages of the one scan in progress are stored as read (IndexedDB, as the worker wrote them). */
async function readPages(p: Page): Promise<number> {
	return p.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const open = indexedDB.open('docket');
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error ?? new Error('open failed'));
		});
		try {
			const rows = await new Promise<{ ocr?: unknown; documentId: string }[]>((resolve, reject) => {
				const request = db.transaction('pages').objectStore('pages').getAll();
				request.onsuccess = () => resolve(request.result as { ocr?: unknown; documentId: string }[]);
				request.onerror = () => reject(request.error ?? new Error('read failed'));
			});
			const docs = await new Promise<{ id: string; name: string }[]>((resolve, reject) => {
				const request = db.transaction('documents').objectStore('documents').getAll();
				request.onsuccess = () => resolve(request.result as { id: string; name: string }[]);
				request.onerror = () => reject(request.error ?? new Error('read failed'));
			});
			const id = docs.find((d) => d.name === 'long-scan.pdf')?.id;
			return rows.filter((r) => r.documentId === id && r.ocr).length;
		} finally {
			db.close();
		}
	});
}

test('reads a new scan offline once the app has loaded (engine and English data from the service worker)', async () => {
	test.setTimeout(300_000);
	await new Library(page).open();
	await new Library(page).waitForServiceWorker();
	await context.setOffline(true);
	try {
		// A fresh start offline: the OCR worker and its engines load from the service worker's cache alone.
		await page.reload();
		await newCase('Offline scan');
		await page.getByLabel('Add documents').setInputFiles({
			name: 'offline-scan.pdf',
			mimeType: 'application/pdf',
			buffer: await pdfOf([EXHIBIT])
		});
		await expect(rowOf('offline-scan.pdf')).toContainText('Indexed (OCR)', { timeout: 240_000 });
	} finally {
		await context.setOffline(false);
	}
});
