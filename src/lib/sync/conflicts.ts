import type { DocketDatabase } from '../db/database.ts';
import { deleteChunkRows, deleteDocumentRows, documentTables } from '../db/documents.ts';
import { write } from '../db/writes.ts';
import type { ChunkRow, ConflictRow, DocumentRow } from '../db/schema.ts';
import { rowDefaults } from './replicate.ts';

/**
 * A conflict keeps both sides: `local` is what this device tried to write (with its `op`), `server` the
 * server's row when it refused (`deleted`, `rev` and its fields, or `rejected` with the reason). The
 * server's row is already the local one, so "keep theirs" only dismisses the conflict, and "keep mine"
 * writes the user's values again on top of the server's revision, as a new change that goes up next.
 */

/** Keys in a conflict's sides that describe the change rather than the row. */
const META = new Set(['op', 'rev', 'deleted', 'rejected']);

export interface FieldDifference {
	field: string;
	local: unknown;
	server: unknown;
}

export interface ConflictView {
	id: string;
	table: ConflictRow['table'];
	rowId: string;
	caseId: string;
	/** What this device tried: a change of fields, or deleting the row. */
	localOp: 'put' | 'delete';
	/** The server no longer has the row. */
	serverDeleted: boolean;
	/** The server refused the change outright (for example, its case is gone); the reason in words. */
	rejected: string | undefined;
	differences: FieldDifference[];
	createdAt: number;
}

function same(a: unknown, b: unknown): boolean {
	return JSON.stringify(a) === JSON.stringify(b);
}

/** The conflict as the Settings list shows it: only the fields whose values differ. */
export function describeConflict(conflict: ConflictRow): ConflictView {
	const localOp = conflict.local['op'] === 'delete' ? 'delete' : 'put';
	const rejected = typeof conflict.server['rejected'] === 'string' ? conflict.server['rejected'] : undefined;
	const differences: FieldDifference[] = [];
	if (localOp === 'put')
		for (const [field, local] of Object.entries(conflict.local)) {
			if (META.has(field)) continue;
			const server = conflict.server[field];
			if (rejected !== undefined || !same(local, server))
				differences.push({ field, local, server: rejected === undefined ? server : undefined });
		}
	return {
		id: conflict.id,
		table: conflict.table,
		rowId: conflict.rowId,
		caseId: conflict.caseId,
		localOp,
		serverDeleted: conflict.server['deleted'] === true,
		rejected,
		differences,
		createdAt: conflict.createdAt
	};
}

/** The server's version stays (it already is the local one); the conflict is dismissed. */
export async function keepTheirs(db: DocketDatabase, conflictId: string): Promise<void> {
	await db.conflicts.delete(conflictId);
}

/**
 * The user's version wins: written locally and queued for the server against the revision this device
 * now holds, in one transaction with dismissing the conflict. A row the server deleted cannot come back
 * under its old id (a tombstone wins), so the user's values return as a copy with a new id.
 * Resolves to the id of the row that now carries the user's values (undefined for a delete).
 */
export async function keepMine(db: DocketDatabase, conflictId: string): Promise<string | undefined> {
	return write(db, [db.conflicts, db.cases, ...documentTables(db), db.threads, db.messages], async (w) => {
		const conflict = await db.conflicts.get(conflictId);
		if (!conflict) return undefined;
		const table = db.table(conflict.table);
		const fields: Record<string, unknown> = {};
		for (const [name, value] of Object.entries(conflict.local)) if (!META.has(name)) fields[name] = value;
		const current: unknown = await table.get(conflict.rowId);
		const currentRev = isRecord(current) && typeof current['rev'] === 'number' ? current['rev'] : 0;
		await db.conflicts.delete(conflictId);
		if (conflict.local['op'] === 'delete') {
			if (!isRecord(current)) return undefined;
			// A document or chunk goes through the repository, which takes what derives from it too.
			if (conflict.table === 'documents' && isDocumentRow(current)) await deleteDocumentRows(w, current, true);
			else if (conflict.table === 'chunks' && isChunkRow(current))
				await deleteChunkRows(w, current.caseId, current.documentId, [current], true);
			else {
				await table.delete(conflict.rowId);
				await w.record([
					{
						table: conflict.table,
						rowId: conflict.rowId,
						caseId: conflict.caseId,
						op: 'delete',
						baseRev: currentRev,
						fields: {}
					}
				]);
			}
			return undefined;
		}
		const serverGone = conflict.server['deleted'] === true || !isRecord(current);
		const rowId = serverGone ? crypto.randomUUID() : conflict.rowId;
		const caseId = conflict.table === 'cases' ? rowId : conflict.caseId;
		// A copy needs a whole row, so the server (and other devices) get every field, not just the changed ones.
		const sent = serverGone ? { ...rowDefaults(conflict.table), ...fields } : fields;
		const base = isRecord(current) && !serverGone ? current : {};
		await table.put({
			...base,
			...sent,
			...(conflict.table === 'cases' ? {} : { caseId }),
			id: rowId,
			rev: serverGone ? 0 : currentRev
		});
		await w.record([
			{ table: conflict.table, rowId, caseId, op: 'put', baseRev: serverGone ? 0 : currentRev, fields: sent }
		]);
		if (conflict.table === 'cases') w.emit({ type: 'caseChanged', caseId });
		else if (conflict.table === 'documents') w.emit({ type: 'documentChanged', caseId, documentId: rowId });
		else if (conflict.table === 'chunks') {
			const restored: unknown = await table.get(rowId);
			if (isChunkRow(restored))
				w.emit({ type: 'chunksStored', caseId, documentId: restored.documentId, chunkIds: [rowId] });
		}
		return rowId;
	});
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

function isDocumentRow(value: Record<string, unknown>): value is Record<string, unknown> & DocumentRow {
	return typeof value['id'] === 'string' && typeof value['caseId'] === 'string' && typeof value['sha256'] === 'string';
}

function isChunkRow(value: unknown): value is ChunkRow {
	return (
		isRecord(value) &&
		typeof value['id'] === 'string' &&
		typeof value['caseId'] === 'string' &&
		typeof value['documentId'] === 'string' &&
		typeof value['text'] === 'string'
	);
}
