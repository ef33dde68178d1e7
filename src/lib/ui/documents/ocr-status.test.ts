import { describe, expect, it } from 'vitest';
import { checkPagesNote, ocrSkippedNote, ocrSummary, pageCheckNote, progressLine, statusLabel } from './ocr-status.ts';

describe('OCR in the documents list', () => {
	const ocr = { pages: [1, 2, 3], lowestConfidence: 62.4, checkPages: [2, 3] };

	it('says Indexed (OCR) only for indexed documents read by OCR; blank scans keep No text layer', () => {
		expect(statusLabel({ status: 'indexed', ocr })).toBe('Indexed (OCR)');
		expect(statusLabel({ status: 'indexed' })).toBe('Indexed');
		expect(statusLabel({ status: 'no-text' })).toBe('No text layer');
		expect(statusLabel({ status: 'embedding', ocr })).toBe('Embedding');
	});

	it('states the pages read by OCR, the lowest confidence, and the pages to check', () => {
		expect(ocrSummary({ ocr, pages: 3 })).toBe('All 3 pages read by OCR, lowest page confidence 62%.');
		expect(ocrSummary({ ocr: { ...ocr, pages: [4] }, pages: 9 })).toBe(
			'1 page read by OCR, lowest page confidence 62%.'
		);
		expect(ocrSummary({ pages: 3 })).toBeUndefined();
		// Pages with a text layer whose images alone were read are named apart.
		expect(ocrSummary({ ocr: { ...ocr, regionPages: [2, 3] }, pages: 3 })).toBe(
			'1 page and the images on 2 other pages read by OCR, lowest page confidence 62%.'
		);
		expect(ocrSummary({ ocr: { ...ocr, pages: [5], regionPages: [5] }, pages: 9 })).toBe(
			'Images on 1 page read by OCR, lowest page confidence 62%.'
		);
		expect(checkPagesNote({ ocr })).toBe(
			'Check pages 2–3 against the scan: OCR was unsure of them (under 70% confidence).'
		);
		expect(checkPagesNote({ ocr: { ...ocr, checkPages: [] } })).toBeUndefined();
		expect(pageCheckNote(55)).toMatch(/55% confidence: check this page/);
		expect(pageCheckNote(90)).toBeUndefined();
		expect(pageCheckNote(undefined)).toBeUndefined();
		expect(
			ocrSkippedNote({
				ocrSkipped: { pages: [3, 5, 6], reason: 'The text recogniser (OCR) could not start: no wasm.' }
			})
		).toBe(
			'OCR could not read pages 3, 5–6 (The text recogniser (OCR) could not start: no wasm): the text layer is indexed, but what the images there say is not in search.'
		);
		expect(ocrSkippedNote({})).toBeUndefined();
	});

	it('shows OCR progress page by page, and a scan waiting its turn', () => {
		expect(progressLine({ scan: 'reading', ocr: { done: 11, total: 40 }, pagesDone: 40, pageCount: 40 })).toBe(
			'OCR page 12 of 40'
		);
		expect(progressLine({ scan: 'reading', ocr: { done: 40, total: 40 }, pagesDone: 40, pageCount: 40 })).toBe(
			'OCR page 40 of 40'
		);
		expect(progressLine({ scan: 'waiting', ocr: undefined, pagesDone: 3, pageCount: 3 })).toMatch(/Waiting/);
		expect(progressLine({ scan: undefined, ocr: undefined, pagesDone: 3, pageCount: 9 })).toBe('3 of 9 pages');
	});
});
