/**
 * The image-page worker's protocol: one page of an image document (a TIFF page decoded, a PNG or JPEG as
 * it is) for the viewer, so a large TIFF page is never decoded on the main thread.
 */
import { defineProtocol, wholeBuffer } from '../worker/transport.ts';
import type { OcrImage } from './engine.ts';

export type ImagePageCalls = {
	page: { params: { bytes: Uint8Array; page: number }; result: OcrImage & { count: number } };
};

export const imagePageProtocol = defineProtocol<ImagePageCalls>({
	worker: 'image',
	defaultTimeoutMs: 60_000,
	transfer: {
		page: { params: (p) => wholeBuffer(p.bytes), result: (r) => wholeBuffer(r.bytes) }
	}
});
