import { afterAll, describe, expect, it } from 'vitest';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { createExtractor } from '../ingest/extract.ts';
import { nodePdfPlatform } from '../ingest/pdf-platform.node.ts';
import { sniff } from '../ingest/sniff.ts';
import { OcrPool, type OcrEngine, type OcrImage } from './engine.ts';
import UTIF from 'utif2';
import { imageFormat, imagePages, imageSize } from './image.ts';
import { readPgm } from './pgm.ts';
import { decodeImageNode } from './render.node.ts';

const noPdf = () => Promise.reject(new Error('no PDF here'));
import type { RecognizedBlock } from './layout.ts';
import { readImages } from './read-pages.ts';
import { nodeOcrPool } from './tesseract.node.ts';
import { inkUnder, scanLines, withExifOrientation, wordAccuracy } from './testing/make-scan.ts';
import { greyPixels, makeTiff } from './testing/make-tiff.ts';

const LINES = [
	'The arbitration clause in section 12 binds both parties to the agreement.',
	'Notice of the claim was served on the respondent on April 2, 2024.'
];

/** Grey pixels as a PNG file, as a camera or a scanner app would save them. */
async function greyPng(grey: Uint8Array, width: number, height: number): Promise<Uint8Array> {
	const canvas = createCanvas(width, height);
	const context = canvas.getContext('2d');
	const image = context.createImageData(width, height);
	grey.forEach((g, i) => image.data.set([g, g, g, 255], i * 4));
	context.putImageData(image, 0, 0);
	return new Uint8Array(await canvas.encode('png'));
}

describe('image documents', () => {
	it('knows PNG, JPEG and TIFF by their bytes, whatever the name, and reads their size', async () => {
		const scan = await scanLines(LINES, { dpi: 72 });
		const png = await greyPng(new Uint8Array(6 * 3).fill(255), 6, 3);
		const tiff = makeTiff([await greyPixels(scan)]);
		expect([imageFormat(png), imageFormat(scan.jpeg), imageFormat(tiff)]).toEqual(['png', 'jpeg', 'tiff']);
		expect(imageFormat(new TextEncoder().encode('%PDF-1.4'))).toBeUndefined();
		expect(sniff(scan.jpeg, 'exhibit.pdf').kind).toBe('image');
		expect(sniff(tiff, 'scan.tif').kind).toBe('image');
		expect(imageSize(png, 'png')).toEqual({ width: 6, height: 3 });
		expect(imageSize(scan.jpeg, 'jpeg')).toEqual({ width: scan.width, height: scan.height });
	});

	it('decodes every page of a multi-page TIFF to a grey PGM with the same pixels', async () => {
		const a = await greyPixels(await scanLines(LINES, { dpi: 72 }));
		const b = { width: 40, height: 20, grey: new Uint8Array(800).map((_, i) => (i * 7) % 256) };
		const pages = imagePages(makeTiff([a, b]), 'tiff');
		expect(pages.count).toBe(2);
		const second = await pages.page(2);
		expect([second.width, second.height]).toEqual([40, 20]);
		const pgm = readPgm(second.bytes);
		expect([pgm.width, pgm.height]).toEqual([40, 20]);
		expect([...pgm.grey]).toEqual([...b.grey]);
		const first = await pages.page(1);
		expect([first.width, first.height]).toEqual([a.width, a.height]);
		await expect(pages.page(3)).rejects.toThrow(/no page 3/);
	});

	it('refuses images built to exhaust memory from their headers, before anything decodes', async () => {
		// A PNG header declaring 65535 × 65535 (Skia aborts the whole process allocating that).
		const png = await greyPng(new Uint8Array(6 * 3).fill(255), 6, 3);
		const huge = png.slice();
		new DataView(huge.buffer).setUint32(16, 65535);
		new DataView(huge.buffer).setUint32(20, 65535);
		expect(() => imagePages(huge, 'png')).toThrow(/65535 × 65535 pixels, more than the 80 million/);
		// A JPEG whose frame says the same.
		const jpeg = (await scanLines(LINES, { dpi: 72 })).jpeg.slice();
		for (let at = 2; at < jpeg.length; at += 2 + ((jpeg[at + 2]! << 8) | jpeg[at + 3]!))
			if (jpeg[at + 1] === 0xc0 || jpeg[at + 1] === 0xc2) {
				jpeg.set([0xff, 0xff, 0xff, 0xff], at + 5);
				break;
			}
		expect(() => imagePages(jpeg, 'jpeg')).toThrow(/JPEG image is 65535 × 65535/);
		// A TIFF whose last page's "next page" points back at its first (UTIF looped until memory ran out).
		const tiff = makeTiff([
			await greyPixels(await scanLines(LINES, { dpi: 36 })),
			{ width: 2, height: 2, grey: new Uint8Array(4) }
		]);
		const view = new DataView(tiff.buffer);
		const first = view.getUint32(4, true);
		const second = view.getUint32(first + 2 + 12 * view.getUint16(first, true), true);
		view.setUint32(second + 2 + 12 * view.getUint16(second, true), first, true);
		expect(() => imagePages(tiff, 'tiff')).toThrow(/loops back on itself/);
	});

	it('calls a TIFF page whose pixels the file does not hold cut short, not blank', async () => {
		const page = await greyPixels(await scanLines(LINES, { dpi: 36 }));
		const whole = makeTiff([page]);
		// Cut inside the pixels (the directory sits after them in makeTiff): its strip now runs past the end.
		const view = new DataView(whole.buffer);
		const ifd = view.getUint32(4, true);
		const cut = whole.slice();
		new DataView(cut.buffer).setUint32(4, ifd, true);
		const shortened = new Uint8Array([...cut.subarray(0, 8 + Math.floor(page.grey.length / 2)), ...cut.subarray(ifd)]);
		new DataView(shortened.buffer).setUint32(4, 8 + Math.floor(page.grey.length / 2), true);
		await expect(imagePages(shortened, 'tiff').page(1)).rejects.toThrow(/TIFF page 1 is cut short/);
		expect((await imagePages(whole, 'tiff').page(1)).width).toBe(page.width);
	});

	it('gives the viewer a colour TIFF in colour, while OCR reads it grey', async () => {
		// Red ink on white: a reviewer's mark that a grey copy would show as just another grey line.
		const rgba = new Uint8Array(4 * 3 * 2).fill(255);
		rgba.set([200, 0, 0, 255], 4);
		const pages = imagePages(new Uint8Array(UTIF.encodeImage(rgba, 3, 2)), 'tiff');
		const colour = await pages.rgba!(1);
		expect([colour.width, colour.height]).toEqual([3, 2]);
		expect([...colour.rgba.subarray(4, 8)]).toEqual([200, 0, 0, 255]);
		expect([...readPgm((await pages.page(1)).bytes).grey]).toEqual([255, 60, 255, 255, 255, 255]);
	});

	it('reads only the pages an earlier run did not, reporting those first', async () => {
		const reads: number[] = [];
		const engine: OcrEngine = {
			async recognize(image: OcrImage): Promise<RecognizedBlock[]> {
				reads.push(image.width);
				const word = { text: `w${image.width}`, confidence: 90, bbox: { x0: 0, y0: 0, x1: 1, y1: 1 } };
				return [{ paragraphs: [{ lines: [{ words: [word] }] }] }];
			},
			terminate: () => Promise.resolve()
		};
		const pool = new OcrPool(() => Promise.resolve(engine), 2);
		const known = new Map([[2, { text: 'before', words: [], confidence: 80 }]]);
		const order: string[] = [];
		const read = await readImages(
			[1, 2, 3],
			(n) => Promise.resolve({ bytes: new Uint8Array(), width: n, height: 1 }),
			pool,
			{ known, onPage: (page, _r, done, total) => void order.push(`${page}:${done}/${total}`) }
		);
		expect(reads.sort()).toEqual([1, 3]);
		expect(order).toEqual(['2:1/3', '1:2/3', '3:3/3']);
		expect(read.get(2)?.text).toBe('before');
		expect(read.get(3)?.text).toBe('w3');
	});

	describe('through OCR (tesseract.js, offline)', () => {
		const pool = nodeOcrPool(2);
		afterAll(() => pool.terminate());
		const extractor = createExtractor(nodePdfPlatform());

		it('reads a phone’s JPEG as it displays (EXIF orientation), with boxes on the ink the viewer draws', async () => {
			// Stored a quarter turn anticlockwise, tagged to display a quarter turn clockwise: upright on screen.
			const stored = await scanLines(LINES, { dpi: 150, turn: 270 });
			const jpeg = withExifOrientation(stored.jpeg, 6);
			const result = await extractor.extract(
				{ name: 'photo.jpg', bytes: jpeg },
				{ ocr: { pool, render: noPdf, decode: decodeImageNode } }
			);
			expect(result.status).toBe('indexed');
			if (result.status !== 'indexed') return;
			const page = result.pages[0]!;
			expect(wordAccuracy(LINES.join(' '), page.text.replace(/\s+/g, ' '))).toBeGreaterThanOrEqual(0.95);
			// As displayed: portrait, the first line across the top, every box on the ink.
			const shown = await loadImage(Buffer.from(jpeg));
			expect(shown.height).toBeGreaterThan(shown.width);
			const words = page.ocr!.words;
			expect(words[0]!.box[1]).toBeLessThan(0.2);
			for (const ink of await inkUnder(
				jpeg,
				words.map((w) => w.box)
			))
				expect(ink).toBeGreaterThan(0.05);
		}, 120_000);

		it('indexes a two-page TIFF (text, then blank) and a PNG, each word on its page', async () => {
			const text = await greyPixels(await scanLines(LINES, { dpi: 200 }));
			const blank = await greyPixels(await scanLines([], { dpi: 100 }));
			const stored: number[] = [];
			const tiff = await extractor.extract(
				{ name: 'exhibit.tif', bytes: makeTiff([text, blank]) },
				{ ocr: { pool, render: noPdf, decode: decodeImageNode, onRead: (n) => void stored.push(n) } }
			);
			expect(tiff.status).toBe('indexed');
			if (tiff.status !== 'indexed') return;
			expect(tiff.kind).toBe('image');
			expect(tiff.pageCount).toBe(2);
			expect(tiff.ocr?.pages).toEqual([1]);
			expect(tiff.pagesWithoutText).toEqual([2]);
			expect(stored.sort()).toEqual([1, 2]);
			expect(wordAccuracy(LINES.join(' '), tiff.pages[0]!.text.replace(/\s+/g, ' '))).toBeGreaterThanOrEqual(0.95);

			const png = await greyPng(text.grey, text.width, text.height);
			const image = await extractor.extract(
				{ name: 'photo.png', bytes: png },
				{ ocr: { pool, render: noPdf, decode: decodeImageNode } }
			);
			expect(image.status).toBe('indexed');
			if (image.status === 'indexed') expect(image.pages[0]!.text).toContain('arbitration');

			const off = await extractor.extract({ name: 'photo.png', bytes: png });
			expect(off.status).toBe('no-text');
		}, 180_000);

		it('names a broken image as damaged', async () => {
			const broken = new Uint8Array([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0, 0, 0]);
			const result = await extractor.extract(
				{ name: 'x.tif', bytes: broken },
				{ ocr: { pool, render: noPdf, decode: decodeImageNode } }
			);
			expect(result).toMatchObject({
				status: 'damaged',
				error:
					'Docket could not decode this TIFF image. TIFF page 1 has no image size in its header: the file is damaged or cut short. Open it in an image viewer to check it, or scan it again.'
			});
		});
	});
});
