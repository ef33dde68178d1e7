// Decodes one page of an image document for the viewer (image-page.protocol.ts), off the main thread.
/// <reference lib="webworker" />
import { ImageDecodeError } from '../errors.ts';
import { scopeEndpoint, serve } from '../worker/transport.ts';
import { imagePages } from './image.ts';
import { imageFormat } from './image-format.ts';
import { imagePageProtocol, type ImagePageCalls } from './image-page.protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

serve<ImagePageCalls>(imagePageProtocol, scopeEndpoint(self), {
	async page({ bytes, page }) {
		const format = imageFormat(bytes);
		if (!format) throw new ImageDecodeError('This file is not a PNG, JPEG or TIFF image.');
		const pages = imagePages(bytes, format);
		const n = Math.min(Math.max(1, page), pages.count);
		// In colour as stored (OCR reads it grey), and a JPEG turned by its EXIF orientation as OCR read it
		// (`decodeImageBrowser`), so the words' boxes fit.
		const tiff = pages.rgba ? await pages.rgba(n) : undefined;
		const bitmap = tiff
			? await createImageBitmap(
					new ImageData(
						new Uint8ClampedArray(tiff.rgba.buffer as ArrayBuffer, tiff.rgba.byteOffset, tiff.rgba.byteLength),
						tiff.width,
						tiff.height
					)
				)
			: await createImageBitmap(new Blob([bytes.slice().buffer]), { imageOrientation: 'from-image' });
		return { bitmap, count: pages.count };
	}
});
