import { CASE_SCOPED_TABLES, type DocketDatabase } from './database.ts';
import { releaseUnreferencedFiles, type FileStore } from './file-store.ts';
import type { CaseRow } from './schema.ts';
import { write } from './writes.ts';
import { InvalidInputError, MissingRecordError } from '../errors.ts';

export const CASE_TITLE_MAX_LENGTH = 200;

/** A title as typed, trimmed and checked; titles are plain text and rendered as text, never as HTML. */
export function normaliseCaseTitle(title: string): string {
	const clean = title.replace(/\s+/g, ' ').trim();
	if (clean.length === 0) throw new InvalidInputError('A case needs a name.', 'Type a name for the case.');
	if (clean.length > CASE_TITLE_MAX_LENGTH)
		throw new InvalidInputError(`A case name can be at most ${CASE_TITLE_MAX_LENGTH} characters.`, 'Shorten the name.');
	return clean;
}

export async function createCase(db: DocketDatabase, title: string): Promise<CaseRow> {
	const now = Date.now();
	const row: CaseRow = {
		id: crypto.randomUUID(),
		title: normaliseCaseTitle(title),
		createdAt: now,
		updatedAt: now,
		lastActivityAt: now,
		rev: 0
	};
	await write(db, [db.cases], async (w) => {
		await db.cases.add(row);
		await w.record([
			{
				table: 'cases',
				rowId: row.id,
				caseId: row.id,
				op: 'put',
				baseRev: 0,
				fields: { title: row.title, createdAt: row.createdAt }
			}
		]);
		w.emit({ type: 'caseChanged', caseId: row.id });
	});
	return row;
}

export async function renameCase(db: DocketDatabase, id: string, title: string): Promise<CaseRow> {
	const clean = normaliseCaseTitle(title);
	return write(db, [db.cases], async (w) => {
		const row = await db.cases.get(id);
		if (!row) throw new MissingRecordError('The case');
		const now = Date.now();
		const updated: CaseRow = { ...row, title: clean, updatedAt: now, lastActivityAt: now };
		await db.cases.put(updated);
		await w.record([{ table: 'cases', rowId: id, caseId: id, op: 'put', baseRev: row.rev, fields: { title: clean } }]);
		w.emit({ type: 'caseChanged', caseId: id });
		return updated;
	});
}

/** Marks the case as just used, so the library lists it first. */
export async function touchCase(db: DocketDatabase, id: string, at = Date.now()): Promise<void> {
	// Local bookkeeping: the library's order on this device, never synced and of no interest to any index.
	await write(db, [db.cases], async () => {
		await db.cases.update(id, { lastActivityAt: at });
	});
}

export async function getCase(db: DocketDatabase, id: string): Promise<CaseRow | undefined> {
	return db.cases.get(id);
}

/** Most recently active first. */
export async function listCases(db: DocketDatabase): Promise<CaseRow[]> {
	return db.cases.orderBy('lastActivityAt').reverse().toArray();
}

/**
 * Deletes a case and everything in it: documents, text, vectors, chats, tensors, activity, and the
 * original bytes no other case still uses. A case the server has seen leaves a delete in the outbox;
 * one it never saw just drops its pending changes.
 */
export async function deleteCase(db: DocketDatabase, store: FileStore, id: string): Promise<void> {
	const hashes: string[] = [];
	const tables = [db.cases, db.uploads, ...CASE_SCOPED_TABLES.map((name) => db[name])];
	await write(db, tables, async (w) => {
		const row = await db.cases.get(id);
		if (!row) throw new MissingRecordError('The case');
		for (const doc of await db.documents.where('caseId').equals(id).toArray()) hashes.push(doc.sha256);
		for (const tensor of await db.tensors.where('caseId').equals(id).toArray()) hashes.push(tensor.sha256);
		for (const name of CASE_SCOPED_TABLES) await db[name].where('caseId').equals(id).delete();
		await db.outbox.where('caseId').equals(id).delete();
		await db.uploads.filter((upload) => upload.upload.metadata['caseId'] === id).delete();
		await db.cases.delete(id);
		if (row.rev > 0)
			await w.record([{ table: 'cases', rowId: id, caseId: id, op: 'delete', baseRev: row.rev, fields: {} }]);
		w.emit({ type: 'caseDeleted', caseId: id });
	});
	await releaseUnreferencedFiles(db, store, hashes);
}
