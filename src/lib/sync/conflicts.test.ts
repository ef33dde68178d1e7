import { describe, expect, it } from 'vitest';
import { createCase } from '../db/cases.ts';
import type { ConflictRow } from '../db/schema.ts';
import { freshDatabase } from '../testing/db.ts';
import { describeConflict, keepMine, keepTheirs } from './conflicts.ts';

function conflictOn(rowId: string, local: Record<string, unknown>, server: Record<string, unknown>): ConflictRow {
	return { id: crypto.randomUUID(), table: 'cases', rowId, caseId: rowId, local, server, createdAt: Date.now() };
}

describe('conflicts', () => {
	it('shows only the fields that differ, both sides', () => {
		const view = describeConflict(
			conflictOn(
				'c',
				{ op: 'put', title: 'Mine', updatedAt: 5 },
				{ rev: 4, deleted: false, title: 'Theirs', updatedAt: 5 }
			)
		);
		expect(view).toMatchObject({
			localOp: 'put',
			serverDeleted: false,
			rejected: undefined,
			differences: [{ field: 'title', local: 'Mine', server: 'Theirs' }]
		});
		const refused = describeConflict(
			conflictOn('c', { op: 'put', title: 'Mine' }, { rejected: 'The case was deleted on the server.' })
		);
		expect(refused.rejected).toMatch(/deleted/);
		expect(refused.differences).toEqual([{ field: 'title', local: 'Mine', server: undefined }]);
	});

	it('keep theirs dismisses the conflict and leaves the server’s row', async () => {
		const db = await freshDatabase();
		const created = await createCase(db, 'Theirs');
		await db.outbox.clear();
		const conflict = conflictOn(created.id, { op: 'put', title: 'Mine' }, { rev: 2, deleted: false, title: 'Theirs' });
		await db.conflicts.add(conflict);
		await keepTheirs(db, conflict.id);
		expect(await db.conflicts.count()).toBe(0);
		expect((await db.cases.get(created.id))?.title).toBe('Theirs');
		expect(await db.outbox.count()).toBe(0);
	});

	it('keep mine writes the user’s values over the server’s revision and queues them', async () => {
		const db = await freshDatabase();
		const created = await createCase(db, 'Theirs');
		await db.cases.update(created.id, { rev: 2 });
		await db.outbox.clear();
		const conflict = conflictOn(created.id, { op: 'put', title: 'Mine' }, { rev: 2, deleted: false, title: 'Theirs' });
		await db.conflicts.add(conflict);
		expect(await keepMine(db, conflict.id)).toBe(created.id);
		expect(await db.conflicts.count()).toBe(0);
		expect(await db.cases.get(created.id)).toMatchObject({ title: 'Mine', rev: 2 });
		expect(await db.outbox.toArray()).toMatchObject([
			{ table: 'cases', rowId: created.id, op: 'put', baseRev: 2, fields: { title: 'Mine' } }
		]);
	});

	it('keep mine on a row the server deleted brings the user’s values back as a whole new row', async () => {
		const db = await freshDatabase();
		const goneId = crypto.randomUUID();
		const conflict = conflictOn(goneId, { op: 'put', title: 'Mine' }, { rev: 3, deleted: true });
		await db.conflicts.add(conflict);
		const copyId = await keepMine(db, conflict.id);
		expect(copyId).toBeDefined();
		expect(copyId).not.toBe(goneId);
		expect(await db.cases.get(copyId!)).toMatchObject({ title: 'Mine', rev: 0 });
		const [entry] = await db.outbox.toArray();
		expect(entry).toMatchObject({ rowId: copyId, caseId: copyId, baseRev: 0, op: 'put' });
		expect(entry?.fields).toHaveProperty('createdAt');
	});

	it('keep mine on a delete deletes the row again against the current revision', async () => {
		const db = await freshDatabase();
		const created = await createCase(db, 'Changed there');
		await db.cases.update(created.id, { rev: 5 });
		await db.outbox.clear();
		const conflict = conflictOn(created.id, { op: 'delete' }, { rev: 5, deleted: false, title: 'Changed there' });
		await db.conflicts.add(conflict);
		await keepMine(db, conflict.id);
		expect(await db.cases.get(created.id)).toBeUndefined();
		expect(await db.outbox.toArray()).toMatchObject([{ op: 'delete', baseRev: 5, rowId: created.id }]);
	});
});
