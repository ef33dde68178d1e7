/**
 * OCR as part of an ingest job. A job first asks its extraction worker for the text layer only (`later`):
 * a file with nothing to read by OCR is stored at once, and one that needs OCR comes back `needs-ocr`,
 * unstored. The job then waits its turn for the OCR worker (text PDFs go first) and asks again with `now`,
 * where pages are read, stored one by one as they are read, and the document stored at the end.
 */
import { hasPages, type Extraction, type IndexedExtraction, type NoTextExtraction } from '../ingest/types.ts';

export type OcrMode = 'later' | 'now';

/** A file that needs OCR, not stored yet: `pages` may need reading (those without a text layer). */
export interface NeedsOcr {
	status: 'needs-ocr';
	pages: number;
}

/**
 * Whether OCR may find text the text layer lacks: an image, or a PDF with readable pages without text or
 * with images that may hold text (`imageRegions`).
 */
export function wantsOcr(extraction: Extraction): extraction is IndexedExtraction | NoTextExtraction {
	if (!hasPages(extraction)) return false;
	if (extraction.kind === 'image') return true;
	return extraction.kind === 'pdf' && ocrPageCount(extraction) > 0;
}

/** The pages OCR would read: those without text that pdf.js could open, and those with image regions. */
export function ocrPageCount(extraction: IndexedExtraction | NoTextExtraction): number {
	if (extraction.kind === 'image') return extraction.pageCount;
	const blank = extraction.pagesWithoutText.filter((n) => !extraction.pagesWithErrors.includes(n)).length;
	return blank + (extraction.imageRegions?.length ?? 0);
}
