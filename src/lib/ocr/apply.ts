/** OCR results folded into a document's pages, and what the document then says about them. */
import { hasText } from '../ingest/page-text.ts';
import type { ExtractedPage, OcrSummary } from '../ingest/types.ts';
import type { OcrPage } from './layout.ts';

/** Pages whose mean word confidence is below this are flagged "check this page". */
export const OCR_CONFIDENCE_FLOOR = 70;

/**
 * Replaces each read page's empty text with its OCR text (in place, in `pages` and `pagesWithoutText`);
 * undefined when no page gave text, so a blank scan stays a document without text.
 */
export function applyOcr(
	pages: ExtractedPage[],
	pagesWithoutText: number[],
	read: ReadonlyMap<number, OcrPage | undefined>,
	/** The page number of `pages[0]` (a range of a split file starts later). */
	firstPage = 1
): OcrSummary | undefined {
	const ocrPages: number[] = [];
	const checkPages: number[] = [];
	let lowestConfidence = 100;
	for (const [n, result] of read) {
		if (!result || !hasText(result.text)) continue;
		pages[n - firstPage] = { page: n, text: result.text, ocr: { confidence: result.confidence, words: result.words } };
		ocrPages.push(n);
		lowestConfidence = Math.min(lowestConfidence, result.confidence);
		if (result.confidence < OCR_CONFIDENCE_FLOOR) checkPages.push(n);
	}
	if (ocrPages.length === 0) return undefined;
	const readPages = new Set(ocrPages);
	const still = pagesWithoutText.filter((n) => !readPages.has(n));
	pagesWithoutText.splice(0, pagesWithoutText.length, ...still);
	return { pages: ocrPages.sort((a, b) => a - b), lowestConfidence, checkPages: checkPages.sort((a, b) => a - b) };
}

/** One summary for a file read in ranges. */
export function joinOcrSummaries(parts: readonly (OcrSummary | undefined)[]): OcrSummary | undefined {
	const present = parts.filter((p): p is OcrSummary => p !== undefined);
	if (present.length === 0) return undefined;
	return {
		pages: present.flatMap((p) => p.pages).sort((a, b) => a - b),
		lowestConfidence: Math.min(...present.map((p) => p.lowestConfidence)),
		checkPages: present.flatMap((p) => p.checkPages).sort((a, b) => a - b)
	};
}
