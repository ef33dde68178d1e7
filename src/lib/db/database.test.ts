import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { CASE_SCOPED_TABLES, DocketDatabase, SCHEMA_VERSIONS } from './database.ts';

describe('schema versions', () => {
	it('never change once shipped', () => {
		// Editing a shipped version in place corrupts users' databases: add a new version instead
		// (README › Local data). Update this snapshot only when adding a version.
		expect(SCHEMA_VERSIONS.map((v) => v.version)).toEqual([1, 2, 3, 4]);
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
		expect(SCHEMA_VERSIONS.find((v) => v.version === 2)?.stores).toMatchInlineSnapshot(`
			{
			  "documents": "id, caseId, [caseId+sha256], sha256, status, parentId, [caseId+threadId], email.messageId",
			}
		`);
		expect(SCHEMA_VERSIONS.find((v) => v.version === 3)?.stores).toMatchInlineSnapshot(`
			{
			  "digests": "documentId, caseId",
			  "eventEdits": "id, caseId",
			  "events": "id, caseId, documentId",
			}
		`);
		expect(SCHEMA_VERSIONS.find((v) => v.version === 4)?.stores).toMatchInlineSnapshot(`
			{
			  "ocrLayers": "id, caseId, documentId, [documentId+page]",
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
		// Each version lists only the tables it adds or changes: the database has all of them.
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

describe('version 3 (the chronology)', () => {
	it('opens a version 1 database with its data intact and the new tables empty and usable', async () => {
		const name = `upgrade-3-${crypto.randomUUID()}`;
		const old = new Dexie(name);
		old.version(1).stores(SCHEMA_VERSIONS.find((v) => v.version === 1)!.stores);
		await old.open();
		await old.table('cases').add({ id: 'c1', title: 'Orchard', createdAt: 1, updatedAt: 1, lastActivityAt: 1, rev: 3 });
		await old.table('chunks').add({
			id: 'k1',
			caseId: 'c1',
			documentId: 'd1',
			ordinal: 0,
			page: 1,
			start: 0,
			end: 20,
			text: 'Signed on 3 March 2024.',
			rev: 2
		});
		await old.table('outbox').add({ mutationId: 'm1', table: 'cases', rowId: 'c1', caseId: 'c1', op: 'put' });
		old.close();

		const db = new DocketDatabase(name);
		await db.open();
		expect(db.verno).toBe(SCHEMA_VERSIONS.at(-1)!.version);
		expect(await db.cases.get('c1')).toMatchObject({ title: 'Orchard', rev: 3 });
		expect(await db.chunks.where('caseId').equals('c1').count()).toBe(1);
		expect(await db.outbox.count()).toBe(1);
		expect(await db.events.count()).toBe(0);
		await db.eventEdits.put({ id: 'e1', caseId: 'c1', note: 'check', updatedAt: 1, rev: 0 });
		await db.digests.put({ documentId: 'd1', caseId: 'c1', stamp: 's', events: 0, updatedAt: 1 });
		await db.events.put({
			id: 'e1',
			caseId: 'c1',
			documentId: 'd1',
			page: 1,
			date: '2024-03-03',
			precision: 'day',
			sentence: 'Signed on 3 March 2024.',
			people: [],
			inferred: false,
			approximate: false,
			phrase: '3 March 2024',
			start: 10,
			end: 22
		});
		expect(await db.events.where('caseId').equals('c1').count()).toBe(1);
		expect(await db.eventEdits.where('caseId').equals('c1').first()).toMatchObject({ note: 'check' });
		db.close();
		await Dexie.delete(name);
	});
});

describe('version 4 (OCR layers for teammates)', () => {
	it('gives each page OCR had read a layer, queued for the team; other pages get none', async () => {
		const name = `upgrade-4-${crypto.randomUUID()}`;
		const old = new Dexie(name);
		for (const v of SCHEMA_VERSIONS.filter((v) => v.version <= 3)) old.version(v.version).stores(v.stores);
		await old.open();
		const word = { text: 'Holloway', confidence: 93.456, box: [0.1234567, 0.2, 0.3, 0.25], start: 4, end: 12 };
		await old.table('pages').bulkAdd([
			{
				documentId: 'd1',
				page: 1,
				caseId: 'c1',
				text: 'Mr. Holloway signed.',
				ocr: { confidence: 91.23, words: [word] }
			},
			{ documentId: 'd1', page: 2, caseId: 'c1', text: 'Typed text.' }
		]);
		old.close();

		const db = new DocketDatabase(name);
		await db.open();
		const layers = await db.ocrLayers.toArray();
		expect(layers).toHaveLength(1);
		expect(layers[0]).toMatchObject({
			caseId: 'c1',
			documentId: 'd1',
			page: 1,
			text: 'Mr. Holloway signed.',
			confidence: 91.2,
			words: [['Holloway', 93.5, 0.12346, 0.2, 0.3, 0.25, 4, 12]],
			rev: 0
		});
		const queued = await db.outbox.toArray();
		expect(queued.map((o) => [o.table, o.op, o.rowId, o.caseId])).toEqual([['ocrLayers', 'put', layers[0]!.id, 'c1']]);
		expect(await db.pages.count()).toBe(2);
		db.close();
		await Dexie.delete(name);
	});
});
