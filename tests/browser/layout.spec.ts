import { writeFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { letter, withThreeWordsChanged } from '../../src/lib/duplicates/testing.ts';
import { makePdf } from '../../src/lib/ingest/testing/make-pdf.ts';
import { encodeNpy } from '../../src/lib/tensor/npy.ts';
import { CasePage, Library } from './pages.ts';

const VIEWPORTS = [
	{ width: 1366, height: 860 },
	{ width: 390, height: 844 }
];

/**
 * What is wrong with the layout as a person would see it: the page scrolls sideways, a control sticks out
 * of the window or out of a box that clips it, or two controls overlap. Empty when all is well.
 */
async function layoutProblems(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const problems: string[] = [];
		const width = document.documentElement.clientWidth;
		if (document.documentElement.scrollWidth > width + 1)
			problems.push(`the page is ${document.documentElement.scrollWidth} px wide in a ${width} px window`);
		const describe = (el: Element) =>
			`${el.tagName.toLowerCase()} “${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}”`;
		const controls = [
			...document.querySelectorAll('button, a[href], input, select, textarea, [role="tab"], label.file-button')
		].filter((el) => {
			const r = el.getBoundingClientRect();
			const style = getComputedStyle(el);
			// Visually hidden inputs (1×1, inside their button-like label) and the skip link parked off-screen are not shown.
			return r.width > 1 && r.height > 1 && style.visibility !== 'hidden' && r.right > 0;
		});
		const boxes = controls.map((el) => ({ el, r: el.getBoundingClientRect() }));
		for (const { el, r } of boxes) {
			if (r.left < -1 || r.right > width + 1) problems.push(`${describe(el)} sticks out of the window`);
			for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
				const overflow = getComputedStyle(a);
				if (overflow.overflowX === 'visible' && overflow.overflowY === 'visible') continue;
				const c = a.getBoundingClientRect();
				if (r.left < c.left - 1 || r.right > c.right + 1 || r.top < c.top - 1 || r.bottom > c.bottom + 1)
					problems.push(`${describe(el)} is clipped by ${a.tagName.toLowerCase()}.${a.className}`);
			}
			if (el instanceof HTMLButtonElement && el.scrollWidth > el.clientWidth + 1)
				problems.push(`${describe(el)} cuts its own label`);
		}
		for (let i = 0; i < boxes.length; i++)
			for (let j = i + 1; j < boxes.length; j++) {
				const [p, q] = [boxes[i]!, boxes[j]!];
				if (p.el.contains(q.el) || q.el.contains(p.el)) continue;
				const w = Math.min(p.r.right, q.r.right) - Math.max(p.r.left, q.r.left);
				const h = Math.min(p.r.bottom, q.r.bottom) - Math.max(p.r.top, q.r.top);
				if (w > 2 && h > 2) problems.push(`${describe(p.el)} overlaps ${describe(q.el)}`);
			}
		return problems;
	});
}

test('each main screen fits 1366×860 and 390×844: no sideways scroll, no control clipped or overlapped', async ({
	page
}, testInfo) => {
	test.setTimeout(180_000);
	const pdf = testInfo.outputPath('brief.pdf');
	writeFileSync(pdf, makePdf({ pages: 2 }));
	const library = new Library(page);
	await library.open();
	await library.createCase('A case with a rather long name, as real matters have: Alder Holdings v. Brook');
	const casePage = new CasePage(page);
	await casePage.tab('Documents').click();
	await page.getByLabel('Add documents').setInputFiles(pdf);
	const row = page.getByRole('list', { name: 'Documents in this case' }).getByRole('listitem', { name: 'brief.pdf' });
	await expect(row).toContainText('Indexed', { timeout: 60_000 });
	const viewerUrl = await row.getByRole('link', { name: 'Open brief.pdf' }).getAttribute('href');
	// A dated notice and its copy: rows in the Timeline, a group in Near-duplicates.
	const notice = `On 3 March 2024 Jane Doe of Alder Holdings served notice on Brook Tenant. ${letter(5)}`;
	await page.getByLabel('Add documents').setInputFiles([
		{ name: 'notice.txt', mimeType: 'text/plain', buffer: Buffer.from(notice) },
		{ name: 'notice-copy.txt', mimeType: 'text/plain', buffer: Buffer.from(withThreeWordsChanged(notice)) }
	]);
	await expect(
		page.getByRole('list', { name: 'Documents in this case' }).getByRole('listitem', { name: 'notice-copy.txt' })
	).toContainText('Indexed', { timeout: 60_000 });
	await casePage.tab('Tensors').click();
	const shape = [2, 4, 6, 8];
	await page.getByLabel('Import tensor').setInputFiles({
		name: 'scan.npy',
		mimeType: 'application/octet-stream',
		buffer: Buffer.from(encodeNpy({ shape, data: Float32Array.from({ length: 384 }, (_, i) => Math.sin(i)) }))
	});
	await expect(page.getByLabel('Slice view')).toBeVisible();
	const caseUrl = new URL(page.url()).pathname;

	const screens: { name: string; url: string; ready: (p: Page) => Promise<void> }[] = [
		{ name: 'library', url: '/', ready: (p) => expect(p.getByRole('list', { name: 'Cases' })).toBeVisible() },
		{
			name: 'documents',
			url: `${caseUrl}?tab=documents`,
			ready: (p) => expect(p.getByRole('list', { name: 'Documents in this case' })).toBeVisible()
		},
		{
			name: 'search',
			url: `${caseUrl}?tab=search`,
			ready: (p) => expect(p.getByRole('searchbox', { name: 'Search this case' })).toBeVisible()
		},
		{
			name: 'chat',
			url: `${caseUrl}?tab=chat`,
			ready: (p) => expect(p.getByRole('textbox', { name: 'Ask about this case' })).toBeVisible()
		},
		{
			name: 'timeline',
			url: `${caseUrl}?tab=timeline`,
			ready: (p) => expect(p.getByRole('table', { name: 'Chronology' }).getByRole('row')).toHaveCount(3)
		},
		{
			name: 'duplicates',
			url: `${caseUrl}?tab=duplicates`,
			ready: (p) => expect(p.getByRole('list', { name: 'Near-duplicate groups' })).toBeVisible()
		},
		{ name: 'tensors', url: `${caseUrl}?tab=tensors`, ready: (p) => expect(p.getByLabel('Slice view')).toBeVisible() },
		{
			name: 'settings',
			url: '/settings',
			ready: (p) => expect(p.getByRole('region', { name: 'Storage' })).toContainText('Used')
		},
		{
			name: 'viewer',
			url: viewerUrl!,
			ready: async (p) => {
				await expect
					.poll(() =>
						p
							.getByRole('region', { name: 'Page 1' })
							.locator('canvas')
							.evaluate((c: HTMLCanvasElement) => c.width)
					)
					.toBeGreaterThan(100);
			}
		}
	];
	const found: string[] = [];
	for (const viewport of VIEWPORTS) {
		await page.setViewportSize(viewport);
		for (const screen of screens) {
			await page.goto(screen.url);
			await screen.ready(page);
			// Let late layout (fit to width, the live lists) settle before measuring.
			await page.waitForTimeout(300);
			const name = `${screen.name}-${viewport.width}x${viewport.height}.png`;
			await page.screenshot({ path: testInfo.outputPath(name), fullPage: true });
			for (const problem of await layoutProblems(page)) found.push(`${screen.name} at ${viewport.width}: ${problem}`);
		}
	}
	expect(found).toEqual([]);
});
