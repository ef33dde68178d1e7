/** Pages drawn for OCR in Node, on @napi-rs/canvas (Skia, prebuilt; pdf.js's own choice of canvas in Node). */
import { createCanvas } from '@napi-rs/canvas';
import { greyPgm } from './pgm.ts';
import { clipTo, type PageRenderer } from './read-pages.ts';

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
