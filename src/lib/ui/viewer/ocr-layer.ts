/**
 * The text layer of a page read by OCR: each word an invisible, selectable box exactly where tesseract
 * found it on the scan (boxes are fractions of the page, so any zoom fits), with the cited passage shaded
 * and the searched words marked in place, as pdf.js's layer does for text PDFs.
 */
import type { PageWord } from '../../db/schema.ts';
import { highlightRanges } from '../../search/hybrid.ts';
import type { ParsedQuery } from '../../search/terms.ts';

export interface PlacedWord {
	word: PageWord;
	/** CSS pixels within the page. */
	left: number;
	top: number;
	width: number;
	height: number;
	passage: boolean;
	match: boolean;
}

/** Where each word goes on a page drawn `width` × `height`, and whether it is in the passage or matched. */
export function placeWords(
	text: string,
	words: readonly PageWord[],
	size: { width: number; height: number },
	passage: { start: number; end: number } | undefined,
	query: ParsedQuery | undefined
): PlacedWord[] {
	const matches = query
		? highlightRanges(text, query).filter(([s, e]) => !passage || (s < passage.end && e > passage.start))
		: [];
	return words.map((word) => {
		const [x0, y0, x1, y1] = word.box;
		return {
			word,
			left: x0 * size.width,
			top: y0 * size.height,
			width: Math.max(1, (x1 - x0) * size.width),
			height: Math.max(1, (y1 - y0) * size.height),
			passage: passage !== undefined && word.start < passage.end && word.end > passage.start,
			match: matches.some(([s, e]) => word.start < e && word.end > s)
		};
	});
}

/** Draws the words into `container` (after what is there); returns the first marked word, to scroll to. */
export function drawOcrLayer(container: HTMLElement, placed: readonly PlacedWord[]): HTMLElement | undefined {
	let first: HTMLElement | undefined;
	const fragment = document.createDocumentFragment();
	for (const p of placed) {
		const element = document.createElement(p.match ? 'mark' : 'span');
		element.className = `ocr-word${p.match ? ' match' : ''}${p.passage ? ' highlight' : ''}`;
		// The space after each word makes a selection across words copy as text.
		element.textContent = `${p.word.text} `;
		Object.assign(element.style, {
			left: `${p.left}px`,
			top: `${p.top}px`,
			width: `${p.width}px`,
			height: `${p.height}px`,
			fontSize: `${p.height * 0.85}px`,
			lineHeight: `${p.height}px`
		});
		if (!first && (p.match || p.passage)) first = element;
		fragment.append(element);
	}
	container.append(fragment);
	return first;
}
