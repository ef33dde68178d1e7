import { afterEach, describe, expect, it } from 'vitest';
import { changeFeed } from '../db/change-feed.ts';
import { createCase, deleteCase } from '../db/cases.ts';
import type { DocketDatabase } from '../db/database.ts';
import { createDocument, removeDocument } from '../db/documents.ts';
import { applyServerRow } from '../db/replica.ts';
import { storeVectors } from '../db/vectors.ts';
import { write } from '../db/writes.ts';
import { storeExtraction } from '../ingest/store-extraction.ts';
import { freshStore } from '../testing/db.ts';
import { subscribeIndexes } from './index-feed.ts';
import { createSearchHandlers } from './search-handlers.ts';

/** What the transport hands a handler; these tests call the handlers directly. */
const call = { id: 'test', signal: new AbortController().signal, progress: () => undefined };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** The search worker's handlers, fed by the database's change feed, as `search.worker.ts` wires them. */
async function setup() {
	const { db, store } = await freshStore();
	const handlers = createSearchHandlers(db);
	const stop = subscribeIndexes(handlers, changeFeed(db));
	cleanups.push(async () => {
		stop();
		await db.delete();
	});
	const theCase = await createCase(db, 'Orchard');
	const search = (query: string, mode: 'lexical' | 'semantic' = 'lexical', vector?: Float32Array) =>
		handlers.search(
			{
				caseId: theCase.id,
				query,
				k: 10,
				mode,
				...(vector ? { vector: { modelId: 'tiny', values: vector } } : {})
			},
			call
		);
	return { db, store, caseId: theCase.id, search };
}

async function ingest(db: DocketDatabase, caseId: string, name: string, pages: string[]) {
	const created = await createDocument(db, {
		caseId,
		name,
		sha256: name.padEnd(64, '0'),
		size: 1,
		mimeType: 'text/plain'
	});
	if (!created.document) throw new Error('duplicate');
	await storeExtraction(
		db,
		{ caseId, documentId: created.document.id, embed: false },
		{
			status: 'indexed',
			kind: 'text',
			pages: pages.map((text, i) => ({ page: i + 1, text })),
			pageCount: pages.length,
			pagesWithoutText: [],
			pagesWithErrors: []
		}
	);
	return created.document.id;
}

const documentsOf = (response: { results: { documentId: string }[] }) => [
	...new Set(response.results.map((r) => r.documentId))
];

describe('the search indexes follow the change feed', () => {
	it('a warm full-text index and its vocabulary gain stored documents and forget removed ones', async () => {
		const { db, store, caseId, search } = await setup();
		const lease = await ingest(db, caseId, 'lease', [
			'The tenant pays rent for the orchard.',
			'Rent is due quarterly.'
		]);
		expect(documentsOf(await search('rent'))).toEqual([lease]);
		const memo = await ingest(db, caseId, 'memo', [
			'The zanzibarite samples were assayed.',
			'More zanzibarite arrived; the rent was late.'
		]);
		// Warm before the memo arrived; it has it now without anyone telling it.
		expect(documentsOf(await search('zanzibarite'))).toEqual([memo]);
		expect((await search('zanzibarrite')).suggestion).toBe('zanzibarite');

		await removeDocument(db, store, memo);
		expect(documentsOf(await search('rent'))).toEqual([lease]);
		expect((await search('zanzibarite')).results).toEqual([]);
		expect((await search('zanzibarrite')).suggestion).toBeUndefined();
		// The stored index forgot it too: a cold start (a reload) finds nothing of it.
		const cold = createSearchHandlers(db);
		const again = await cold.search({ caseId, query: 'zanzibarite', k: 10, mode: 'lexical' }, call);
		expect(again.results).toEqual([]);
	});

	it('chunks pulled from a teammate, a page at a time, are found; their deletion is too', async () => {
		const { db, caseId, search } = await setup();
		await ingest(db, caseId, 'lease', ['The tenant pays rent.']);
		expect((await search('bellwether')).results).toEqual([]);
		const pull = (rows: Parameters<typeof applyServerRow>[1][]) =>
			write(
				db,
				[db.documents, db.chunks, db.vectors, db.pages, db.ocrLayers, db.jobs, db.summaries, db.tensors],
				async (w) => {
					for (const row of rows) await applyServerRow(w, row, { keepPending: true });
				}
			);
		const chunk = (id: string, start: number, text: string) => ({
			table: 'chunks' as const,
			id,
			rev: 1,
			seq: 1,
			deleted: false,
			fields: { caseId, documentId: 'pulled', ordinal: start, page: 1, start, end: start + text.length, text }
		});
		await pull([
			{ table: 'documents', id: 'pulled', rev: 1, seq: 1, deleted: false, fields: { caseId, name: 'memo.txt' } },
			chunk('p1', 0, 'The bellwether invoices were disputed.')
		]);
		// The rest of the same page arrives in the next pull.
		await pull([chunk('p2', 40, 'The marmoreal statue was appraised.')]);
		expect(documentsOf(await search('bellwether'))).toEqual(['pulled']);
		expect(documentsOf(await search('marmoreal'))).toEqual(['pulled']);
		expect(documentsOf(await search('"bellwether invoices"'))).toEqual(['pulled']);

		await pull([{ table: 'documents', id: 'pulled', rev: 2, seq: 3, deleted: true, fields: {} }]);
		expect((await search('bellwether')).results).toEqual([]);
		expect((await search('bellwetherr')).suggestion).toBeUndefined();
	});

	it('a warm vector index gains vectors as embedding stores them, and a deleted case leaves nothing', async () => {
		const { db, store, caseId, search } = await setup();
		const lease = await ingest(db, caseId, 'lease', ['The tenant pays rent.']);
		const vector = (x: number, y: number) => Float32Array.from([x, y]);
		const embed = async (documentId: string, values: Float32Array) => {
			const chunks = await db.chunks.where('documentId').equals(documentId).toArray();
			await storeVectors(
				db,
				chunks.map((c) => ({
					id: `${c.id}:tiny`,
					chunkId: c.id,
					caseId,
					documentId,
					modelId: 'tiny',
					dim: 2,
					vector: values
				}))
			);
		};
		await embed(lease, vector(1, 0));
		expect(documentsOf(await search('x', 'semantic', vector(0, 1)))).toEqual([lease]);
		const survey = await ingest(db, caseId, 'survey', ['A surveyor measured the boundary.']);
		await embed(survey, vector(0, 1));
		const hits = await search('x', 'semantic', vector(0, 1));
		expect(hits.results[0]?.documentId).toBe(survey);

		await deleteCase(db, store, caseId);
		expect((await search('x', 'semantic', vector(0, 1))).results).toEqual([]);
		expect((await search('rent')).results).toEqual([]);
		expect(await db.searchIndexes.get(caseId)).toBeUndefined();
	});
});
