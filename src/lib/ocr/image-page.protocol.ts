/**
 * The image-page worker's protocol: one page of an image document as a bitmap for the viewer, decoded in
 * the worker (a TIFF page by UTIF, a PNG or JPEG by createImageBitmap), so no page is decoded on the main
 * thread. The bitmap moves to the caller, uncopied.
 */
import { defineProtocol, wholeBuffer } from '../worker/transport.ts';

export type ImagePageCalls = {
	page: { params: { bytes: Uint8Array; page: number }; result: { bitmap: ImageBitmap; count: number } };
};

export const imagePageProtocol = defineProtocol<ImagePageCalls>({
	worker: 'image',
	defaultTimeoutMs: 60_000,
	transfer: { page: { params: (p) => wholeBuffer(p.bytes), result: (r) => [r.bitmap] } }
});
