/**
 * Scans for tests and benchmarks, made in the test itself (Node): known text is laid out as a PDF page,
 * drawn by pdf.js at a resolution, optionally skewed and speckled like a copier's output, and stored as a
 * JPEG in an image-only PDF, so OCR can be checked against the words that went in.
 */
import { createCanvas, loadImage, type Canvas } from '@napi-rs/canvas';
import { makePdf } from '../../ingest/testing/make-pdf.ts';
import { nodePdfPlatform } from '../../ingest/pdf-platform.node.ts';
import { binaryDataFactory } from '../../ingest/pdf-platform.ts';

export interface ScanOptions {
	dpi: number;
	/** Degrees the sheet sits crooked on the glass. */
	skew?: number;
	/** Fraction of pixels flipped to a random grey (0..1). */
	noise?: number;
	/** Quarter turns clockwise, as a sheet fed sideways or upside down comes out (90 and 270 swap the sides). */
	turn?: 0 | 90 | 180 | 270;
	seed?: number;
}

export interface ScanPage {
	jpeg: Uint8Array;
	width: number;
	height: number;
}

function random(seed: number): () => number {
	let s = seed >>> 0 || 1;
	return () => {
		s ^= s << 13;
		s ^= s >>> 17;
		s ^= s << 5;
		return (s >>> 0) / 2 ** 32;
	};
}

/** Draws `lines` (one page of text, Helvetica 12 pt) as a scan would see it. */
export async function scanLines(lines: string[], options: ScanOptions): Promise<ScanPage> {
	const platform = nodePdfPlatform();
	const pdfjs = await platform.loadPdfjs();
	const task = pdfjs.getDocument({
		data: makePdf({ pages: 1, lines: () => lines }),
		BinaryDataFactory: binaryDataFactory(platform),
		useWorkerFetch: false,
		isEvalSupported: false,
		verbosity: pdfjs.VerbosityLevel.ERRORS
	});
	try {
		const page = await (await task.promise).getPage(1);
		const viewport = page.getViewport({ scale: options.dpi / 72 });
		const sheet = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
		const context = sheet.getContext('2d');
		context.fillStyle = '#fff';
		context.fillRect(0, 0, sheet.width, sheet.height);
		await page.render({ canvasContext: context, viewport, canvas: sheet } as never).promise;
		const scanned = turned(skewed(sheet, options.skew ?? 0), options.turn ?? 0);
		if (options.noise) speckle(scanned, options.noise, random(options.seed ?? 1));
		return { jpeg: new Uint8Array(await scanned.encode('jpeg', 88)), width: scanned.width, height: scanned.height };
	} finally {
		await task.destroy();
	}
}

function skewed(sheet: Canvas, degrees: number): Canvas {
	if (degrees === 0) return sheet;
	const out = createCanvas(sheet.width, sheet.height);
	const context = out.getContext('2d');
	context.fillStyle = '#fff';
	context.fillRect(0, 0, out.width, out.height);
	context.translate(out.width / 2, out.height / 2);
	context.rotate((degrees * Math.PI) / 180);
	context.drawImage(sheet, -sheet.width / 2, -sheet.height / 2);
	return out;
}

function turned(sheet: Canvas, degrees: 0 | 90 | 180 | 270): Canvas {
	if (degrees === 0) return sheet;
	const sideways = degrees !== 180;
	const out = createCanvas(sideways ? sheet.height : sheet.width, sideways ? sheet.width : sheet.height);
	const context = out.getContext('2d');
	context.translate(out.width / 2, out.height / 2);
	context.rotate((degrees * Math.PI) / 180);
	context.drawImage(sheet, -sheet.width / 2, -sheet.height / 2);
	return out;
}

function speckle(canvas: Canvas, fraction: number, next: () => number): void {
	const context = canvas.getContext('2d');
	const image = context.getImageData(0, 0, canvas.width, canvas.height);
	const pixels = image.data;
	for (let i = 0; i < pixels.length; i += 4) {
		if (next() >= fraction) continue;
		const grey = Math.floor(next() * 256);
		pixels[i] = pixels[i + 1] = pixels[i + 2] = grey;
	}
	context.putImageData(image, 0, 0);
}

/**
 * The JPEG with an EXIF orientation tag (big-endian, as phones write it), so it displays turned: 6 shows
 * the stored pixels a quarter turn clockwise.
 */
export function withExifOrientation(jpeg: Uint8Array, orientation: number): Uint8Array {
	const tiff = [
		0x4d,
		0x4d,
		0,
		42,
		0,
		0,
		0,
		8,
		0,
		1,
		0x01,
		0x12,
		0,
		3,
		0,
		0,
		0,
		1,
		0,
		orientation,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0
	];
	const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
	const app1 = [0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload];
	return new Uint8Array([...jpeg.subarray(0, 2), ...app1, ...jpeg.subarray(2)]);
}

/** An image-only PDF: each scan fills a US Letter page, as a scanner's PDF does. No text layer at all. */
export function makeImagePdf(pages: ScanPage[]): Uint8Array {
	return makeMixedPdf(pages.map((scan) => ({ lines: [], scan, rect: [0, 0, 612, 792] })));
}

/** A page of a mixed PDF: typed lines at the top, and a scan placed at `rect` below them. */
export interface MixedPage {
	lines: string[];
	scan?: ScanPage;
	/** Where the scan sits, in PDF points from the bottom left: x, y, width, height. */
	rect?: [number, number, number, number];
	/** Invisible text (render mode 3) over the scan, as a scanner that ran its own OCR writes it. */
	hiddenText?: string[];
}

const escapeText = (text: string) => text.replace(/[\\()]/g, (c) => `\\${c}`);

/**
 * A PDF whose pages have a text layer and may also carry a scanned image: a typed brief with an exhibit
 * pasted in, or (with `hiddenText`) a scan that already came with its own OCR text.
 */
export function makeMixedPdf(pages: MixedPage[]): Uint8Array {
	const parts: Uint8Array[] = [];
	const offsets: number[] = [];
	let length = 0;
	const encoder = new TextEncoder();
	const write = (part: string | Uint8Array) => {
		const bytes = typeof part === 'string' ? encoder.encode(part) : part;
		parts.push(bytes);
		length += bytes.length;
	};
	const object = (id: number, ...body: (string | Uint8Array)[]) => {
		offsets[id] = length;
		write(`${id} 0 obj\n`);
		for (const part of body) write(part);
		write('\nendobj\n');
	};
	write('%PDF-1.4\n');
	object(1, '<< /Type /Catalog /Pages 2 0 R >>');
	const kids = pages.map((_, i) => `${4 + 3 * i} 0 R`).join(' ');
	object(2, `<< /Type /Pages /Count ${pages.length} /Kids [${kids}] >>`);
	object(3, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
	pages.forEach((page, i) => {
		const id = 4 + 3 * i;
		const image = page.scan ? ` /XObject << /Im1 ${id + 2} 0 R >>` : '';
		object(
			id,
			`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >>${image} >> /Contents ${id + 1} 0 R >>`
		);
		let content = '';
		if (page.lines.length > 0) {
			content += 'BT /F1 12 Tf 72 720 Td 14 TL\n';
			for (const line of page.lines) content += `(${escapeText(line)}) Tj T*\n`;
			content += 'ET\n';
		}
		const [x, y, w, h] = page.rect ?? [72, 72, 468, 500];
		if (page.scan) content += `q ${w} 0 0 ${h} ${x} ${y} cm /Im1 Do Q\n`;
		if (page.hiddenText) {
			content += `BT 3 Tr /F1 12 Tf ${x + 10} ${y + h - 20} Td 14 TL\n`;
			for (const line of page.hiddenText) content += `(${escapeText(line)}) Tj T*\n`;
			content += 'ET\n';
		}
		object(id + 1, `<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
		if (page.scan)
			object(
				id + 2,
				`<< /Type /XObject /Subtype /Image /Width ${page.scan.width} /Height ${page.scan.height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${page.scan.jpeg.length} >>\nstream\n`,
				page.scan.jpeg,
				'\nendstream'
			);
		else object(id + 2, '<< >>');
	});
	const size = 4 + 3 * pages.length;
	const xref = length;
	let table = `xref\n0 ${size}\n0000000000 65535 f \n`;
	for (let id = 1; id < size; id++) table += `${String(offsets[id] ?? 0).padStart(10, '0')} 00000 n \n`;
	write(table);
	write(`trailer\n<< /Size ${size} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
	const out = new Uint8Array(length);
	let at = 0;
	for (const part of parts) {
		out.set(part, at);
		at += part.length;
	}
	return out;
}

/** Word accuracy: words of `expected` found in order in `actual` (longest common subsequence) over their count. */
export function wordAccuracy(expected: string, actual: string): number {
	const words = (s: string) => s.split(/\s+/).filter(Boolean);
	const a = words(expected);
	const b = words(actual);
	let previous = new Array<number>(b.length + 1).fill(0);
	for (let i = 1; i <= a.length; i++) {
		const row = new Array<number>(b.length + 1).fill(0);
		for (let j = 1; j <= b.length; j++)
			row[j] = a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, row[j - 1]!);
		previous = row;
	}
	return a.length === 0 ? 1 : previous[b.length]! / a.length;
}

/**
 * The share of dark pixels under each box (fractions of the page) on the image as it displays (EXIF
 * orientation applied): a box on the word's ink reads well above zero.
 */
export async function inkUnder(image: Uint8Array, boxes: readonly (readonly number[])[]): Promise<number[]> {
	const shown = await loadImage(Buffer.from(image));
	const canvas = createCanvas(shown.width, shown.height);
	const context = canvas.getContext('2d');
	context.drawImage(shown, 0, 0);
	return boxes.map((box) => {
		const [x0, y0, x1, y1] = [
			box[0]! * shown.width,
			box[1]! * shown.height,
			box[2]! * shown.width,
			box[3]! * shown.height
		];
		const { data } = context.getImageData(
			Math.floor(x0),
			Math.floor(y0),
			Math.max(1, Math.ceil(x1 - x0)),
			Math.max(1, Math.ceil(y1 - y0))
		);
		let dark = 0;
		for (let i = 0; i < data.length; i += 4) if (data[i]! < 128) dark++;
		return dark / (data.length / 4);
	});
}
