/** What the documents list and the viewer say about OCR: the status, the summary and the pages to check. */
import { DOCUMENT_STATUS_LABELS, type DocumentRow } from '../../db/schema.ts';
import type { JobProgress } from '../../ingest/ingest-runner.ts';
import { OCR_CONFIDENCE_FLOOR } from '../../ocr/apply.ts';
import { pageRanges } from './ingest.svelte.ts';

/** `Indexed (OCR)` for a document whose text was (partly) read by OCR; the plain status otherwise. */
export function statusLabel(doc: Pick<DocumentRow, 'status' | 'ocr'>): string {
	return doc.status === 'indexed' && doc.ocr ? 'Indexed (OCR)' : DOCUMENT_STATUS_LABELS[doc.status];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * "3 pages read by OCR, lowest page confidence 87%."; on pages with a text layer only the images were
 * read: "Images on 2 pages read by OCR, …", "3 pages and the images on 2 other pages read by OCR, …".
 */
export function ocrSummary(doc: Pick<DocumentRow, 'ocr' | 'pages'>): string | undefined {
	if (!doc.ocr) return undefined;
	const { pages, lowestConfidence } = doc.ocr;
	const regions = new Set(doc.ocr.regionPages ?? []);
	const whole = pages.filter((n) => !regions.has(n)).length;
	const all = doc.pages !== undefined && whole === doc.pages && doc.pages > 1;
	const wholePart = all ? `All ${whole} pages` : plural(whole, 'page');
	const read =
		regions.size === 0
			? wholePart
			: whole === 0
				? `Images on ${plural(regions.size, 'page')}`
				: `${wholePart} and the images on ${plural(regions.size, 'other page')}`;
	return `${read} read by OCR, lowest page confidence ${Math.round(lowestConfidence)}%.`;
}

/** "Check pages 2, 5–6 against the scan: OCR was unsure of them (under 70%)." */
export function checkPagesNote(doc: Pick<DocumentRow, 'ocr'>): string | undefined {
	const pages = doc.ocr?.checkPages ?? [];
	if (pages.length === 0) return undefined;
	return `Check ${pages.length === 1 ? 'page' : 'pages'} ${pageRanges(pages)} against the scan: OCR was unsure of ${pages.length === 1 ? 'it' : 'them'} (under ${OCR_CONFIDENCE_FLOOR}% confidence).`;
}

/** "OCR could not read page 3 (…): its text layer is indexed, but what its images say is not in search." */
export function ocrSkippedNote(doc: Pick<DocumentRow, 'ocrSkipped'>): string | undefined {
	const skipped = doc.ocrSkipped;
	if (!skipped || skipped.pages.length === 0) return undefined;
	const pages = `${skipped.pages.length === 1 ? 'page' : 'pages'} ${pageRanges(skipped.pages)}`;
	return `OCR could not read ${pages} (${skipped.reason.replace(/\.$/, '')}): the text layer is indexed, but what the images there say is not in search.`;
}

/** The viewer's flag for one page read by OCR under the confidence floor. */
export function pageCheckNote(confidence: number | undefined): string | undefined {
	if (confidence === undefined || confidence >= OCR_CONFIDENCE_FLOOR) return undefined;
	return `OCR read this page with ${Math.round(confidence)}% confidence: check this page against the scan before relying on its text.`;
}

/** A job's progress line: "OCR page 12 of 40", "Waiting to read the scan", or pages of the text layer. */
export function progressLine(job: Pick<JobProgress, 'scan' | 'ocr' | 'pagesDone' | 'pageCount'>): string {
	if (job.scan === 'waiting') return 'Waiting to read the scan (text files first)';
	if (job.scan === 'reading')
		return job.ocr && job.ocr.total > 0
			? `OCR page ${Math.min(job.ocr.done + 1, job.ocr.total)} of ${job.ocr.total}`
			: 'Starting OCR';
	return `${job.pagesDone} of ${job.pageCount || '…'} pages`;
}
