/**
 * Repository functions for a case's documents and what hangs off them (pages, chunks, vectors, jobs,
 * summaries). Every write to these tables goes through here (or `vectors.ts`, `cases.ts`, `replica.ts`):
 * each records its outbox entries in the same transaction and emits its domain events (`change-feed.ts`).
 */
import { Dexie } from 'dexie';
import type { RemovedChunk } from './change-feed.ts';
import type { DocketDatabase } from './database.ts';
import { releaseUnreferencedFiles, type FileStore } from './file-store.ts';
import { deleteOcrLayers, replaceOcrLayers } from './ocr-layers.ts';
import type { ChunkRow, DocumentRow, JobRow, PageRow } from './schema.ts';
import { write, type Writes } from './writes.ts';
import { MissingRecordError } from '../errors.ts';

export interface NewDocument {
	caseId: string;
	name: string;
	sha256: string;
	size: number;
	mimeType: string;
	/** The message or mailbox it came out of. */
	parentId?: string;
}

export type CreatedDocument =
	| { duplicate: DocumentRow; document?: undefined; job?: undefined }
	| { duplicate?: undefined; document: DocumentRow; job: JobRow };

/**
 * Adds a document to a case with its `ingest` job, unless the case already holds the same bytes (then
 * that document is returned as the duplicate). The document syncs; the job is this device's.
 */
export async function createDocument(db: DocketDatabase, input: NewDocument): Promise<CreatedDocument> {
	return write(db, [db.documents, db.jobs], async (w) => {
		const existing = await db.documents.where('[caseId+sha256]').equals([input.caseId, input.sha256]).first();
		if (existing) return { duplicate: existing };
		const now = Date.now();
		const document: DocumentRow = {
			id: crypto.randomUUID(),
			...input,
			kind: 'unknown',
			status: 'queued',
			createdAt: now,
			updatedAt: now,
			rev: 0
		};
		const job: JobRow = {
			id: crypto.randomUUID(),
			kind: 'ingest',
			caseId: input.caseId,
			documentId: document.id,
			state: 'queued',
			progress: 0,
			attempts: 0,
			createdAt: now,
			updatedAt: now
		};
		await db.documents.add(document);
		await w.record([
			{ table: 'documents', rowId: document.id, caseId: input.caseId, op: 'put', baseRev: 0, fields: { ...document } }
		]);
		await db.jobs.add(job);
		w.emit({ type: 'documentAdded', caseId: input.caseId, documentId: document.id });
		return { document, job };
	});
}

/** This device's progress on a document (its own extraction and embedding), which does not sync. */
export type DocumentState = Partial<Pick<DocumentRow, 'status' | 'error' | 'embeddingModelId' | 'updatedAt'>>;

/**
 * Sets a document's local state; with `when`, only if the stored row passes it. Resolves whether the
 * document changed (a document deleted meanwhile does not).
 */
export async function updateDocumentState(
	db: DocketDatabase,
	documentId: string,
	changes: DocumentState,
	when?: (row: DocumentRow) => boolean
): Promise<boolean> {
	return write(db, [db.documents], async (w) => {
		const row = await db.documents.get(documentId);
		if (!row || (when && !when(row))) return false;
		await db.documents.update(documentId, changes);
		w.emit({ type: 'documentChanged', caseId: row.caseId, documentId });
		return true;
	});
}

/** Writes a document row as a whole (extraction results) and queues it for the server. */
export async function saveDocument(db: DocketDatabase, next: DocumentRow, baseRev: number): Promise<void> {
	await write(db, [db.documents], async (w) => {
		await db.documents.put(next);
		await w.record([
			{ table: 'documents', rowId: next.id, caseId: next.caseId, op: 'put', baseRev, fields: { ...next } }
		]);
		w.emit({ type: 'documentChanged', caseId: next.caseId, documentId: next.id });
	});
}

function removed(chunk: ChunkRow): RemovedChunk {
	return {
		id: chunk.id,
		documentId: chunk.documentId,
		page: chunk.page,
		start: chunk.start,
		end: chunk.end,
		text: chunk.text
	};
}

/** Deletes chunks, their vectors and (when `record`) queues their deletion; emits what the indexes need. */
export async function deleteChunkRows(
	w: Writes,
	caseId: string,
	documentId: string,
	chunks: readonly ChunkRow[],
	record: boolean
): Promise<void> {
	const { db } = w;
	if (chunks.length === 0) return;
	const ids = chunks.map((c) => c.id);
	await db.chunks.bulkDelete(ids);
	const vectorIds = await db.vectors.where('chunkId').anyOf(ids).primaryKeys();
	await db.vectors.bulkDelete(vectorIds);
	if (record)
		await w.record(
			chunks.map((c) => ({ table: 'chunks', rowId: c.id, caseId, op: 'delete', baseRev: c.rev, fields: {} }))
		);
	w.emit({ type: 'chunksRemoved', caseId, documentId, chunks: chunks.map(removed) });
	if (vectorIds.length > 0) w.emit({ type: 'vectorsRemoved', caseId, documentId });
}

/**
 * Replaces a document's extracted text: its pages and chunks (and the vectors of the old chunks) go, the
 * new ones come, and every chunk change is queued for the server.
 */
export async function replaceDocumentText(
	db: DocketDatabase,
	target: { caseId: string; documentId: string },
	pages: readonly PageRow[],
	chunks: readonly ChunkRow[]
): Promise<void> {
	const { caseId, documentId } = target;
	await write(db, [db.chunks, db.pages, db.vectors, db.ocrLayers], async (w) => {
		const old = await db.chunks.where('documentId').equals(documentId).toArray();
		await deleteChunkRows(w, caseId, documentId, old, true);
		await db.pages.where('[documentId+page]').between([documentId, Dexie.minKey], [documentId, Dexie.maxKey]).delete();
		await db.pages.bulkPut([...pages]);
		await replaceOcrLayers(w, documentId, pages);
		if (chunks.length === 0) return;
		await db.chunks.bulkAdd([...chunks]);
		await w.record(
			chunks.map((row) => ({ table: 'chunks', rowId: row.id, caseId, op: 'put', baseRev: 0, fields: { ...row } }))
		);
		w.emit({ type: 'chunksStored', caseId, documentId, chunkIds: chunks.map((c) => c.id) });
	});
}

/**
 * Takes a document and everything derived from it out of this device, inside the caller's transaction:
 * chunks, vectors, pages, jobs, summaries. With `record`, the deletion is queued for the server (and the
 * document's unsent changes are dropped: they would only be deleted again).
 */
export async function deleteDocumentRows(w: Writes, document: DocumentRow, record: boolean): Promise<void> {
	const { db } = w;
	const { id: documentId, caseId } = document;
	const chunks = await db.chunks.where('documentId').equals(documentId).toArray();
	if (record) {
		const layerIds = await db.ocrLayers.where('documentId').equals(documentId).primaryKeys();
		await db.outbox
			.where('[table+rowId]')
			.anyOf([
				['documents', documentId],
				...chunks.map((c) => ['chunks', c.id]),
				...layerIds.map((id) => ['ocrLayers', id])
			])
			.delete();
	}
	await deleteChunkRows(w, caseId, documentId, chunks, record);
	const vectorIds = await db.vectors.where('documentId').equals(documentId).primaryKeys();
	await db.vectors.bulkDelete(vectorIds);
	await db.pages.where('[documentId+page]').between([documentId, Dexie.minKey], [documentId, Dexie.maxKey]).delete();
	await deleteOcrLayers(w, documentId, record);
	await db.jobs.where('documentId').equals(documentId).delete();
	await db.summaries.where('documentId').equals(documentId).delete();
	await db.documents.delete(documentId);
	if (record)
		await w.record([
			{ table: 'documents', rowId: documentId, caseId, op: 'delete', baseRev: document.rev, fields: {} }
		]);
	w.emit({ type: 'documentRemoved', caseId, documentId });
}

/** Tables `deleteDocumentRows` touches, for a caller's transaction scope. */
export function documentTables(db: DocketDatabase) {
	return [db.documents, db.chunks, db.vectors, db.pages, db.ocrLayers, db.jobs, db.summaries];
}

/**
 * Removes a document from its case on this device and, through the outbox, for the team. Its original
 * bytes go too when no other document (of any case) or tensor refers to the same file.
 */
export async function removeDocument(db: DocketDatabase, files: FileStore, documentId: string): Promise<void> {
	const shas = await write(db, documentTables(db), async (w) => {
		const document = await db.documents.get(documentId);
		if (!document) throw new MissingRecordError('The document');
		const { removed, reparented } = await familyToRemove(db, document);
		for (const row of removed) await deleteDocumentRows(w, row, true);
		for (const row of reparented) await saveDocument(db, row, row.rev);
		return removed.map((row) => row.sha256);
	});
	await releaseUnreferencedFiles(db, files, shas);
}

/**
 * What removing `document` takes with it: its children (a mailbox's messages, a message's attachments,
 * theirs in turn) that no remaining document carries. A child another message also carries stays, and
 * when its parent goes it moves under that message, so it is still listed in its family.
 */
async function familyToRemove(
	db: DocketDatabase,
	document: DocumentRow
): Promise<{ removed: DocumentRow[]; reparented: DocumentRow[] }> {
	// Most documents have no family: no need to read the whole case to find out.
	const parentOfSome = (await db.documents.where('parentId').equals(document.id).count()) > 0;
	if (!parentOfSome && !document.email?.attachments.some((a) => a.documentId))
		return { removed: [document], reparented: [] };
	const inCase = await db.documents.where('caseId').equals(document.caseId).toArray();
	const byId = new Map(inCase.map((d) => [d.id, d] as const));
	/** Who names each document as theirs: its parent, and every message listing it as an attachment. */
	const holders = new Map<string, Set<string>>();
	const hold = (childId: string, holderId: string) => {
		if (childId === holderId) return;
		const set = holders.get(childId) ?? new Set<string>();
		set.add(holderId);
		holders.set(childId, set);
	};
	for (const d of inCase) {
		if (d.parentId) hold(d.id, d.parentId);
		for (const a of d.email?.attachments ?? []) if (a.documentId) hold(a.documentId, d.id);
	}
	const children = new Map<string, string[]>();
	for (const [childId, set] of holders)
		for (const holderId of set) children.set(holderId, [...(children.get(holderId) ?? []), childId]);
	const removing = new Set([document.id]);
	// Each round may free children held only by what the last round removed (an attachment of a message of a mailbox).
	for (let frontier = [document.id]; frontier.length > 0;) {
		const next: string[] = [];
		for (const id of frontier)
			for (const childId of children.get(id) ?? []) {
				if (removing.has(childId) || !byId.has(childId)) continue;
				const kept = [...(holders.get(childId) ?? [])].some((h) => !removing.has(h) && byId.has(h));
				if (kept) continue;
				removing.add(childId);
				next.push(childId);
			}
		frontier = next;
	}
	const reparented: DocumentRow[] = [];
	for (const d of inCase) {
		if (removing.has(d.id) || !d.parentId || !removing.has(d.parentId)) continue;
		const holder = [...(holders.get(d.id) ?? [])].find((h) => !removing.has(h) && byId.has(h));
		if (holder) reparented.push({ ...d, parentId: holder });
	}
	return { removed: [...removing].map((id) => byId.get(id) ?? document), reparented };
}
