import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { CASE_SCOPED_TABLES, DocketDatabase, SCHEMA_VERSIONS } from './database.ts';

describe('schema versions', () => {
	it('never change once shipped', () => {
		// Editing a shipped version in place corrupts users' databases: add a new version instead
		// (README › Local data). Update this snapshot only when adding a version.
		expect(SCHEMA_VERSIONS.map((v) => v.version)).toEqual([1, 2]);
		expect(SCHEMA_VERSIONS[0]?.stores).toMatchInlineSnapshot(`
			{
			  "activity": "++id, caseId, at, [caseId+at]",
			  "blobs": "sha256",
			  "cases": "id, lastActivityAt, updatedAt",
			  "chunks": "id, caseId, documentId, [documentId+ordinal]",
			  "conflicts": "id, caseId, [table+rowId]",
			  "documents": "id, caseId, [caseId+sha256], sha256, status",
			  "files": "sha256",
			  "jobs": "id, caseId, documentId, state, [kind+state]",
			  "messages": "id, threadId, caseId, [threadId+createdAt]",
			  "outbox": "++seq, &mutationId, [table+rowId], caseId",
			  "pages": "[documentId+page], caseId",
			  "reports": "id, caseId, updatedAt",
			  "searchIndexes": "caseId",
			  "settings": "key",
			  "summaries": "id, caseId, documentId",
			  "syncState": "key",
			  "tensors": "id, caseId, sha256",
			  "threads": "id, caseId, updatedAt",
			  "uploads": "key, fingerprint",
			  "vectors": "id, chunkId, caseId, documentId, [caseId+modelId], modelId",
			}
		`);
		expect(SCHEMA_VERSIONS[1]?.stores).toMatchInlineSnapshot(`
			{
			  "documents": "id, caseId, [caseId+sha256], sha256, status, parentId, [caseId+threadId], email.messageId",
			}
		`);
	});

	it('are numbered in order and each only adds to the last', () => {
		for (let i = 1; i < SCHEMA_VERSIONS.length; i++) {
			const prev = SCHEMA_VERSIONS[i - 1]!;
			const next = SCHEMA_VERSIONS[i]!;
			expect(next.version).toBeGreaterThan(prev.version);
			// A table a shipped version had may change its indexes but is never dropped: that would wipe data.
			for (const [table, spec] of Object.entries(next.stores)) expect(spec, `${table} dropped`).not.toBeNull();
		}
	});

	it('opens with every table, each case-scoped one indexed by caseId', async () => {
		const db = new DocketDatabase(`schema-${crypto.randomUUID()}`);
		await db.open();
		// A version lists only the tables it changes: the database has every table any version declared.
		const declared = new Set(SCHEMA_VERSIONS.flatMap((v) => Object.keys(v.stores)));
		expect(db.tables.map((t) => t.name).sort()).toEqual([...declared].sort());
		for (const name of CASE_SCOPED_TABLES) {
			const { primKey, indexes } = db.table(name).schema;
			const names = [primKey.name, ...indexes.map((i) => i.name)];
			expect(names, name).toContain('caseId');
		}
		db.close();
		await Dexie.delete(db.name);
	});
});
