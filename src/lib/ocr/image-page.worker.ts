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
		const image = await pages.page(Math.min(Math.max(1, page), pages.count));
		// PNG and JPEG come back as the very bytes sent: copy them so the result can move on its own.
		return { ...image, bytes: image.bytes === bytes ? bytes.slice() : image.bytes, count: pages.count };
	}
});
