/**
 * Row types of the local database. Dexie is the app's source of truth; every table the product needs
 * exists from version 1 so that later features add indexes, not tables the data predates.
 *
 * Times are milliseconds since the epoch. Ids are UUIDs made on the device, so rows can be created
 * offline and synced later without renumbering.
 */
import type { MessageMeta } from '../ingest/email/types.ts';

/** Server revision of a synced row; 0 until the server has accepted it. */
export type Rev = number;

export interface CaseRow {
	id: string;
	title: string;
	createdAt: number;
	updatedAt: number;
	/** Last time anything happened in the case; the library sorts by it. */
	lastActivityAt: number;
	rev: Rev;
}

export const DOCUMENT_STATUSES = [
	'queued',
	'extracting',
	'embedding',
	'indexed',
	'needs-password',
	'no-text',
	'damaged',
	'unsupported',
	'failed'
] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** What a person sees for each status (DESIGN.md names these). */
export const DOCUMENT_STATUS_LABELS: Record<DocumentStatus, string> = {
	queued: 'Queued',
	extracting: 'Extracting',
	embedding: 'Embedding',
	indexed: 'Indexed',
	'needs-password': 'Needs password',
	'no-text': 'No text layer',
	damaged: 'Damaged',
	unsupported: 'Unsupported',
	failed: 'Failed'
};

export type DocumentKind = 'pdf' | 'text' | 'markdown' | 'image' | 'email' | 'mbox' | 'docx' | 'html' | 'unknown';

export interface DocumentRow {
	id: string;
	caseId: string;
	/** The file's name as the user gave it: display text only, never a path. */
	name: string;
	sha256: string;
	size: number;
	mimeType: string;
	kind: DocumentKind;
	status: DocumentStatus;
	/** Page count once known (text files count as one page). */
	pages?: number;
	/** 1-based pages that yielded no text. */
	pagesWithoutText?: number[];
	/** A plain-words reason for damaged, failed or unsupported documents. */
	error?: string;
	/** The embedding model whose vectors this document has, when it has them. */
	embeddingModelId?: string;
	/** The message or mailbox this document came out of (an attachment, a mailbox's message). */
	parentId?: string;
	/** A message's thread within the case (`db/family.ts`). */
	threadId?: string;
	/** A message's metadata: sender, recipients, date, subject, ids, attachments. */
	email?: MessageMeta;
	/** A mailbox's message count. */
	mailbox?: { messages: number };
	/** Pages read by OCR and how sure the reader was (`Indexed (OCR)`); absent when no page was. */
	ocr?: { pages: number[]; lowestConfidence: number; checkPages: number[]; regionPages?: number[] };
	/** Text pages whose images OCR could not read (its engine failed), and why; their text layer is indexed. */
	ocrSkipped?: { pages: number[]; reason: string };
	createdAt: number;
	updatedAt: number;
	rev: Rev;
}

/** Original bytes, content-addressed. The bytes live in OPFS or in `blobs`. */
export interface FileRow {
	sha256: string;
	size: number;
	mimeType: string;
	store: 'opfs' | 'idb';
	createdAt: number;
}

/** IndexedDB fallback for original bytes where OPFS is missing. */
export interface BlobRow {
	sha256: string;
	blob: Blob;
}

/** Extracted text of one page, kept so snippets and highlights need no second extraction. */
export interface PageRow {
	documentId: string;
	/** 1-based. */
	page: number;
	caseId: string;
	/** The text as pdf.js gives it; every stored range refers to it. */
	text: string;
	/** The printed page label ("2", "xii"); absent for pages stored before labels, or when none is printed. */
	label?: string;
	/** The Bates stamp on the page ("SMITH-000123"). */
	bates?: string;
	/** Ranges of `text` that are running headers, footers or stamps: start, end, start, end, … */
	furniture?: number[];
	/** Documents without pages (email, Word, HTML): end of the header block, and where each paragraph starts. */
	headerEnd?: number;
	paragraphs?: number[];
	/**
	 * A page read by OCR: its words' boxes on the scan (for the viewer's text layer) and the mean
	 * confidence. `from`: where the OCR text starts in `text`, on a page whose text layer came first and
	 * only its images were read (absent: the whole page is OCR text).
	 */
	ocr?: { confidence: number; words: PageWord[]; from?: number };
}

/** One word OCR read (`ocr/layout.ts` OcrWord): its box as fractions of the page, where it sits in `text`. */
export interface PageWord {
	text: string;
	confidence: number;
	box: [number, number, number, number];
	start: number;
	end: number;
}

export interface ChunkRow {
	id: string;
	caseId: string;
	documentId: string;
	/** Position of the chunk within its document, from 0. */
	ordinal: number;
	/** 1-based page the chunk starts on; chunks never cross pages. */
	page: number;
	/** Character range within the page text. */
	start: number;
	end: number;
	/** The reader's text of the passage (`PageChunk.text`): headers out, hyphenated words joined. */
	text: string;
	/** Where `text` and the page text differ (`PageChunk.shifts`); absent when they agree. */
	shifts?: number[];
	/** The page's printed label and Bates stamp, copied here so results, citations and teammates have them. */
	label?: string;
	bates?: string;
	/** Documents without pages: the passage is the header block, or starts (and ends) in these paragraphs. */
	block?: 'headers';
	paragraph?: number;
	paragraphEnd?: number;
	rev: Rev;
}

export interface VectorRow {
	/** `${chunkId}:${modelId}`, so one chunk can hold vectors of several models without mixing them. */
	id: string;
	chunkId: string;
	caseId: string;
	documentId: string;
	modelId: string;
	dim: number;
	/** Unit length. */
	vector: Float32Array;
}

export type JobKind = 'ingest' | 'embed';
export type JobState =
	'queued' | 'reading' | 'extracting' | 'chunking' | 'embedding' | 'waiting-password' | 'done' | 'failed' | 'cancelled';

/** A unit of background work, persisted so a reload resumes it. */
export interface JobRow {
	id: string;
	kind: JobKind;
	caseId: string;
	documentId: string;
	state: JobState;
	/** 0..1 */
	progress: number;
	attempts: number;
	error?: string;
	createdAt: number;
	updatedAt: number;
}

export interface ThreadRow {
	id: string;
	caseId: string;
	title: string;
	createdAt: number;
	updatedAt: number;
	rev: Rev;
}

export interface CitationRef {
	/** The [n] of the answer. */
	n: number;
	chunkId: string;
	documentId: string;
	page: number;
	/** The page's printed label and Bates stamp when cited (absent in answers saved before labels). */
	label?: string;
	bates?: string;
	/** Email, Word and HTML: the cited header block or paragraphs. */
	block?: 'headers';
	paragraph?: number;
	paragraphEnd?: number;
	start: number;
	end: number;
}

export interface MessageRow {
	id: string;
	threadId: string;
	caseId: string;
	role: 'user' | 'assistant';
	content: string;
	citations: CitationRef[];
	status: 'streaming' | 'done' | 'cancelled' | 'failed';
	modelId?: string;
	createdAt: number;
	rev: Rev;
}

export interface SummaryRow {
	/** `doc:${documentId}` or `case:${caseId}`. */
	id: string;
	caseId: string;
	documentId?: string;
	modelId: string;
	text: string;
	createdAt: number;
}

export interface ReportRow {
	id: string;
	caseId: string;
	title: string;
	/** Ordered sections, each Markdown with citations already resolved. */
	sections: { kind: 'summary' | 'passage' | 'answer' | 'chronology' | 'note'; title: string; body: string }[];
	/** Quotations checked against their cited passages (quotes/quotations.ts), when the report has any. */
	quotations?: { verified: number; flagged: number };
	createdAt: number;
	updatedAt: number;
}

export interface TensorRow {
	id: string;
	caseId: string;
	name: string;
	/** The `.npy` bytes live in the file store under this hash. */
	sha256: string;
	shape: number[];
	dtype: 'float32' | 'float64';
	/** For a resampled tensor: where it came from and how. */
	sourceId?: string;
	params?: Record<string, unknown>;
	createdAt: number;
}

export type ActivityKind = 'search' | 'open-page' | 'question' | 'ingest' | 'export' | 'case';

export interface ActivityRow {
	id?: number;
	caseId: string;
	kind: ActivityKind;
	at: number;
	/** What happened, in words a person reads in the Activity tab. */
	summary: string;
	detail?: Record<string, string | number>;
}

export type SyncedTable = 'cases' | 'documents' | 'chunks' | 'threads' | 'messages' | 'eventEdits' | 'ocrLayers';

/** A local change waiting to be pushed, written in the same transaction as the change itself. */
export interface OutboxRow {
	seq?: number;
	mutationId: string;
	table: SyncedTable;
	rowId: string;
	caseId: string;
	op: 'put' | 'delete';
	/** The server revision the change was made against. */
	baseRev: Rev;
	fields: Record<string, unknown>;
	createdAt: number;
}

/** A change the server refused because someone else changed the same row: shown to the user, never dropped. */
export interface ConflictRow {
	id: string;
	table: SyncedTable;
	rowId: string;
	caseId: string;
	local: Record<string, unknown>;
	server: Record<string, unknown>;
	createdAt: number;
}

/** tus upload URLs by fingerprint, so uploads resume after a reload. */
export interface UploadRow {
	/** The key tus-js-client hands its url storage. */
	key: string;
	fingerprint: string;
	upload: { size: number | null; metadata: Record<string, string>; creationTime: string; uploadUrl?: string };
}

/** A persisted full-text index of one case. */
export interface SearchIndexRow {
	caseId: string;
	/** The serialised index. */
	data: string;
	/** Document ids the index covers. */
	documentIds: string[];
	updatedAt: number;
}

export interface KeyValueRow {
	key: string;
	value: unknown;
}

/**
 * A dated event of the case's chronology, derived from a document's chunks (timeline/dates.ts) by the
 * chronology worker. Local: each device derives the same rows from the same synced chunks; what people
 * change about an event lives in `eventEdits`, which syncs and survives every rebuild.
 */
export interface EventRow {
	/** A UUID made from the document, page and character range, so a rebuild (or a teammate) names it alike. */
	id: string;
	caseId: string;
	documentId: string;
	page: number;
	/** The page's printed label and Bates stamp, from the chunk. */
	label?: string;
	bates?: string;
	/** ISO date at its precision ("2024-03-03", "2024-03", "2024"), and the last date of a range. */
	date: string;
	endDate?: string;
	precision: 'day' | 'month' | 'year';
	sentence: string;
	people: string[];
	/** Companies, firms and public bodies the sentence names (absent on rows derived before they were told apart). */
	organisations?: string[];
	inferred: boolean;
	approximate: boolean;
	phrase: string;
	/** Character range of the date phrase in the page text. */
	start: number;
	end: number;
}

/** A person's changes to one event, keyed by the event's id: synced, and kept however often events are rebuilt. */
/**
 * The words OCR read on one page, as they travel to teammates: page rows stay on the device that read
 * the file, so without this a teammate's viewer had no text layer over a scan. Written with the page
 * rows (`ocr-layers.ts`), replaced when the document is read again, deleted with it.
 */
export interface OcrLayerRow {
	id: string;
	caseId: string;
	documentId: string;
	/** 1-based. */
	page: number;
	/** The page text the words' offsets refer to. */
	text: string;
	confidence: number;
	/** Where the OCR text starts in `text` (a text layer first, its images read after it). */
	from?: number;
	/** Each word as `[text, confidence, x0, y0, x1, y1, start, end]`: a fifth of `PageWord`'s JSON. */
	words: [string, number, number, number, number, number, number, number][];
	rev: Rev;
}

export interface EventEditRow {
	id: string;
	caseId: string;
	/** The event is false (a reference read as a date, say) and is left out of the chronology. */
	dropped?: boolean;
	/** The corrected date (ISO "YYYY-MM-DD", "YYYY-MM" or "YYYY"); empty for none. */
	date?: string;
	note?: string;
	updatedAt: number;
	rev: Rev;
}

/**
 * What the chronology worker derived from one document: the MinHash signature of its text for
 * near-duplicate groups, and the stamp of the chunks and date order its events were read with.
 */
export interface DocumentDigestRow {
	documentId: string;
	caseId: string;
	/** The document's chunk ids and the date order, joined: a different stamp means derive again. */
	stamp: string;
	/** Absent for a document without words. */
	signature?: Uint32Array;
	events: number;
	updatedAt: number;
}
