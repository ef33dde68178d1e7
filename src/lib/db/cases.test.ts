import { describe, expect, it } from 'vitest';
import { createCase, deleteCase, listCases, normaliseCaseTitle, renameCase, touchCase } from './cases.ts';
import { storeOriginal } from './file-store.ts';
import { freshStore } from '../testing/db.ts';
import { InvalidInputError, MissingRecordError } from '../errors.ts';

describe('case titles', () => {
	it('are trimmed and single-spaced', () => {
		expect(normaliseCaseTitle('  Smith   v.\n Jones ')).toBe('Smith v. Jones');
	});
	it('refuse empty and overlong names with a readable message', () => {
		expect(() => normaliseCaseTitle('   ')).toThrow(InvalidInputError);
		expect(() => normaliseCaseTitle('x'.repeat(201))).toThrow(/at most 200/);
	});
	it('keep markup as text', () => {
		expect(normaliseCaseTitle('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>');
	});
});

describe('case repository', () => {
	it('creates a case and queues it for sync in the same transaction', async () => {
		const { db } = await freshStore();
		const row = await createCase(db, 'Acme v. Roadrunner');
		expect(await db.cases.get(row.id)).toMatchObject({ title: 'Acme v. Roadrunner', rev: 0 });
		const outbox = await db.outbox.toArray();
		expect(outbox).toHaveLength(1);
		expect(outbox[0]).toMatchObject({ table: 'cases', rowId: row.id, op: 'put', baseRev: 0 });
	});

	it('does not create a case when the title is invalid', async () => {
		const { db } = await freshStore();
		await expect(createCase(db, '')).rejects.toThrow(InvalidInputError);
		expect(await db.cases.count()).toBe(0);
		expect(await db.outbox.count()).toBe(0);
	});

	it('renames, and refuses to rename a missing case', async () => {
		const { db } = await freshStore();
		const row = await createCase(db, 'Old');
		await renameCase(db, row.id, 'New');
		expect((await db.cases.get(row.id))?.title).toBe('New');
		expect(await db.outbox.count()).toBe(2);
		await expect(renameCase(db, 'missing', 'x')).rejects.toThrow(MissingRecordError);
	});

	it('lists by last activity, most recent first', async () => {
		const { db } = await freshStore();
		const a = await createCase(db, 'A');
		const b = await createCase(db, 'B');
		const c = await createCase(db, 'C');
		await touchCase(db, a.id, Date.now() + 10_000);
		await touchCase(db, b.id, 1);
		expect((await listCases(db)).map((x) => x.title)).toEqual(['A', 'C', 'B']);
		expect(c.title).toBe('C');
	});

	it('deletes a case with everything in it, keeping files another case still uses', async () => {
		const { db, store } = await freshStore();
		const doomed = await createCase(db, 'Doomed');
		const kept = await createCase(db, 'Kept');
		const shared = await storeOriginal(db, store, new Blob(['shared bytes']), 'text/plain');
		const own = await storeOriginal(db, store, new Blob(['only in doomed']), 'text/plain');
		const now = Date.now();
		const doc = (id: string, caseId: string, sha256: string) => ({
			id,
			caseId,
			sha256,
			name: `${id}.txt`,
			size: 1,
			mimeType: 'text/plain',
			kind: 'text' as const,
			status: 'indexed' as const,
			createdAt: now,
			updatedAt: now,
			rev: 0
		});
		await db.documents.bulkAdd([
			doc('d1', doomed.id, shared.sha256),
			doc('d2', doomed.id, own.sha256),
			doc('d3', kept.id, shared.sha256)
		]);
		await db.pages.add({ documentId: 'd1', page: 1, caseId: doomed.id, text: 'hello' });
		await db.chunks.add({
			id: 'c1',
			caseId: doomed.id,
			documentId: 'd1',
			ordinal: 0,
			page: 1,
			start: 0,
			end: 5,
			text: 'hello',
			rev: 0
		});
		await db.vectors.add({
			id: 'c1:m',
			chunkId: 'c1',
			caseId: doomed.id,
			documentId: 'd1',
			modelId: 'm',
			dim: 2,
			vector: new Float32Array([1, 0])
		});
		await db.activity.add({ caseId: doomed.id, kind: 'search', at: now, summary: 'Searched' });
		await db.threads.add({ id: 't1', caseId: doomed.id, title: 't', createdAt: now, updatedAt: now, rev: 0 });

		await deleteCase(db, store, doomed.id);

		expect(await db.cases.get(doomed.id)).toBeUndefined();
		for (const table of [db.documents, db.pages, db.chunks, db.vectors, db.activity, db.threads])
			expect(await table.where('caseId').equals(doomed.id).count(), table.name).toBe(0);
		expect(await db.documents.get('d3')).toBeDefined();
		expect(await store.get(shared.sha256)).toBeDefined();
		expect(await store.get(own.sha256)).toBeUndefined();
		expect(await db.files.get(own.sha256)).toBeUndefined();
		// Never synced: its pending changes go with it, and no delete is queued.
		expect(await db.outbox.where('caseId').equals(doomed.id).count()).toBe(0);
	});

	it('queues a delete for a case the server has seen', async () => {
		const { db, store } = await freshStore();
		const row = await createCase(db, 'Synced');
		await db.cases.update(row.id, { rev: 3 });
		await deleteCase(db, store, row.id);
		const outbox = await db.outbox.where('caseId').equals(row.id).toArray();
		expect(outbox).toMatchObject([{ op: 'delete', baseRev: 3, table: 'cases' }]);
	});
});
