/** Pages drawn for OCR in Node, on @napi-rs/canvas (Skia, prebuilt; pdf.js's own choice of canvas in Node). */
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { ImageDecodeError } from '../errors.ts';
import { greyPgm } from './pgm.ts';
import { clipTo, type ImageDecoder, type PageRenderer } from './read-pages.ts';

/** Skia applies a JPEG's EXIF orientation as it decodes, as image viewers do. */
export const decodeImageNode: ImageDecoder = async (bytes) => {
	let image: Awaited<ReturnType<typeof loadImage>>;
	try {
		image = await loadImage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
	} catch (error) {
		throw new ImageDecodeError(
			`The image does not decode (${error instanceof Error ? error.message : String(error)}).`
		);
	}
	const canvas = createCanvas(image.width, image.height);
	const context = canvas.getContext('2d');
	context.fillStyle = '#fff';
	context.fillRect(0, 0, canvas.width, canvas.height);
	context.drawImage(image, 0, 0);
	const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
	return { bytes: greyPgm(data, canvas.width, canvas.height), width: canvas.width, height: canvas.height };
};

export const renderPageNode: PageRenderer = async (page, scale, keep) => {
	const viewport = page.getViewport({ scale });
	const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
	const context = canvas.getContext('2d');
	context.fillStyle = '#fff';
	context.fillRect(0, 0, canvas.width, canvas.height);
	if (keep) clipTo(context, keep, canvas.width, canvas.height);
	await page.render({ canvasContext: context, viewport, canvas } as never).promise;
	const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
	return { bytes: greyPgm(data, canvas.width, canvas.height), width: canvas.width, height: canvas.height };
};
