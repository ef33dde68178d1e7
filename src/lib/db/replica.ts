/**
 * Repository functions for rows the server sends (pulls, and the server's side of a conflict). They write
 * no outbox entry, since the change came from the server, but emit the same domain events as a local
 * write, so a teammate's document, text or deletion reaches every index exactly like one's own.
 */
import { EMBEDDING_FIELD, EMBEDDING_MODEL_FIELD, type ServerRow } from '../sync/protocol.ts';
import { CASE_SCOPED_TABLES } from './database.ts';
import { deleteChunkRows, deleteDocumentRows } from './documents.ts';
import type { ChunkRow, DocumentRow, SyncedTable } from './schema.ts';
import { storeVectors } from './vectors.ts';
import type { Writes } from './writes.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

function isDocument(value: unknown): value is DocumentRow {
	return isRecord(value) && typeof value['id'] === 'string' && typeof value['caseId'] === 'string';
}

function isChunk(value: unknown): value is ChunkRow {
	return (
		isRecord(value) &&
		typeof value['id'] === 'string' &&
		typeof value['caseId'] === 'string' &&
		typeof value['documentId'] === 'string' &&
		typeof value['text'] === 'string'
	);
}

/** What a row pulled for the first time needs before its fields arrive, so the app's types hold. */
export function rowDefaults(table: SyncedTable): Record<string, unknown> {
	const now = Date.now();
	switch (table) {
		case 'cases':
			return { title: 'Untitled case', createdAt: now, updatedAt: now, lastActivityAt: now };
		case 'documents':
			return {
				name: 'document',
				sha256: '',
				size: 0,
				mimeType: 'application/octet-stream',
				kind: 'unknown',
				status: 'queued',
				createdAt: now,
				updatedAt: now
			};
		case 'chunks':
			return { ordinal: 0, page: 1, start: 0, end: 0, text: '' };
		case 'threads':
			return { title: '', createdAt: now, updatedAt: now };
		case 'messages':
			return { role: 'user', content: '', citations: [], status: 'done', createdAt: now };
		case 'eventEdits':
			return { updatedAt: now };
		case 'ocrLayers':
			return { page: 1, text: '', confidence: 0, words: [] };
	}
}

/** What applying a row left to do outside the transaction: original bytes that may now be unused. */
export interface Applied {
	released: string[];
}

/**
 * Writes one server row into the local tables, inside the caller's `write`. With `keepPending`, fields the
 * user changed locally and has not pushed yet stay as they are (they go up next and the server decides).
 */
export async function applyServerRow(
	w: Writes,
	row: ServerRow,
	{ keepPending }: { keepPending: boolean }
): Promise<Applied> {
	const { db } = w;
	const applied: Applied = { released: [] };
	const table = db.table(row.table);
	const pending = keepPending ? await db.outbox.where('[table+rowId]').equals([row.table, row.id]).toArray() : [];
	const existing: unknown = await table.get(row.id);
	if (row.deleted) {
		if (pending.length > 0) return applied;
		if (row.table === 'documents') {
			if (isDocument(existing)) {
				await deleteDocumentRows(w, existing, false);
				applied.released.push(existing.sha256);
			}
			return applied;
		}
		if (row.table === 'chunks') {
			if (isChunk(existing)) await deleteChunkRows(w, existing.caseId, existing.documentId, [existing], false);
			return applied;
		}
		if (row.table === 'cases') {
			for (const doc of await db.documents.where('caseId').equals(row.id).toArray()) applied.released.push(doc.sha256);
			for (const tensor of await db.tensors.where('caseId').equals(row.id).toArray())
				applied.released.push(tensor.sha256);
			// Conflicts stay: they are the user's words, kept until the user dismisses them.
			for (const name of CASE_SCOPED_TABLES)
				if (name !== 'conflicts') await db[name].where('caseId').equals(row.id).delete();
			if (existing !== undefined) w.emit({ type: 'caseDeleted', caseId: row.id });
		}
		await table.delete(row.id);
		return applied;
	}
	const fields: Record<string, unknown> = { ...row.fields };
	const embedding = fields[EMBEDDING_FIELD];
	const modelId = fields[EMBEDDING_MODEL_FIELD];
	delete fields[EMBEDDING_FIELD];
	for (const entry of pending) for (const name of Object.keys(entry.fields)) delete fields[name];
	const base = isRecord(existing) ? existing : rowDefaults(row.table);
	const next: Record<string, unknown> = { ...base, ...fields, id: row.id, rev: row.rev };
	await table.put(next);
	const caseId = String(next['caseId'] ?? '');
	const documentId = String(next['documentId'] ?? '');
	if (row.table === 'cases') w.emit({ type: 'caseChanged', caseId: row.id });
	else if (row.table === 'documents')
		w.emit({ type: existing === undefined ? 'documentAdded' : 'documentChanged', caseId, documentId: row.id });
	else if (row.table === 'chunks') {
		w.emit({ type: 'chunksStored', caseId, documentId, chunkIds: [row.id] });
		if (Array.isArray(embedding) && typeof modelId === 'string') {
			const vector = Float32Array.from(embedding.map(Number));
			let sumSquares = 0;
			for (const x of vector) sumSquares += x * x;
			if (Math.abs(sumSquares - 1) > 1e-3 && sumSquares > 0)
				for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / Math.sqrt(sumSquares);
			await storeVectors(db, [
				{ id: `${row.id}:${modelId}`, chunkId: row.id, caseId, documentId, modelId, dim: vector.length, vector }
			]);
		}
	}
	return applied;
}
