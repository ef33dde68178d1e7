/**
 * Multi-page TIFFs for tests (Node): each scan's pixels as an uncompressed 8-bit grey page, one image
 * directory per page, as a scanner's "save as TIFF" writes them (without its compression).
 */
import { createCanvas, loadImage } from '@napi-rs/canvas';
import type { ScanPage } from './make-scan.ts';

export interface GreyPage {
	grey: Uint8Array;
	width: number;
	height: number;
}

export async function greyPixels(scan: ScanPage): Promise<GreyPage> {
	const image = await loadImage(Buffer.from(scan.jpeg));
	const canvas = createCanvas(scan.width, scan.height);
	const context = canvas.getContext('2d');
	context.drawImage(image, 0, 0);
	const { data } = context.getImageData(0, 0, scan.width, scan.height);
	const grey = new Uint8Array(scan.width * scan.height);
	for (let i = 0; i < grey.length; i++) grey[i] = data[i * 4]!;
	return { grey, width: scan.width, height: scan.height };
}

/** A little-endian TIFF with one uncompressed grey page per entry of `pages`. */
export function makeTiff(pages: readonly GreyPage[]): Uint8Array {
	const ENTRIES = 9;
	const ifdSize = 2 + ENTRIES * 12 + 4;
	let size = 8;
	const layout = pages.map((p) => {
		const data = size;
		size += p.grey.length + (p.grey.length % 2);
		const ifd = size;
		size += ifdSize;
		return { data, ifd };
	});
	const out = new Uint8Array(size);
	const view = new DataView(out.buffer);
	out.set([0x49, 0x49, 0x2a, 0x00]);
	view.setUint32(4, layout[0]?.ifd ?? 0, true);
	pages.forEach((page, i) => {
		const { data, ifd } = layout[i]!;
		out.set(page.grey, data);
		const entries: [tag: number, type: 3 | 4, value: number][] = [
			[256, 4, page.width],
			[257, 4, page.height],
			[258, 3, 8],
			[259, 3, 1],
			[262, 3, 1],
			[273, 4, data],
			[277, 3, 1],
			[278, 4, page.height],
			[279, 4, page.grey.length]
		];
		view.setUint16(ifd, entries.length, true);
		entries.forEach(([tag, type, value], j) => {
			const at = ifd + 2 + j * 12;
			view.setUint16(at, tag, true);
			view.setUint16(at + 2, type, true);
			view.setUint32(at + 4, 1, true);
			if (type === 3) view.setUint16(at + 8, value, true);
			else view.setUint32(at + 8, value, true);
		});
		view.setUint32(ifd + 2 + entries.length * 12, layout[i + 1]?.ifd ?? 0, true);
	});
	return out;
}
