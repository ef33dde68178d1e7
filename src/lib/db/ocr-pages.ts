/**
 * Pages read by OCR while a job is still at work. Each page is written as soon as it is read, so a job cut
 * short (a reload, a cancel, a crash) resumes after the last page it read instead of reading it again;
 * the job's store step then replaces these rows with the document's final pages in one transaction.
 * Page rows stay on this device (they do not sync), so nothing here goes to the outbox.
 */
import { Dexie } from 'dexie';
import type { DocketDatabase } from './database.ts';
import type { PageRow } from './schema.ts';
import { write } from './writes.ts';

export interface OcrPageRead {
	text: string;
	confidence: number;
	words: NonNullable<PageRow['ocr']>['words'];
}

/** Stores one page's OCR result; nothing when the document was removed meanwhile (resolves false). */
export async function saveOcrPage(
	db: DocketDatabase,
	target: { documentId: string; caseId: string },
	page: number,
	read: OcrPageRead
): Promise<boolean> {
	return write(db, [db.documents, db.pages], async () => {
		if (!(await db.documents.get(target.documentId))) return false;
		await db.pages.put({
			documentId: target.documentId,
			page,
			caseId: target.caseId,
			text: read.text,
			ocr: { confidence: read.confidence, words: read.words }
		});
		return true;
	});
}

/** The pages of a document already read by OCR (by an earlier run of its job, or its last indexing). */
export async function ocrPagesRead(db: DocketDatabase, documentId: string): Promise<Map<number, OcrPageRead>> {
	const rows = await db.pages
		.where('[documentId+page]')
		.between([documentId, Dexie.minKey], [documentId, Dexie.maxKey])
		.toArray();
	const out = new Map<number, OcrPageRead>();
	for (const row of rows) {
		if (!row.ocr) continue;
		// A stored page whose text layer came first holds the read after it: the read alone is what was read.
		const from = row.ocr.from ?? 0;
		const words =
			from === 0 ? row.ocr.words : row.ocr.words.map((w) => ({ ...w, start: w.start - from, end: w.end - from }));
		out.set(row.page, { text: row.text.slice(from), confidence: row.ocr.confidence, words });
	}
	return out;
}
