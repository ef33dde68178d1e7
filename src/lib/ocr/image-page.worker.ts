// Decodes one page of an image document for the viewer (image-page.protocol.ts), off the main thread.
/// <reference lib="webworker" />
import { ImageDecodeError } from '../errors.ts';
import { scopeEndpoint, serve } from '../worker/transport.ts';
import { imagePages } from './image.ts';
import { imageFormat } from './image-format.ts';
import { imagePageProtocol, type ImagePageCalls } from './image-page.protocol.ts';
import { readPgm } from './pgm.ts';

declare const self: DedicatedWorkerGlobalScope;

serve<ImagePageCalls>(imagePageProtocol, scopeEndpoint(self), {
	async page({ bytes, page }) {
		const format = imageFormat(bytes);
		if (!format) throw new ImageDecodeError('This file is not a PNG, JPEG or TIFF image.');
		const pages = imagePages(bytes, format);
		const image = await pages.page(Math.min(Math.max(1, page), pages.count));
		// As stored, ignoring a JPEG's EXIF rotation: tesseract read the pixels unrotated, and its boxes must fit.
		const bitmap =
			format === 'tiff'
				? await createImageBitmap(rgbaOf(readPgm(image.bytes)))
				: await createImageBitmap(new Blob([bytes.slice().buffer]), { imageOrientation: 'none' });
		return { bitmap, count: pages.count };
	}
});

/** A TIFF page comes as the grey PGM that OCR reads; the canvas wants RGBA. */
function rgbaOf({ width, height, grey }: ReturnType<typeof readPgm>): ImageData {
	const rgba = new Uint8ClampedArray(width * height * 4);
	for (let p = 0, i = 0; p < grey.length; p++, i += 4) {
		rgba[i] = rgba[i + 1] = rgba[i + 2] = grey[p]!;
		rgba[i + 3] = 255;
	}
	return new ImageData(rgba, width, height);
}
