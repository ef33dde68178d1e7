import { afterEach, describe, expect, it } from 'vitest';
import { runEmbedJob, enqueueEmbedding } from '../ai/embed-jobs.ts';
import { storeExtraction } from '../ingest/store-extraction.ts';
import { addMessage, createThread } from '../rag/threads.ts';
import { SYNCED_TABLES } from '../sync/protocol.ts';
import { saveEventEdit } from '../timeline/event-edits.ts';
import type { Extraction } from '../ingest/types.ts';
import { applyServerRow } from './replica.ts';
import { changeFeed, type ChangeEvent } from './change-feed.ts';
import { createCase, deleteCase, renameCase, touchCase } from './cases.ts';
import type { DocketDatabase } from './database.ts';
import { createDocument, removeDocument, updateDocumentState } from './documents.ts';
import { storeOriginal, type FileStore } from './file-store.ts';
import type { OutboxRow } from './schema.ts';
import { storeVectors } from './vectors.ts';
import { write } from './writes.ts';
import { freshStore } from '../testing/db.ts';
import { guardRepositoryWrites } from '../testing/outbox-guard.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup() {
	const { db, store } = await freshStore();
	const violations = guardRepositoryWrites(db);
	const events: ChangeEvent[] = [];
	const stop = changeFeed(db).subscribe((event) => events.push(event));
	cleanups.push(async () => {
		stop();
		await db.delete();
	});
	return { db, store, violations, events };
}

/** A page read by OCR: its one word's box and offsets. */
const scanned = (text: string) => ({
	confidence: 92,
	words: [
		{
			text: text.split(' ')[0]!,
			confidence: 92,
			box: [0.1, 0.1, 0.3, 0.15] as [number, number, number, number],
			start: 0,
			end: text.indexOf(' ')
		}
	]
});

function extraction(pages: string[], ocr = false): Extraction {
	return {
		status: 'indexed',
		kind: 'text',
		pages: pages.map((text, i) => ({ page: i + 1, text, ...(ocr ? { ocr: scanned(text) } : {}) })),
		pageCount: pages.length,
		pagesWithoutText: [],
		pagesWithErrors: []
	};
}

const embedder = {
	modelId: 'tiny',
	dim: 2,
	embed: (texts: readonly string[]) => Promise.resolve(texts.map(() => Float32Array.from([0.6, 0.8])))
};

async function addDocument(db: DocketDatabase, store: FileStore, caseId: string, text: string, ocr = false) {
	const blob = new Blob([text], { type: 'text/plain' });
	const file = await storeOriginal(db, store, blob);
	const created = await createDocument(db, {
		caseId,
		name: 'brief.txt',
		sha256: file.sha256,
		size: file.size,
		mimeType: 'text/plain'
	});
	if (!created.document) throw new Error('duplicate');
	await storeExtraction(db, { caseId, documentId: created.document.id, embed: false }, extraction([text, text], ocr));
	return created.document;
}

function outboxOf(rows: OutboxRow[], table: OutboxRow['table']) {
	return rows.filter((r) => r.table === table);
}

describe('repository functions', () => {
	it('every local write of a synced table leaves its outbox row, written in the same transaction', async () => {
		const { db, store, violations } = await setup();
		const theCase = await createCase(db, 'Orchard');
		await renameCase(db, theCase.id, 'Orchard lease');
		const doc = await addDocument(db, store, theCase.id, 'The tenant pays rent for the orchard.');
		const outbox = await db.outbox.toArray();
		expect(outboxOf(outbox, 'cases').map((r) => r.op)).toEqual(['put', 'put']);
		expect(outboxOf(outbox, 'documents').every((r) => r.rowId === doc.id && r.op === 'put')).toBe(true);
		const chunks = await db.chunks.where('documentId').equals(doc.id).toArray();
		expect(chunks.length).toBeGreaterThan(0);
		expect(
			outboxOf(outbox, 'chunks')
				.map((r) => r.rowId)
				.sort()
		).toEqual(chunks.map((c) => c.id).sort());
		const thread = await createThread(db, theCase.id, 'Rent');
		const message = await addMessage(db, {
			threadId: thread.id,
			caseId: theCase.id,
			role: 'user',
			content: 'When is rent due?',
			citations: [],
			status: 'done'
		});
		await saveEventEdit(db, theCase.id, crypto.randomUUID(), { note: 'Check the date' });
		const scan = await addDocument(db, store, theCase.id, 'Scanned lease of the orchard.', true);
		const synced = await db.outbox.toArray();
		const layers = await db.ocrLayers.where('documentId').equals(scan.id).toArray();
		expect(layers.map((l) => l.page).sort()).toEqual([1, 2]);
		expect(
			outboxOf(synced, 'ocrLayers')
				.map((r) => r.rowId)
				.sort()
		).toEqual(layers.map((l) => l.id).sort());
		expect(outboxOf(synced, 'eventEdits')).toHaveLength(1);
		expect(outboxOf(synced, 'threads').map((r) => r.rowId)).toEqual([thread.id]);
		expect(outboxOf(synced, 'messages').map((r) => r.rowId)).toEqual([message.id]);
		// Every synced table was written, each left its rows in the outbox, and nothing bypassed the repository.
		expect(new Set(synced.map((r) => r.table))).toEqual(new Set(SYNCED_TABLES));
		expect(violations).toEqual([]);
	});

	it('a write that fails leaves neither the change, its outbox row, nor an event', async () => {
		const { db, events } = await setup();
		await expect(
			write(db, [db.cases], async (w) => {
				await db.cases.add({ id: 'c', title: 't', createdAt: 0, updatedAt: 0, lastActivityAt: 0, rev: 0 });
				await w.record([{ table: 'cases', rowId: 'c', caseId: 'c', op: 'put', baseRev: 0, fields: {} }]);
				w.emit({ type: 'caseChanged', caseId: 'c' });
				throw new Error('disk full');
			})
		).rejects.toThrow('disk full');
		expect(await db.cases.count()).toBe(0);
		expect(await db.outbox.count()).toBe(0);
		expect(events).toEqual([]);
	});

	it('the guard catches a write that bypasses the repository functions', async () => {
		const { db, violations } = await setup();
		await db.chunks.put({
			id: 'x',
			caseId: 'c',
			documentId: 'd',
			ordinal: 0,
			page: 1,
			start: 0,
			end: 1,
			text: 'x',
			rev: 0
		});
		await db.transaction('rw', db.documents, () => db.documents.delete('d'));
		expect(violations).toEqual(['chunks creating', 'documents deleting']);
	});

	it('ingestion, embedding, pulls, document removal and case deletion all write through the repository', async () => {
		const { db, store, violations, events } = await setup();
		const theCase = await createCase(db, 'Orchard');
		await touchCase(db, theCase.id);
		const doc = await addDocument(db, store, theCase.id, 'The tenant pays rent for the orchard.');
		await updateDocumentState(db, doc.id, { status: 'embedding' });
		const job = await enqueueEmbedding(db, doc.id);
		await runEmbedJob(db, job.id, embedder);
		expect(await db.vectors.where('documentId').equals(doc.id).count()).toBe(2);
		expect(events.map((e) => e.type)).toContain('vectorsStored');

		// A teammate's document and chunk arrive, then the teammate removes the document.
		const pulled = (row: Parameters<typeof applyServerRow>[1]) =>
			write(db, [db.documents, db.chunks, db.vectors, db.pages, db.ocrLayers, db.jobs, db.summaries, db.tensors], (w) =>
				applyServerRow(w, row, { keepPending: true })
			);
		await pulled({
			table: 'documents',
			id: 'teammate-doc',
			rev: 1,
			seq: 1,
			deleted: false,
			fields: { caseId: theCase.id, name: 'memo.txt', sha256: 'f'.repeat(64) }
		});
		await pulled({
			table: 'chunks',
			id: 'teammate-chunk',
			rev: 1,
			seq: 2,
			deleted: false,
			fields: {
				caseId: theCase.id,
				documentId: 'teammate-doc',
				text: 'A memo about the orchard.',
				embedding: [0, 1],
				embeddingModelId: 'tiny'
			}
		});
		expect(await db.vectors.get('teammate-chunk:tiny')).toMatchObject({ documentId: 'teammate-doc' });
		await pulled({
			table: 'ocrLayers',
			id: 'teammate-layer',
			rev: 1,
			seq: 3,
			deleted: false,
			fields: {
				caseId: theCase.id,
				documentId: 'teammate-doc',
				page: 1,
				text: 'A memo',
				confidence: 90,
				words: [['A', 90, 0.1, 0.1, 0.12, 0.15, 0, 1]]
			}
		});
		expect(await db.ocrLayers.get('teammate-layer')).toMatchObject({ page: 1, rev: 1 });
		await pulled({ table: 'documents', id: 'teammate-doc', rev: 2, seq: 3, deleted: true, fields: {} });
		expect(await db.chunks.get('teammate-chunk')).toBeUndefined();
		expect(await db.vectors.get('teammate-chunk:tiny')).toBeUndefined();
		expect(await db.ocrLayers.get('teammate-layer')).toBeUndefined();
		const pulledOutbox = (await db.outbox.toArray()).filter((r) => r.rowId.startsWith('teammate'));
		expect(pulledOutbox).toEqual([]);

		await removeDocument(db, store, doc.id);
		await deleteCase(db, store, theCase.id);
		expect(violations).toEqual([]);
		expect(events.map((e) => e.type)).toEqual(
			expect.arrayContaining(['documentAdded', 'chunksStored', 'chunksRemoved', 'documentRemoved', 'caseDeleted'])
		);
	});

	it('removing a document takes its text, vectors, pages, jobs and (when unused) bytes, and queues the deletion', async () => {
		const { db, store, events } = await setup();
		const theCase = await createCase(db, 'Orchard');
		const other = await createCase(db, 'Other');
		const doc = await addDocument(db, store, theCase.id, 'The tenant pays rent for the orchard.');
		// The same bytes in another case keep the file alive through the first removal.
		const twin = await addDocument(db, store, other.id, 'The tenant pays rent for the orchard.');
		await storeVectors(
			db,
			(await db.chunks.where('documentId').equals(doc.id).toArray()).map((c) => ({
				id: `${c.id}:tiny`,
				chunkId: c.id,
				caseId: c.caseId,
				documentId: c.documentId,
				modelId: 'tiny',
				dim: 2,
				vector: Float32Array.from([0.6, 0.8])
			}))
		);
		// As if the server had seen the document and its chunks.
		await db.transaction('rw', db.documents, db.chunks, db.outbox, async () => {
			await db.documents.update(doc.id, { rev: 3 });
			await db.chunks.where('documentId').equals(doc.id).modify({ rev: 1 });
			await db.outbox.clear();
		});
		const chunks = await db.chunks.where('documentId').equals(doc.id).toArray();
		events.length = 0;

		await removeDocument(db, store, doc.id);
		for (const table of [db.chunks, db.vectors, db.pages, db.jobs] as const)
			expect(await table.where('documentId').equals(doc.id).count()).toBe(0);
		expect(await db.documents.get(doc.id)).toBeUndefined();
		expect(await store.get(doc.sha256)).toBeDefined();
		const outbox = await db.outbox.toArray();
		expect(outbox.map((r) => [r.table, r.op, r.baseRev])).toEqual([
			...chunks.map(() => ['chunks', 'delete', 1]),
			['documents', 'delete', 3]
		]);
		const removed = events.find((e) => e.type === 'chunksRemoved');
		expect(removed?.type === 'chunksRemoved' && removed.chunks.map((c) => c.text)).toEqual(chunks.map((c) => c.text));
		expect(events.map((e) => e.type)).toEqual(['chunksRemoved', 'vectorsRemoved', 'documentRemoved']);

		await removeDocument(db, store, twin.id);
		expect(await store.get(doc.sha256)).toBeUndefined();
		expect(await db.files.get(doc.sha256)).toBeUndefined();
		// A document the server may not have seen yet: its unsent puts go, and the delete (which the server
		// accepts for a row it never had) follows any put already in flight.
		const twinOutbox = (await db.outbox.toArray()).filter((r) => r.rowId === twin.id);
		expect(twinOutbox.map((r) => [r.op, r.baseRev])).toEqual([['delete', 0]]);
	});

	it('an OCR page’s layer is replaced when the file is read again and deleted with it, for the team too', async () => {
		const { db, store } = await setup();
		const theCase = await createCase(db, 'Orchard');
		const doc = await addDocument(db, store, theCase.id, 'Scanned lease of the orchard.', true);
		const first = await db.ocrLayers.where('documentId').equals(doc.id).toArray();
		await db.transaction('rw', db.ocrLayers, db.outbox, async () => {
			await db.ocrLayers.where('documentId').equals(doc.id).modify({ rev: 2 });
			await db.outbox.clear();
		});
		// Read again (a retry): the old layers go, new ones come.
		await storeExtraction(
			db,
			{ caseId: theCase.id, documentId: doc.id, embed: false },
			extraction(['Lease, read again.'], true)
		);
		const second = await db.ocrLayers.where('documentId').equals(doc.id).toArray();
		expect(second.map((l) => [l.page, l.text])).toEqual([[1, 'Lease, read again.']]);
		const layerOps = (await db.outbox.toArray()).filter((r) => r.table === 'ocrLayers');
		expect(layerOps.map((r) => [r.op, r.rowId, r.baseRev])).toEqual([
			...first.map((l) => ['delete', l.id, 2]),
			['put', second[0]!.id, 0]
		]);
		// A page without OCR has no layer.
		const typed = await addDocument(db, store, theCase.id, 'A typed memo.');
		expect(await db.ocrLayers.where('documentId').equals(typed.id).count()).toBe(0);

		await db.outbox.clear();
		await removeDocument(db, store, doc.id);
		expect(await db.ocrLayers.where('documentId').equals(doc.id).count()).toBe(0);
		expect((await db.outbox.toArray()).filter((r) => r.table === 'ocrLayers').map((r) => [r.op, r.rowId])).toEqual([
			['delete', second[0]!.id]
		]);
	});
});
