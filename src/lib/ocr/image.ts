/**
 * Image files as documents: PNG and JPEG are one page each and go to OCR as they are; a TIFF holds one
 * page per image directory (a scanner's multi-page TIFF), each decoded by UTIF (utif2: CCITT G3/G4 fax,
 * LZW, PackBits, Deflate and JPEG, which is what scanners write) and handed to OCR as a grey PNG.
 * Everything here is plain JavaScript plus CompressionStream, so the browser worker and Node share it.
 */
import UTIF from 'utif2';
import { ImageDecodeError } from '../errors.ts';
import type { OcrImage } from './engine.ts';

export { imageFormat, type ImageFormat } from './image-format.ts';
import type { ImageFormat } from './image-format.ts';

/** The image's size from its header (PNG's IHDR, JPEG's start-of-frame marker). */
export function imageSize(bytes: Uint8Array, format: 'png' | 'jpeg'): { width: number; height: number } {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	if (format === 'png') {
		if (bytes.length < 24) throw new ImageDecodeError('The PNG file is cut short.');
		return { width: view.getUint32(16), height: view.getUint32(20) };
	}
	for (let at = 2; at + 9 < bytes.length;) {
		if (bytes[at] !== 0xff) throw new ImageDecodeError('The JPEG file’s structure is broken.');
		const marker = bytes[at + 1]!;
		// Markers without a length: fill bytes, restart markers, start of image.
		if (marker === 0xff) {
			at++;
			continue;
		}
		if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
			at += 2;
			continue;
		}
		const length = view.getUint16(at + 2);
		// SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame's size.
		if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
			return { height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
		at += 2 + length;
	}
	throw new ImageDecodeError('The JPEG file has no image frame.');
}

/** An image document's pages: how many, and each one as OCR reads it. */
export interface ImagePages {
	format: ImageFormat;
	count: number;
	page(n: number): Promise<OcrImage>;
}

/** Largest page area decoded (pixels): 600 dpi US Legal is 43 M; past this a hostile header is refused. */
const MAX_PIXELS = 80_000_000;

export function imagePages(bytes: Uint8Array, format: ImageFormat): ImagePages {
	if (format !== 'tiff') {
		const size = imageSize(bytes, format);
		if (size.width === 0 || size.height === 0) throw new ImageDecodeError('The image has no pixels.');
		return { format, count: 1, page: () => Promise.resolve({ bytes, ...size }) };
	}
	const buffer = bytes.slice().buffer;
	// Reduced-resolution copies (thumbnails, NewSubfileType bit 0) are not pages.
	const directories = UTIF.decode(buffer).filter((ifd) => (Number(first(ifd['t254'])) & 1) === 0);
	if (directories.length === 0) throw new ImageDecodeError('The TIFF file holds no image.');
	return {
		format,
		count: directories.length,
		async page(n) {
			const ifd = directories[n - 1];
			if (!ifd) throw new RangeError(`The TIFF has no page ${n}.`);
			const width = Number(first(ifd['t256']));
			const height = Number(first(ifd['t257']));
			if (!(width > 0 && height > 0 && width * height <= MAX_PIXELS))
				throw new ImageDecodeError(`TIFF page ${n} is ${width} × ${height} pixels, which Docket does not decode.`);
			let rgba: Uint8Array;
			try {
				UTIF.decodeImage(buffer, ifd);
				rgba = UTIF.toRGBA8(ifd);
			} catch (error) {
				throw new ImageDecodeError(
					`TIFF page ${n} does not decode (${error instanceof Error ? error.message : String(error)}).`
				);
			}
			return { bytes: await encodeGreyPng(rgba, ifd.width, ifd.height), width: ifd.width, height: ifd.height };
		}
	};
}

function first(value: unknown): unknown {
	return Array.isArray(value) ? value[0] : value;
}

const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

function crc32(parts: Uint8Array[]): number {
	let c = 0xffffffff;
	for (const part of parts) for (let i = 0; i < part.length; i++) c = CRC_TABLE[(c ^ part[i]!) & 0xff]! ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

async function deflate(data: Uint8Array): Promise<Uint8Array> {
	const stream = new Blob([data.slice().buffer]).stream().pipeThrough(new CompressionStream('deflate'));
	return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * RGBA pixels (white under transparency) as an 8-bit grey PNG: a quarter of the RGBA's size, and what
 * tesseract reads anyway. Rows use filter 0; CompressionStream's `deflate` is the zlib stream PNG wants.
 */
export async function encodeGreyPng(rgba: Uint8Array, width: number, height: number): Promise<Uint8Array> {
	const raw = new Uint8Array((width + 1) * height);
	for (let y = 0, i = 0; y < height; y++) {
		raw[y * (width + 1)] = 0;
		for (let x = 0; x < width; x++, i += 4) {
			const alpha = rgba[i + 3]! / 255;
			const grey = 0.299 * rgba[i]! + 0.587 * rgba[i + 1]! + 0.114 * rgba[i + 2]!;
			raw[y * (width + 1) + 1 + x] = Math.round(grey * alpha + 255 * (1 - alpha));
		}
	}
	const header = new Uint8Array(13);
	const view = new DataView(header.buffer);
	view.setUint32(0, width);
	view.setUint32(4, height);
	header.set([8, 0, 0, 0, 0], 8);
	const chunks = [chunk('IHDR', header), chunk('IDAT', await deflate(raw)), chunk('IEND', new Uint8Array())];
	const signature = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	const out = new Uint8Array(signature.length + chunks.reduce((n, c) => n + c.length, 0));
	out.set(signature);
	let at = signature.length;
	for (const c of chunks) {
		out.set(c, at);
		at += c.length;
	}
	return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
	const name = new TextEncoder().encode(type);
	const out = new Uint8Array(12 + data.length);
	const view = new DataView(out.buffer);
	view.setUint32(0, data.length);
	out.set(name, 4);
	out.set(data, 8);
	view.setUint32(8 + data.length, crc32([name, data]));
	return out;
}
