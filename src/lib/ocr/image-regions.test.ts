import { describe, expect, it } from 'vitest';
import { applyOcr, textOfRegions } from './apply.ts';
import { imageBoxes, mergeBoxes, regionsToRead, textItemBoxes, type Box } from './image-regions.ts';
import { keepWords, type OcrPage } from './layout.ts';

// Operator codes as pdf.js numbers them does not matter here: the module reads them from `ops`.
const OPS = {
	save: 1,
	restore: 2,
	transform: 3,
	paintImageXObject: 4,
	paintFormXObjectBegin: 5,
	paintFormXObjectEnd: 6,
	paintImageXObjectRepeat: 7,
	paintInlineImageXObjectGroup: 8,
	beginAnnotation: 9,
	endAnnotation: 10,
	showText: 11
};
// A US Letter page at scale 1: PDF space (origin bottom left) to pixels (origin top left).
const viewport = { transform: [1, 0, 0, -1, 0, 792], width: 612, height: 792 };
const round = (boxes: Box[]) => boxes.map((b) => b.map((v) => Math.round(v * 1000) / 1000));

describe('image boxes from the operator list', () => {
	it('follows save, restore, transform and forms to each image’s box, and leaves annotations out', () => {
		const list = {
			fnArray: [1, 3, 4, 2, 5, 1, 3, 4, 2, 6, 9, 4, 10, 11, 7, 8],
			argsArray: [
				null,
				[306, 0, 0, 396, 0, 0], // the lower left quarter
				['img1', 10, 10],
				null,
				[
					[1, 0, 0, 1, 306, 396],
					[0, 0, 306, 396]
				], // a form moved to the upper right quarter
				null,
				[153, 0, 0, 198, 0, 0],
				['img2', 10, 10],
				null,
				null,
				['annot', [0, 0, 10, 10], [1, 0, 0, 1, 0, 0], [1, 0, 0, 1, 0, 0], false],
				['stamp', 10, 10],
				null,
				[],
				['img3', 61.2, 79.2, [0, 0, 61.2, 0]], // two tiles at the bottom left
				[{ data: 'x' }, [{ transform: [612, 0, 0, 79.2, 0, 712.8], x: 0, y: 0, w: 1, h: 1 }]] // a top band
			]
		};
		expect(round(imageBoxes(list, OPS, viewport))).toEqual([
			[0, 0.5, 0.5, 1],
			[0.5, 0.25, 0.75, 0.5],
			[0, 0.9, 0.1, 1],
			[0.1, 0.9, 0.2, 1],
			[0, 0, 1, 0.1]
		]);
	});

	it('places text items by their baseline and height', () => {
		const items = [
			{ str: 'Exhibit 4', transform: [12, 0, 0, 12, 72, 720], width: 61.2, height: 12 },
			{ str: ' ', transform: [12, 0, 0, 12, 0, 0], width: 3, height: 12 },
			{ type: 'beginMarkedContent' }
		];
		expect(round(textItemBoxes(items, viewport))).toEqual([[0.118, 0.076, 0.218, 0.091]]);
	});
});

describe('image regions worth reading', () => {
	const exhibit: Box = [0.1, 0.3, 0.9, 0.9];

	it('merges the tiles of one picture, keeps big ones, drops logos and scans that carry their own text', () => {
		expect(
			mergeBoxes([
				[0.1, 0.3, 0.5, 0.6],
				[0.5, 0.3, 0.9, 0.6],
				[0.1, 0.6, 0.9, 0.9]
			])
		).toEqual([exhibit]);
		const logo: Box = [0.05, 0.02, 0.15, 0.08];
		const banner: Box = [0, 0, 1, 0.05];
		const typedAbove: Box[] = [[0.1, 0.1, 0.9, 0.12]];
		expect(regionsToRead([exhibit, logo, banner], typedAbove)).toEqual([exhibit]);
		// An image whose words the text layer already has (a scanner's own OCR text over it) is not read.
		const hidden: Box[] = Array.from({ length: 20 }, (_, i) => [0.12, 0.32 + i * 0.02, 0.88, 0.335 + i * 0.02]);
		expect(regionsToRead([exhibit], [...typedAbove, ...hidden])).toEqual([]);
		// Top to bottom.
		const lower: Box = [0.1, 0.7, 0.9, 0.95];
		const upper: Box = [0.1, 0.2, 0.9, 0.45];
		expect(regionsToRead([lower, upper], [])).toEqual([upper, lower]);
	});
});

describe('OCR text of image regions', () => {
	const word = (text: string, x0: number, y0: number, confidence: number, start: number) => ({
		text,
		confidence,
		box: [x0, y0, x0 + 0.1, y0 + 0.02] as Box,
		start,
		end: start + text.length
	});
	// One read of a page whose text layer is white: an exhibit below, and a photograph above.
	const read: OcrPage = {
		text: 'Ae 3k\n\nPaid in\nfull',
		words: [
			word('Ae', 0.2, 0.1, 31, 0),
			word('3k', 0.35, 0.1, 40, 3),
			word('Paid', 0.2, 0.6, 93, 7),
			word('in', 0.35, 0.6, 91, 12),
			word('full', 0.2, 0.65, 95, 15)
		],
		confidence: 70
	};
	const photo: Box = [0.1, 0.05, 0.9, 0.2];
	const exhibit: Box = [0.1, 0.5, 0.9, 0.9];

	it('keeps the words of regions that read as text; a picture’s guesses are dropped', () => {
		const kept = textOfRegions(read, [photo, exhibit]);
		expect(kept.text).toBe('Paid in\nfull');
		expect(kept.words.map((w) => kept.text.slice(w.start, w.end))).toEqual(['Paid', 'in', 'full']);
		expect(kept.confidence).toBeCloseTo(93);
		expect(keepWords(read, () => false)).toEqual({ text: '', words: [], confidence: 0 });
		// Fairly sure overall, but of no real word: shapes, not text.
		const shapes: OcrPage = {
			text: '0+ Ar SS',
			words: [word('0+', 0.2, 0.6, 70, 0), word('Ar', 0.3, 0.6, 66, 3), word('SS', 0.4, 0.6, 68, 6)],
			confidence: 68
		};
		expect(textOfRegions(shapes, [exhibit]).words).toEqual([]);
	});

	it('puts a region’s text after the page’s text layer, with offsets into the joined text', () => {
		const pages = [{ page: 1, text: 'Invoice dispute, see exhibit below.\n' }];
		const summary = applyOcr(pages, [], new Map([[1, read]]), 1, new Map([[1, [photo, exhibit]]]));
		expect(summary).toEqual({ pages: [1], lowestConfidence: 93, checkPages: [], regionPages: [1] });
		const page = pages[0]!;
		expect(page.text).toBe('Invoice dispute, see exhibit below.\n\nPaid in\nfull');
		const from = 'Invoice dispute, see exhibit below.\n\n'.length;
		expect(page).toMatchObject({ ocr: { from } });
		const ocr = (page as { ocr?: { words: { start: number; end: number }[] } }).ocr!;
		expect(ocr.words.map((w) => page.text.slice(w.start, w.end))).toEqual(['Paid', 'in', 'full']);
		// A region that reads as nothing but a picture leaves the page as it was.
		const photoOnly = [{ page: 1, text: 'Typed.' }];
		expect(applyOcr(photoOnly, [], new Map([[1, read]]), 1, new Map([[1, [photo]]]))).toBeUndefined();
		expect(photoOnly[0]).toEqual({ page: 1, text: 'Typed.' });
	});
});
