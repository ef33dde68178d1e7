import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../errors.ts';
import { extractPdf } from '../ingest/pdf.ts';
import { nodePdfPlatform } from '../ingest/pdf-platform.node.ts';
import { pageFromBlocks } from './layout.ts';
import { decodeImageNode, renderPageNode } from './render.node.ts';
import { nodeOcrPool } from './tesseract.node.ts';
import { wantsOcr } from './job.ts';
import { inkUnder, makeImagePdf, makeMixedPdf, scanLines, wordAccuracy, type ScanPage } from './testing/make-scan.ts';
import { makePdf } from '../ingest/testing/make-pdf.ts';

const LINES = [
	'The deposition of Margaret Holloway was taken on March 3, 2024 in Boston.',
	'She testified that the supply agreement was signed by both parties',
	'before the shipment left the warehouse, and that the invoice for',
	'twelve thousand dollars was sent to the purchaser the following week.',
	'Counsel for the defendant objected to the question about the meeting',
	'with the auditor; the objection was noted for the record and overruled.',
	'Exhibit 14 is a letter from the plaintiff dated January 9, 2023.',
	'The witness could not recall whether the letter had been received.'
];
const TEXT = LINES.join(' ');

/** Every word's box covers dark pixels of the scan: highlights land on the ink. */
async function expectInkUnder(scan: ScanPage, words: readonly { box: readonly number[] }[]): Promise<void> {
	expect(words.length).toBeGreaterThan(0);
	for (const ink of await inkUnder(
		scan.jpeg,
		words.map((w) => w.box)
	))
		expect(ink).toBeGreaterThan(0.05);
}

describe('OCR layout', () => {
	it('keeps lines, paragraphs, offsets and page-relative boxes, and drops specks', () => {
		const word = (text: string, x0: number, confidence = 95) => ({
			text,
			confidence,
			bbox: { x0, y0: 10, x1: x0 + 40, y1: 30 }
		});
		const page = pageFromBlocks(
			[
				{
					paragraphs: [
						{
							lines: [
								{ words: [word('Exhibit', 0), word('14', 50)] },
								{ words: [word('~', 0, 20)] },
								{ words: [word('was', 0)] }
							]
						}
					]
				},
				{ paragraphs: [{ lines: [{ words: [word('signed.', 100)] }] }] }
			],
			200,
			100
		);
		expect(page.text).toBe('Exhibit 14\nwas\n\nsigned.');
		expect(page.words.map((w) => page.text.slice(w.start, w.end))).toEqual(['Exhibit', '14', 'was', 'signed.']);
		expect(page.words[1]!.box).toEqual([0.25, 0.1, 0.45, 0.3]);
		expect(page.confidence).toBe(95);
	});
});

describe('OCR of scans in Node (tesseract.js, offline)', () => {
	const pool = nodeOcrPool(2);
	const platform = nodePdfPlatform();
	const ocr = { pool, render: renderPageNode, decode: decodeImageNode };
	afterAll(() => pool.terminate());

	it('reads a clean 300 dpi scan and a skewed, noisy 150 dpi one, on the right pages, with boxes on the ink', async () => {
		const clean = await scanLines(LINES, { dpi: 300 });
		const noisy = await scanLines(LINES, { dpi: 150, skew: 1.5, noise: 0.02, seed: 3 });
		const blank = await scanLines([], { dpi: 150, noise: 0.001 });
		const pdf = makeImagePdf([clean, blank, noisy]);
		const progress: string[] = [];
		const result = await extractPdf(platform, pdf, {
			ocr,
			onProgress: (p) => p.ocr && progress.push(`${p.ocr.done}/${p.ocr.total}`)
		});
		expect(result.status).toBe('indexed');
		if (result.status !== 'indexed') return;
		expect(result.ocr?.pages).toEqual([1, 3]);
		expect(result.pagesWithoutText).toEqual([2]);
		expect(progress).toEqual(['0/3', '1/3', '2/3', '3/3']);
		const [page1, , page3] = result.pages;
		const normalise = (s: string) => s.replace(/\s+/g, ' ');
		expect(wordAccuracy(TEXT, normalise(page1!.text))).toBeGreaterThanOrEqual(0.98);
		expect(wordAccuracy(TEXT, normalise(page3!.text))).toBeGreaterThanOrEqual(0.95);
		expect(result.ocr!.lowestConfidence).toBeGreaterThan(50);

		// Every word's box on the clean scan covers dark pixels: highlights land on the ink.
		expect(page1!.ocr!.words.length).toBeGreaterThan(80);
		await expectInkUnder(clean, page1!.ocr!.words);
	}, 240_000);

	it('reads a sheet fed upside down, and one turned sideways, with boxes on the ink as the scan lies', async () => {
		const upsideDown = await scanLines(LINES, { dpi: 200, turn: 180 });
		const result = await extractPdf(platform, makeImagePdf([upsideDown]), { ocr });
		expect(result.status).toBe('indexed');
		if (result.status !== 'indexed') return;
		const page = result.pages[0]!;
		expect(wordAccuracy(TEXT, page.text.replace(/\s+/g, ' '))).toBeGreaterThanOrEqual(0.98);
		expect(result.ocr!.lowestConfidence).toBeGreaterThan(80);
		await expectInkUnder(upsideDown, page.ocr!.words);

		// Turned a quarter the other way from what tesseract rights by itself.
		const sideways = await scanLines(LINES, { dpi: 200, turn: 270 });
		const read = await pool.read({ bytes: sideways.jpeg, width: sideways.width, height: sideways.height });
		expect(wordAccuracy(TEXT, read.text.replace(/\s+/g, ' '))).toBeGreaterThanOrEqual(0.98);
		await expectInkUnder(sideways, read.words);
	}, 240_000);

	it('reads pages scanned a few degrees askew straightened, with boxes on the ink as the scan lies', async () => {
		// At 3° tesseract split words apart ("s erved"); at 5° its layout found no block and the page read as empty.
		for (const skew of [3, 5, -5]) {
			const askew = await scanLines(LINES, { dpi: 200, skew });
			const result = await extractPdf(platform, makeImagePdf([askew]), { ocr });
			expect(result.status, `${skew}°`).toBe('indexed');
			if (result.status !== 'indexed') return;
			expect(wordAccuracy(TEXT, result.pages[0]!.text.replace(/\s+/g, ' ')), `${skew}°`).toBeGreaterThanOrEqual(0.98);
			await expectInkUnder(askew, result.pages[0]!.ocr!.words);
		}
	}, 240_000);

	it('leaves a blank scan without text, and stops when cancelled', async () => {
		const blankScan = await scanLines([], { dpi: 150 });
		const blank = makeImagePdf([blankScan]);
		const result = await extractPdf(platform, blank, { ocr });
		expect(result.status).toBe('no-text');
		// It says OCR ran, not "run it through OCR".
		expect(result.status === 'no-text' && result.error).toMatch(/^OCR read the page and found no text/);

		// An image declaring 65535 × 65535 inside a PDF is left out, not decoded (pdf.js would allocate 4 GB).
		const jpeg = blankScan.jpeg.slice();
		for (let at = 2; at < jpeg.length; at += 2 + ((jpeg[at + 2]! << 8) | jpeg[at + 3]!))
			if (jpeg[at + 1] === 0xc0 || jpeg[at + 1] === 0xc2) {
				jpeg.set([0xff, 0xff, 0xff, 0xff], at + 5);
				break;
			}
		const bomb = await extractPdf(platform, makeImagePdf([{ ...blankScan, jpeg, width: 65535, height: 65535 }]), {
			ocr
		});
		expect(bomb.status).toBe('no-text');
		expect(bomb.status === 'no-text' && bomb.error).toMatch(/too large to read \(over 80 million pixels\)/);

		const controller = new AbortController();
		const scans = makeImagePdf([await scanLines(LINES, { dpi: 150 }), await scanLines(LINES, { dpi: 150 })]);
		const run = extractPdf(platform, scans, {
			ocr,
			signal: controller.signal,
			onProgress: (p) => p.ocr && controller.abort()
		});
		await expect(run).rejects.toBeInstanceOf(CancelledError);
	}, 240_000);

	it('does not read again a short scan that came with its own OCR text', async () => {
		// Two lines cover too little of a full-page image to mark it as read; their words already are the page's.
		const letter = LINES.slice(0, 2);
		const scan = await scanLines(letter, { dpi: 200 });
		const pdf = makeMixedPdf([{ lines: [], scan, rect: [0, 0, 612, 792], hiddenText: letter }]);
		const result = await extractPdf(platform, pdf, { ocr });
		expect(result.status).toBe('indexed');
		if (result.status !== 'indexed') return;
		expect(result.pages[0]!.text.split('Holloway').length).toBe(2);
		expect(result.ocr?.regionPages ?? []).toEqual([]);
	}, 240_000);

	it('reads only the image of a page that has a text layer, after its text, with boxes inside the image', async () => {
		const typed = ['Memorandum on the supply dispute.', 'The signed receipt is reproduced below.'];
		const exhibit = await scanLines(LINES, { dpi: 200 });
		// The scan of a whole sheet, shrunk into the lower part of the page (its text at about 8 pt).
		const rect: [number, number, number, number] = [100, 40, 412, 533];
		const pdf = makeMixedPdf([
			{ lines: typed, scan: exhibit, rect },
			// A scan that came with its own invisible OCR text: its image is not read again.
			{ lines: [], scan: exhibit, rect: [0, 0, 612, 792], hiddenText: LINES },
			{ lines: typed }
		]);

		// The first pass only notes the image, for OCR to read later.
		const noted = await extractPdf(platform, pdf, { findImageText: true });
		expect(noted.status).toBe('indexed');
		if (noted.status !== 'indexed') return;
		expect(noted.imageRegions?.map((r) => r.page)).toEqual([1]);
		expect(wantsOcr(noted)).toBe(true);
		expect(wantsOcr(await extractPdf(platform, makePdf({ pages: 2 }), { findImageText: true }))).toBe(false);

		const result = await extractPdf(platform, pdf, { ocr });
		expect(result.status).toBe('indexed');
		if (result.status !== 'indexed') return;
		expect(result.ocr).toMatchObject({ pages: [1], regionPages: [1], checkPages: [] });
		const page = result.pages[0]!;
		const from = page.ocr!.from!;
		// The text layer first, untouched and once; then the image's words.
		expect(page.text.slice(0, from)).toBe(`${typed.join('\n')}\n\n`);
		expect(page.text.split('Memorandum').length).toBe(2);
		expect(wordAccuracy(TEXT, page.text.slice(from).replace(/\s+/g, ' '))).toBeGreaterThanOrEqual(0.95);
		const [x0, y0, x1, y1] = [
			rect[0] / 612,
			1 - (rect[1] + rect[3]) / 792,
			(rect[0] + rect[2]) / 612,
			1 - rect[1] / 792
		];
		for (const word of page.ocr!.words) {
			expect(page.text.slice(word.start, word.end)).toBe(word.text);
			expect(word.box[0]).toBeGreaterThanOrEqual(x0 - 0.01);
			expect(word.box[1]).toBeGreaterThanOrEqual(y0 - 0.01);
			expect(word.box[2]).toBeLessThanOrEqual(x1 + 0.01);
			expect(word.box[3]).toBeLessThanOrEqual(y1 + 0.01);
		}
		expect(result.pages[1]!.ocr).toBeUndefined();
		expect(result.pages[2]!.ocr).toBeUndefined();
	}, 240_000);
});
