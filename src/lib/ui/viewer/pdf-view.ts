/// <reference types="vite/client" />
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist';
// Vite resolves `?url` imports of packages (a bare specifier in `new URL(…, import.meta.url)` it does not).
import pdfWorkerUrl from 'pdfjs-dist/build/pdf.worker.mjs?url';
import type { TextContent } from 'pdfjs-dist/types/src/display/api.js';
import { pageTextFromItems } from '../../ingest/page-text.ts';
import { binaryDataFactory } from '../../ingest/pdf-platform.ts';
import { browserPdfPlatform } from '../../ingest/pdf-platform.browser.ts';

/**
 * pdf.js for viewing: the page renders canvases, pdf.js's own module Worker parses (the main thread never
 * parses a PDF), and CMaps/fonts/wasm come from the app's bundled assets as in extraction.
 */
let worker: Worker | undefined;

export async function openPdf(bytes: Uint8Array): Promise<PDFDocumentProxy> {
	const pdfjs = await import('pdfjs-dist');
	worker ??= new Worker(pdfWorkerUrl, { type: 'module', name: 'docket-pdf-viewer' });
	pdfjs.GlobalWorkerOptions.workerPort ??= worker;
	return pdfjs.getDocument({
		data: bytes,
		useWorkerFetch: false,
		BinaryDataFactory: binaryDataFactory(browserPdfPlatform()),
		isEvalSupported: false,
		enableXfa: false
	}).promise;
}

/** Indexes of the text layer's spans that hold characters of `[start, end)` of the page text. */
export function spansInRange(items: TextContent['items'], start: number, end: number): number[] {
	const { itemStarts } = pageTextFromItems(items);
	const out: number[] = [];
	let span = 0;
	items.forEach((item, i) => {
		if (!('str' in item)) return;
		const from = itemStarts[i] ?? 0;
		const to = from + item.str.length;
		if (end > start && from < end && to > start && item.str.length > 0) out.push(span);
		span++;
	});
	return out;
}

export async function renderPage(
	page: PDFPageProxy,
	canvas: HTMLCanvasElement,
	textContainer: HTMLElement,
	scale: number,
	highlight: { start: number; end: number } | undefined
): Promise<HTMLElement | undefined> {
	const { TextLayer } = await import('pdfjs-dist');
	const viewport = page.getViewport({ scale });
	const ratio = window.devicePixelRatio || 1;
	canvas.width = Math.floor(viewport.width * ratio);
	canvas.height = Math.floor(viewport.height * ratio);
	canvas.style.width = `${Math.floor(viewport.width)}px`;
	canvas.style.height = `${Math.floor(viewport.height)}px`;
	await page.render({ canvas, viewport, transform: ratio === 1 ? undefined : [ratio, 0, 0, ratio, 0, 0] }).promise;

	const content = await page.getTextContent();
	textContainer.replaceChildren();
	textContainer.style.setProperty('--scale-factor', String(scale));
	textContainer.style.setProperty('--total-scale-factor', String(scale));
	const layer = new TextLayer({ textContentSource: content, container: textContainer, viewport });
	await layer.render();
	if (!highlight) return undefined;
	const spans = spansInRange(content.items, highlight.start, highlight.end).flatMap((i) =>
		layer.textDivs[i] ? [layer.textDivs[i]] : []
	);
	for (const span of spans) span.classList.add('highlight');
	return spans[0];
}
