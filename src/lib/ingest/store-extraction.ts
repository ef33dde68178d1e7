import type { DocketDatabase } from '../db/database.ts';
import { documentTables, replaceDocumentText, saveDocument } from '../db/documents.ts';
import { linkFamily, storeChildren } from '../db/family.ts';
import type { FileStore } from '../db/file-store.ts';
import { write } from '../db/writes.ts';
import type { ChunkRow, DocumentKind, DocumentRow, DocumentStatus, PageRow } from '../db/schema.ts';
import { MissingRecordError } from '../errors.ts';
import type { NeedsOcr, OcrMode } from '../ocr/job.ts';
import { sanitizeText } from '../sync/safe-json.ts';
import { chunkPages, type ChunkOptions } from './chunker.ts';
import { locationFields } from './location.ts';
import { pageNameFields } from './page-label.ts';
import {
	hasPages,
	type Extraction,
	type ExtractionInput,
	type ExtractionOptions,
	type ExtractionStatus,
	type Extractor,
	type NeedsPasswordExtraction
} from './types.ts';

/** Where one extraction's results go. */
export interface StoreTarget {
	documentId: string;
	caseId: string;
	/** Hand the document on to embedding: it ends `embedding` and an `embed` job is queued with its chunks. */
	embed: boolean;
	chunk?: ChunkOptions;
	/** Where the page keeps originals, so a worker storing a message's attachments uses the same store. */
	fileStore?: FileStore['kind'];
	/** Where OCR fits in (`ocr/job.ts`); absent: no OCR. */
	ocr?: OcrMode;
}

/**
 * An extraction whose text was chunked and stored where it ran (the browser's extraction worker), so the
 * page receives only this: the outcome and the document row as committed, never the text.
 */
export interface StoredExtraction {
	status: 'stored';
	extractionStatus: ExtractionStatus;
	document: DocumentRow;
}

/** What an ingest job gets from its extract step: the extraction itself, or what was stored of it. */
export type ExtractionOutcome = Extraction | StoredExtraction;

/** An extractor that can also store what it extracts, in its own connection to the database (a worker). */
export interface StoringExtractor extends Extractor {
	extractAndStore(
		input: ExtractionInput,
		dbName: string,
		target: StoreTarget,
		options?: ExtractionOptions
	): Promise<NeedsPasswordExtraction | StoredExtraction | NeedsOcr>;
}

export function storesItself(extractor: Extractor): extractor is StoringExtractor {
	return 'extractAndStore' in extractor && typeof extractor.extractAndStore === 'function';
}

function kindOf(extraction: Extraction): DocumentKind {
	return extraction.status === 'unsupported' ? 'unknown' : extraction.kind;
}

/**
 * Chunks an extraction and commits its pages, chunks, outbox entries and the document's final status in
 * one transaction (and, when embedding, the `embed` job), replacing what an earlier attempt stored. The
 * repository functions publish the change events once it commits. The same code runs in the extraction
 * worker (browser, which publishes over the BroadcastChannel) and in-process (Node, tests).
 */
export async function storeExtraction(
	db: DocketDatabase,
	target: StoreTarget,
	extracted: Extraction,
	signal?: AbortSignal,
	/** Needed when the extraction found files inside (attachments, a mailbox's messages). */
	files?: FileStore
): Promise<DocumentRow> {
	const { documentId, caseId } = target;
	// U+0000 and lone surrogates (text files past sniff.ts's first 64 KiB, UTF-16 files) cannot be stored by
	// the team server; replaced one unit for one, so chunk offsets still point at the same characters.
	const extraction = hasPages(extracted)
		? {
				...extracted,
				pages: extracted.pages.map((p) => ({
					...p,
					text: sanitizeText(p.text),
					...(p.clean === undefined ? {} : { clean: sanitizeText(p.clean) }),
					...(p.continuation === undefined ? {} : { continuation: sanitizeText(p.continuation) })
				}))
			}
		: extracted;
	const chunks = hasPages(extraction) ? chunkPages(extraction.pages, target.chunk) : [];
	signal?.throwIfAborted();
	const embed = target.embed && extraction.status === 'indexed' && chunks.length > 0;
	const family = hasPages(extraction) ? extraction.family : undefined;
	if (family?.children?.length && !files) throw new MissingRecordError('A file store for the attachments');
	const parent = family?.children?.length ? await db.documents.get(documentId) : undefined;
	const prepared =
		parent && files
			? await storeChildren(db, files, parent, family)
			: { stored: [], skipped: new Map<string, string>() };
	signal?.throwIfAborted();
	return write(db, [...documentTables(db), db.jobs], async (w) => {
		const current = await db.documents.get(documentId);
		if (!current) throw new MissingRecordError('The document');
		const pages: PageRow[] = hasPages(extraction)
			? extraction.pages.map((p) => ({
					documentId,
					page: p.page,
					caseId,
					text: p.text,
					...pageNameFields(p),
					...(p.furniture ? { furniture: p.furniture } : {}),
					...(p.paragraphs ? { paragraphs: p.paragraphs, headerEnd: p.headerEnd ?? 0 } : {}),
					...(p.ocr ? { ocr: p.ocr } : {})
				}))
			: [];
		const rows: ChunkRow[] = chunks.map((c) => ({
			id: crypto.randomUUID(),
			caseId,
			documentId,
			ordinal: c.ordinal,
			page: c.page,
			start: c.start,
			end: c.end,
			text: c.text,
			...(c.shifts ? { shifts: c.shifts } : {}),
			...pageNameFields(c),
			...locationFields(c),
			rev: 0
		}));
		await replaceDocumentText(db, { caseId, documentId }, pages, rows);

		const status: DocumentStatus = embed ? 'embedding' : extraction.status;
		const next: DocumentRow = { ...current, status, kind: kindOf(extraction), updatedAt: Date.now() };
		delete next.error;
		delete next.pages;
		delete next.pagesWithoutText;
		delete next.ocr;
		delete next.ocrSkipped;
		if ('error' in extraction) next.error = extraction.error;
		if (hasPages(extraction)) {
			next.pages = extraction.pageCount;
			next.pagesWithoutText = extraction.pagesWithoutText;
			if (extraction.ocr) next.ocr = extraction.ocr;
			if (extraction.ocrSkipped) next.ocrSkipped = extraction.ocrSkipped;
		}
		if (family) await linkFamily(w, next, family, prepared);
		await saveDocument(db, next, current.rev);
		if (embed) {
			const now = Date.now();
			await db.jobs.add({
				id: crypto.randomUUID(),
				kind: 'embed',
				caseId,
				documentId,
				state: 'queued',
				progress: 0,
				attempts: 0,
				createdAt: now,
				updatedAt: now
			});
		}
		return next;
	});
}
