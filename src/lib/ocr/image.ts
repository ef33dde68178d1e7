/**
 * Image files as documents: PNG and JPEG are one page each, drawn for OCR by the platform as they
 * display (`ImageDecoder`, EXIF orientation applied); a TIFF holds one page per image directory (a
 * scanner's multi-page TIFF), each decoded by UTIF (utif2: CCITT G3/G4 fax, LZW, PackBits, Deflate and
 * JPEG, which is what scanners write). Both reach OCR as grey PGM (`pgm.ts`). Everything here is plain
 * JavaScript, so the browser worker and Node share it.
 */
import UTIF from 'utif2';
import { ImageDecodeError } from '../errors.ts';
import type { OcrImage } from './engine.ts';
import { greyPgm } from './pgm.ts';

export { imageFormat, type ImageFormat } from './image-format.ts';
import { MAX_IMAGE_PIXELS, type ImageFormat } from './image-format.ts';

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
	/** Page `n` (1-based) as OCR reads it. */
	page(n: number): Promise<OcrImage>;
	/** A TIFF's page `n` in colour as stored, for the viewer (PNG and JPEG are drawn from their own bytes). */
	rgba?(n: number): Promise<{ rgba: Uint8Array; width: number; height: number }>;
}

/** Most pages a TIFF may hold: a box of scans is a few thousand; more is a file built to exhaust memory. */
const MAX_TIFF_PAGES = 10_000;

/**
 * Walks a TIFF's chain of image directories before UTIF does: UTIF follows each "next directory"
 * offset as written, so a file whose chain points back on itself made it loop until memory ran out.
 */
function checkTiffChain(bytes: Uint8Array): void {
	if (bytes.length < 8) throw new ImageDecodeError('The TIFF file is cut short.');
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const little = bytes[0] === 0x49;
	// BigTIFF (43) has 8-byte offsets; UTIF refuses it in words of its own.
	if (view.getUint16(2, little) !== 42) return;
	const seen = new Set<number>();
	for (let at = view.getUint32(4, little); at !== 0;) {
		if (seen.has(at))
			throw new ImageDecodeError('The TIFF file’s list of pages loops back on itself: the file is damaged.');
		if (seen.size >= MAX_TIFF_PAGES)
			throw new ImageDecodeError(`The TIFF file holds more than ${MAX_TIFF_PAGES} pages, more than Docket reads.`);
		seen.add(at);
		if (at + 2 > bytes.length) return;
		const next = at + 2 + 12 * view.getUint16(at, little);
		if (next + 4 > bytes.length) return;
		at = view.getUint32(next, little);
	}
}

export function imagePages(bytes: Uint8Array, format: ImageFormat): ImagePages {
	if (format !== 'tiff') {
		const size = imageSize(bytes, format);
		if (size.width === 0 || size.height === 0) throw new ImageDecodeError('The image has no pixels.');
		// The header's size is checked before anything decodes: a few bytes can declare 65535 × 65535.
		if (size.width * size.height > MAX_IMAGE_PIXELS)
			throw new ImageDecodeError(
				`The ${format === 'png' ? 'PNG' : 'JPEG'} image is ${size.width} × ${size.height} pixels, more than the ${MAX_IMAGE_PIXELS / 1e6} million Docket reads.`
			);
		return { format, count: 1, page: () => Promise.resolve({ bytes, ...size }) };
	}
	checkTiffChain(bytes);
	const buffer = bytes.slice().buffer;
	// Reduced-resolution copies (thumbnails, NewSubfileType bit 0) are not pages.
	const directories = UTIF.decode(buffer).filter((ifd) => (Number(first(ifd['t254'])) & 1) === 0);
	if (directories.length === 0) throw new ImageDecodeError('The TIFF file holds no image.');
	const decode = (n: number) => {
		const ifd = directories[n - 1];
		if (!ifd) throw new RangeError(`The TIFF has no page ${n}.`);
		const width = Number(first(ifd['t256']));
		const height = Number(first(ifd['t257']));
		// A header cut short has no size at all (NaN), which is not a size to report.
		if (!(width > 0 && height > 0))
			throw new ImageDecodeError(`TIFF page ${n} has no image size in its header: the file is damaged or cut short.`);
		if (width * height > MAX_IMAGE_PIXELS)
			throw new ImageDecodeError(
				`TIFF page ${n} is ${width} × ${height} pixels, more than the ${MAX_IMAGE_PIXELS / 1e6} million Docket reads.`
			);
		// Strips that run past the file's end, or an uncompressed page with fewer bytes than pixels: UTIF reads
		// what is missing as blank, and a page cut short read as a blank page.
		const offsets = list(ifd['t273']);
		const counts = list(ifd['t279']);
		const stored = counts.reduce((a, b) => a + b, 0);
		const bits = list(ifd['t258']).reduce((a, b) => a + b, 0) || 1;
		if (
			offsets.some((offset, i) => offset + (counts[i] ?? 0) > bytes.length) ||
			(Number(first(ifd['t259']) ?? 1) === 1 && stored < Math.ceil((width * bits) / 8) * height)
		)
			throw new ImageDecodeError(`TIFF page ${n} is cut short: the file holds only part of its pixels.`);
		try {
			UTIF.decodeImage(buffer, ifd);
			return { rgba: UTIF.toRGBA8(ifd), width: ifd.width, height: ifd.height };
		} catch (error) {
			throw new ImageDecodeError(
				`TIFF page ${n} does not decode: ${error instanceof Error ? error.message.replace(/\.?$/, '.') : String(error)}`
			);
		}
	};
	return {
		format,
		count: directories.length,
		async page(n) {
			const { rgba, width, height } = decode(n);
			return { bytes: greyPgm(rgba, width, height), width, height };
		},
		async rgba(n) {
			return decode(n);
		}
	};
}

function first(value: unknown): unknown {
	return Array.isArray(value) ? value[0] : value;
}

function list(value: unknown): number[] {
	return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(Number);
}
