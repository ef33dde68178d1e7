/// <reference types="vite/client" />
/** Pages of image documents in the viewer: decoded in a worker, drawn on the page's canvas. */
import { imagePageProtocol, type ImagePageCalls } from '../../ocr/image-page.protocol.ts';
import { Client, workerEndpoint } from '../../worker/transport.ts';

let client: Client<ImagePageCalls> | undefined;

/** The image page as a bitmap, decoded in the image-page worker. */
export async function imagePageBitmap(bytes: Uint8Array, page: number): Promise<ImageBitmap> {
	client ??= new Client(imagePageProtocol, () =>
		workerEndpoint<ImagePageCalls>(
			new Worker(new URL('../../ocr/image-page.worker.ts', import.meta.url), {
				type: 'module',
				name: 'docket-image-page'
			})
		)
	);
	const { bitmap } = await client.call('page', { bytes: bytes.slice(), page });
	return bitmap;
}

/** CSS pixels per image pixel at 100%: a 300 dpi scan then shows at about its printed size. */
export const IMAGE_BASE_SCALE = 96 / 300;

export function drawImagePage(
	bitmap: ImageBitmap,
	canvas: HTMLCanvasElement,
	scale: number
): { width: number; height: number } {
	const width = Math.floor(bitmap.width * IMAGE_BASE_SCALE * scale);
	const height = Math.floor(bitmap.height * IMAGE_BASE_SCALE * scale);
	const ratio = window.devicePixelRatio || 1;
	canvas.width = Math.floor(width * ratio);
	canvas.height = Math.floor(height * ratio);
	canvas.style.width = `${width}px`;
	canvas.style.height = `${height}px`;
	const context = canvas.getContext('2d');
	if (!context) throw new Error('This browser cannot draw the page (no canvas 2D).');
	context.fillStyle = '#fff';
	context.fillRect(0, 0, canvas.width, canvas.height);
	context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
	return { width, height };
}
