/// <reference types="vite/client" />
import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist';
// Vite resolves `?url` imports of packages (a bare specifier in `new URL(…, import.meta.url)` it does not).
import pdfWorkerUrl from 'pdfjs-dist/build/pdf.worker.mjs?url';
import type { TextContent } from 'pdfjs-dist/types/src/display/api.js';
import { pageTextFromItems } from '../../ingest/page-text.ts';
import { highlightRanges } from '../../search/hybrid.ts';
import type { ParsedQuery } from '../../search/terms.ts';
import { binaryDataFactory } from '../../ingest/pdf-platform.ts';
import { browserPdfPlatform } from '../../ingest/pdf-platform.browser.ts';
import { MAX_IMAGE_PIXELS } from '../../ocr/image-format.ts';

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
		maxImageSize: MAX_IMAGE_PIXELS,
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

/** A piece of text to draw: whether it lies in the cited passage, and whether it is a matched word. */
export interface MarkedPiece {
	text: string;
	passage: boolean;
	match: boolean;
}

/**
 * `text` cut at the passage's ends and at each matched word (`matches`, ranges in `text`'s coordinates
 * from `offset` on): what the viewer draws as plain text, the lightly shaded passage and the marked words.
 */
export function markedPieces(
	text: string,
	passage: { start: number; end: number } | undefined,
	matches: readonly [number, number][],
	offset = 0
): MarkedPiece[] {
	const cuts = new Set([0, text.length]);
	const clip = (n: number) => Math.max(0, Math.min(text.length, n - offset));
	if (passage) [passage.start, passage.end].forEach((n) => cuts.add(clip(n)));
	for (const [s, e] of matches) [s, e].forEach((n) => cuts.add(clip(n)));
	const points = [...cuts].sort((a, b) => a - b);
	const pieces: MarkedPiece[] = [];
	for (let i = 0; i + 1 < points.length; i++) {
		const [from, to] = [points[i]!, points[i + 1]!];
		if (to <= from) continue;
		const at = from + offset;
		const piece = {
			text: text.slice(from, to),
			passage: passage !== undefined && at >= passage.start && at < passage.end,
			match: matches.some(([s, e]) => at >= s && at < e)
		};
		const last = pieces.at(-1);
		if (last && last.passage === piece.passage && last.match === piece.match) last.text += piece.text;
		else pieces.push(piece);
	}
	return pieces;
}

/**
 * Redraws text-layer spans with their matched words wrapped in <mark class="match">: for each span (by
 * index) the pieces of its text, computed from the page text's item offsets. Spans without a match are left.
 */
export function matchedSpans(
	items: TextContent['items'],
	matches: readonly [number, number][]
): Map<number, MarkedPiece[]> {
	const { itemStarts } = pageTextFromItems(items);
	const out = new Map<number, MarkedPiece[]>();
	let span = 0;
	items.forEach((item, i) => {
		if (!('str' in item)) return;
		const from = itemStarts[i] ?? 0;
		const to = from + item.str.length;
		const inside = matches.filter(([s, e]) => s < to && e > from);
		if (inside.length > 0) out.set(span, markedPieces(item.str, undefined, inside, from));
		span++;
	});
	return out;
}

export async function renderPage(
	page: PDFPageProxy,
	canvas: HTMLCanvasElement,
	textContainer: HTMLElement,
	scale: number,
	highlight: { start: number; end: number } | undefined,
	query?: ParsedQuery
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
	if (query) {
		// The words that matched, inside the cited passage (or anywhere on the page when none is cited).
		const { text } = pageTextFromItems(content.items);
		const matches = highlightRanges(text, query).filter(
			([s, e]) => !highlight || (s < highlight.end && e > highlight.start)
		);
		for (const [i, pieces] of matchedSpans(content.items, matches)) {
			const div = layer.textDivs[i];
			if (!div) continue;
			div.replaceChildren(
				...pieces.map((p) => {
					if (!p.match) return document.createTextNode(p.text);
					const mark = document.createElement('mark');
					mark.className = 'match';
					mark.textContent = p.text;
					return mark;
				})
			);
		}
	}
	if (!highlight) return undefined;
	const spans = spansInRange(content.items, highlight.start, highlight.end).flatMap((i) =>
		layer.textDivs[i] ? [layer.textDivs[i]] : []
	);
	for (const span of spans) span.classList.add('highlight');
	return spans[0];
}
