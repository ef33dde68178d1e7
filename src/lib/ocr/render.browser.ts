/**
 * Pages drawn for OCR in a worker: pdf.js on an OffscreenCanvas, handed over as grey PGM (`pgm.ts`). pdf.js also needs a
 * canvas factory for the scratch canvases it makes (masks, patterns), and a worker has no `document`.
 */
import { ImageDecodeError } from '../errors.ts';
import { greyPgm } from './pgm.ts';
import { clipTo, type ImageDecoder, type PageRenderer } from './read-pages.ts';

/** pdf.js's `CanvasFactory` contract, on OffscreenCanvas. */
export class OffscreenCanvasFactory {
	create(width: number, height: number) {
		const canvas = new OffscreenCanvas(Math.max(1, width), Math.max(1, height));
		return { canvas, context: canvas.getContext('2d') };
	}
	reset(entry: { canvas: OffscreenCanvas }, width: number, height: number) {
		entry.canvas.width = Math.max(1, width);
		entry.canvas.height = Math.max(1, height);
	}
	destroy(entry: { canvas: OffscreenCanvas | null; context: unknown }) {
		if (entry.canvas) {
			entry.canvas.width = 0;
			entry.canvas.height = 0;
		}
		entry.canvas = null;
		entry.context = null;
	}
}

export const renderPageBrowser: PageRenderer = async (page, scale, keep) => {
	const viewport = page.getViewport({ scale });
	const canvas = new OffscreenCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
	const context = canvas.getContext('2d');
	if (!context) throw new Error('This browser cannot draw in a worker (no OffscreenCanvas 2D).');
	context.fillStyle = '#fff';
	context.fillRect(0, 0, canvas.width, canvas.height);
	if (keep) clipTo(context, keep, canvas.width, canvas.height);
	await page.render({ canvasContext: context, viewport, canvas } as never).promise;
	const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
	return { bytes: greyPgm(data, canvas.width, canvas.height), width: canvas.width, height: canvas.height };
};

/** createImageBitmap applies a JPEG's EXIF orientation by default, as the viewer's bitmap does. */
export const decodeImageBrowser: ImageDecoder = async (bytes) => {
	let bitmap: ImageBitmap;
	try {
		bitmap = await createImageBitmap(new Blob([bytes.slice().buffer]), { imageOrientation: 'from-image' });
	} catch (error) {
		throw new ImageDecodeError(
			`The image does not decode (${error instanceof Error ? error.message : String(error)}).`
		);
	}
	try {
		const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
		const context = canvas.getContext('2d');
		if (!context) throw new Error('This browser cannot draw in a worker (no OffscreenCanvas 2D).');
		context.fillStyle = '#fff';
		context.fillRect(0, 0, canvas.width, canvas.height);
		context.drawImage(bitmap, 0, 0);
		const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
		return { bytes: greyPgm(data, canvas.width, canvas.height), width: canvas.width, height: canvas.height };
	} finally {
		bitmap.close();
	}
};
