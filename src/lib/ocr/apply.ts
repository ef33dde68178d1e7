/** OCR results folded into a document's pages, and what the document then says about them. */
import { hasText } from '../ingest/page-text.ts';
import type { ExtractedPage, OcrSummary } from '../ingest/types.ts';
import type { Box } from './image-regions.ts';
import { keepWords, type OcrPage, type OcrWord } from './layout.ts';

/** Pages whose mean word confidence is below this are flagged "check this page". */
export const OCR_CONFIDENCE_FLOOR = 70;

/**
 * An image region reads as text only when tesseract is fairly sure of it overall and sure of some real
 * words in it. A photograph, a chart or a logo otherwise yields what tesseract makes of shapes ("0+ Ar
 * SS" at 68%), and indexing those would put false words in the case and its "did you mean" vocabulary.
 */
export const REGION_MIN_CONFIDENCE = 60;
/** …with at least one word of three or more letters or digits read at `SURE_WORD` or better (a label). */
const REGION_SURE_WORDS = 1;
const SURE_WORD = 80;

const isSureWord = (word: OcrWord) =>
	word.confidence >= SURE_WORD && (word.text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) >= 3;

const centreIn = (word: OcrWord, [x0, y0, x1, y1]: Box) => {
	const [cx, cy] = [(word.box[0] + word.box[2]) / 2, (word.box[1] + word.box[3]) / 2];
	return cx >= x0 && cx <= x1 && cy >= y0 && cy <= y1;
};

/** The words of a region read that lie in regions that read as text (`REGION_MIN_CONFIDENCE`). */
export function textOfRegions(read: OcrPage, regions: readonly Box[]): OcrPage {
	const textual = regions.filter((box) => {
		const inside = read.words.filter((w) => centreIn(w, box));
		if (inside.filter(isSureWord).length < REGION_SURE_WORDS) return false;
		return inside.reduce((sum, w) => sum + w.confidence, 0) / inside.length >= REGION_MIN_CONFIDENCE;
	});
	return keepWords(read, (word) => textual.some((box) => centreIn(word, box)));
}

/** Share of a region's words (of three letters or more) found in the page's text layer above which it was read before. */
export const ALREADY_READ_SHARE = 0.6;

function alreadyInLayer(read: OcrPage, layer: string): boolean {
	const wordsOf = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [];
	const known = new Set(wordsOf(layer));
	const read3 = wordsOf(read.text);
	return read3.length > 0 && read3.filter((w) => known.has(w)).length / read3.length >= ALREADY_READ_SHARE;
}

/**
 * Replaces each read page's empty text with its OCR text (in place, in `pages` and `pagesWithoutText`);
 * undefined when no page gave text, so a blank scan stays a document without text. A page of `regions`
 * keeps its text layer, and the text of its images follows it as a paragraph of its own (`ocr.from`).
 */
export function applyOcr(
	pages: ExtractedPage[],
	pagesWithoutText: number[],
	read: ReadonlyMap<number, OcrPage | undefined>,
	/** The page number of `pages[0]` (a range of a split file starts later). */
	firstPage = 1,
	regions: ReadonlyMap<number, readonly Box[]> = new Map()
): OcrSummary | undefined {
	const ocrPages: number[] = [];
	const regionPages: number[] = [];
	const checkPages: number[] = [];
	let lowestConfidence = 100;
	for (const [n, raw] of read) {
		const boxes = regions.get(n);
		const result = raw && boxes ? textOfRegions(raw, boxes) : raw;
		if (!result || !hasText(result.text)) continue;
		const layer = pages[n - firstPage]?.text ?? '';
		// A scan that came with its own invisible OCR text, too short to cover much of the image (a
		// two-line cover letter): its words are already the page's, and reading them again doubled them.
		if (boxes && hasText(layer) && alreadyInLayer(result, layer)) continue;
		if (boxes && hasText(layer)) {
			const joined = `${layer.replace(/\s+$/, '')}\n\n`;
			const from = joined.length;
			const words = result.words.map((w) => ({ ...w, start: w.start + from, end: w.end + from }));
			pages[n - firstPage] = {
				page: n,
				text: joined + result.text,
				ocr: { confidence: result.confidence, words, from }
			};
			regionPages.push(n);
		} else
			pages[n - firstPage] = {
				page: n,
				text: result.text,
				ocr: { confidence: result.confidence, words: result.words }
			};
		ocrPages.push(n);
		lowestConfidence = Math.min(lowestConfidence, result.confidence);
		if (result.confidence < OCR_CONFIDENCE_FLOOR) checkPages.push(n);
	}
	if (ocrPages.length === 0) return undefined;
	const readPages = new Set(ocrPages);
	const still = pagesWithoutText.filter((n) => !readPages.has(n));
	pagesWithoutText.splice(0, pagesWithoutText.length, ...still);
	return {
		pages: ocrPages.sort((a, b) => a - b),
		lowestConfidence,
		checkPages: checkPages.sort((a, b) => a - b),
		...(regionPages.length > 0 ? { regionPages: regionPages.sort((a, b) => a - b) } : {})
	};
}

/** One summary for a file read in ranges. */
export function joinOcrSummaries(parts: readonly (OcrSummary | undefined)[]): OcrSummary | undefined {
	const present = parts.filter((p): p is OcrSummary => p !== undefined);
	if (present.length === 0) return undefined;
	return {
		pages: present.flatMap((p) => p.pages).sort((a, b) => a - b),
		lowestConfidence: Math.min(...present.map((p) => p.lowestConfidence)),
		checkPages: present.flatMap((p) => p.checkPages).sort((a, b) => a - b),
		...(present.some((p) => p.regionPages)
			? { regionPages: present.flatMap((p) => p.regionPages ?? []).sort((a, b) => a - b) }
			: {})
	};
}
