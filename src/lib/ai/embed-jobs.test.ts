import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocketDatabase } from '../db/database.ts';
import type { ChunkRow, DocumentRow } from '../db/schema.ts';
import { DocketError } from '../errors.ts';
import { freshDatabase } from '../testing/db.ts';
import { TINY_MODEL_DIM, TINY_MODEL_REPO, loadTinyEmbedder } from '../testing/tiny-model.ts';
import type { Embedder } from './embedder.ts';
import {
	embedJobId,
	enqueueEmbedding,
	parkWaitingDocuments,
	pendingEmbedJobs,
	reembedAll,
	runEmbedJob,
	runPendingEmbedJobs,
	vectorId,
	type EmbedJobEmbedder
} from './embed-jobs.ts';

const WORDS =
	'the court said contract evidence witness judge law deposition plaintiff defendant damages breach motion order trial'.split(
		' '
	);

async function seedDocument(
	db: DocketDatabase,
	caseId: string,
	chunks: number
): Promise<{ document: DocumentRow; chunks: ChunkRow[] }> {
	const now = Date.now();
	const document: DocumentRow = {
		id: crypto.randomUUID(),
		caseId,
		name: 'exhibit.pdf',
		sha256: crypto.randomUUID(),
		size: 1,
		mimeType: 'application/pdf',
		kind: 'pdf',
		status: 'extracting',
		createdAt: now,
		updatedAt: now,
		rev: 0
	};
	const rows: ChunkRow[] = Array.from({ length: chunks }, (_, i) => ({
		id: crypto.randomUUID(),
		caseId,
		documentId: document.id,
		ordinal: i,
		page: 1 + Math.floor(i / 4),
		start: 0,
		end: 10,
		text: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} ${WORDS[(i * 3 + 1) % WORDS.length]} page ${i}`,
		rev: 0
	}));
	await db.documents.add(document);
	await db.chunks.bulkAdd(rows);
	return { document, chunks: rows };
}

/** Counts the texts it is asked to embed; can fail on a chosen call. */
function counting(inner: EmbedJobEmbedder, failOnCall?: { call: number; error: Error }) {
	const seen: string[] = [];
	let calls = 0;
	const embedder: EmbedJobEmbedder = {
		modelId: inner.modelId,
		dim: inner.dim,
		async embed(texts) {
			calls++;
			if (failOnCall && calls === failOnCall.call) throw failOnCall.error;
			seen.push(...texts);
			return inner.embed(texts);
		}
	};
	return { embedder, seen };
}

/** A second "model": a different id and width, so mixing would show. */
const otherModel: EmbedJobEmbedder = {
	modelId: 'other-model',
	dim: 4,
	embed: async (texts) => texts.map((t) => Float32Array.of(1, t.length, 0, 0).map((x, _, a) => x / Math.hypot(...a)))
};

describe('embedding jobs', () => {
	let tiny: Embedder;
	beforeAll(async () => {
		tiny = await loadTinyEmbedder();
	});
	afterAll(async () => {
		await tiny.dispose();
	});

	it('embeds a document in batches: unit vectors keyed chunk:model, then Indexed', async () => {
		const db = await freshDatabase();
		const { document, chunks } = await seedDocument(db, 'case-1', 10);
		await enqueueEmbedding(db, document.id);
		expect((await db.documents.get(document.id))?.status).toBe('embedding');
		expect(await pendingEmbedJobs(db)).toMatchObject([
			{ id: embedJobId(document.id), kind: 'embed', state: 'queued', progress: 0 }
		]);

		const progress: number[] = [];
		const job = await runEmbedJob(db, embedJobId(document.id), tiny, {
			batchSize: 4,
			onProgress: (j) => progress.push(j.progress)
		});
		expect(job).toMatchObject({ state: 'done', progress: 1 });
		expect(progress).toEqual([0.4, 0.8, 1]);
		const vectors = await db.vectors.where('[caseId+modelId]').equals(['case-1', TINY_MODEL_REPO]).toArray();
		expect(vectors.map((v) => v.id).sort()).toEqual(chunks.map((c) => vectorId(c.id, TINY_MODEL_REPO)).sort());
		for (const v of vectors) {
			expect(v.dim).toBe(TINY_MODEL_DIM);
			expect(v.vector).toBeInstanceOf(Float32Array);
			expect(Math.hypot(...v.vector)).toBeCloseTo(1, 5);
		}
		// Stored vectors are what the model gives for the chunk's text.
		const [expected] = await tiny.embed([chunks[3]!.text]);
		expect([...(await db.vectors.get(vectorId(chunks[3]!.id, TINY_MODEL_REPO)))!.vector]).toEqual([...expected!]);
		expect(await db.documents.get(document.id)).toMatchObject({ status: 'indexed', embeddingModelId: TINY_MODEL_REPO });
		expect(await pendingEmbedJobs(db)).toEqual([]);
	});

	it('resumes after a reload without embedding a chunk twice', async () => {
		const db = await freshDatabase();
		const { document, chunks } = await seedDocument(db, 'case-1', 12);
		await enqueueEmbedding(db, document.id);
		// The tab goes away during the third batch.
		const first = counting(tiny, {
			call: 3,
			error: new DocketError('worker-crashed', 'The model worker stopped: reload')
		});
		await expect(runPendingEmbedJobs(db, first.embedder, { batchSize: 4 })).resolves.toMatchObject({
			done: 0,
			error: expect.objectContaining({ code: 'worker-crashed' })
		});
		const interrupted = await db.jobs.get(embedJobId(document.id));
		expect(interrupted).toMatchObject({ state: 'queued', attempts: 1 });
		expect(interrupted!.progress).toBeCloseTo(8 / 12);
		expect((await db.documents.get(document.id))?.status).toBe('embedding');

		// After the reload, a fresh runner picks the job up and embeds only what is missing.
		const second = counting(tiny);
		await expect(runPendingEmbedJobs(db, second.embedder, { batchSize: 4 })).resolves.toEqual({ done: 1 });
		expect(second.seen).toEqual(chunks.slice(8).map((c) => c.text));
		expect(first.seen.length + second.seen.length).toBe(12);
		expect(await db.vectors.where('documentId').equals(document.id).count()).toBe(12);
		expect((await db.documents.get(document.id))?.status).toBe('indexed');
	});

	it('re-embeds with a new model, and the two models never mix', async () => {
		const db = await freshDatabase();
		const a = await seedDocument(db, 'case-1', 5);
		const b = await seedDocument(db, 'case-1', 3);
		for (const d of [a, b]) await enqueueEmbedding(db, d.document.id);
		await runPendingEmbedJobs(db, tiny);
		expect(await db.vectors.where('[caseId+modelId]').equals(['case-1', TINY_MODEL_REPO]).count()).toBe(8);

		expect(await reembedAll(db, otherModel.modelId)).toBe(2);
		expect((await db.documents.get(a.document.id))?.status).toBe('embedding');
		expect(await reembedAll(db, otherModel.modelId)).toBe(2); // idempotent: still the same two jobs
		expect(await pendingEmbedJobs(db)).toHaveLength(2);

		// Half-way: document a has the new model's vectors, b still the old ones; each query names one model.
		await runEmbedJob(db, embedJobId(a.document.id), otherModel);
		const mixed = await db.vectors.where('caseId').equals('case-1').toArray();
		expect(
			mixed.filter((v) => v.modelId === otherModel.modelId).every((v) => v.dim === 4 && v.documentId === a.document.id)
		).toBe(true);
		expect(await db.vectors.where('[caseId+modelId]').equals(['case-1', TINY_MODEL_REPO]).count()).toBe(3);

		await runPendingEmbedJobs(db, otherModel);
		const all = await db.vectors.where('caseId').equals('case-1').toArray();
		expect(all).toHaveLength(8);
		expect(new Set(all.map((v) => v.modelId))).toEqual(new Set([otherModel.modelId]));
		expect(await db.documents.get(b.document.id)).toMatchObject({ status: 'indexed', embeddingModelId: 'other-model' });
	});

	it('waits (does not fail the document) while no model is available', async () => {
		const db = await freshDatabase();
		const { document } = await seedDocument(db, 'case-1', 2);
		await enqueueEmbedding(db, document.id);
		const offline: EmbedJobEmbedder = {
			modelId: 'm',
			dim: 2,
			embed: async () => {
				throw new DocketError('model-not-cached', 'You are offline and X has not been downloaded on this device yet.');
			}
		};
		for (let i = 0; i < 4; i++)
			expect((await runPendingEmbedJobs(db, offline)).error).toMatchObject({ code: 'model-not-cached' });
		expect(await db.jobs.get(embedJobId(document.id))).toMatchObject({
			state: 'queued',
			error: expect.stringContaining('offline')
		});
		expect((await db.documents.get(document.id))?.status).toBe('embedding');
	});

	it('fails the document after repeated real failures, and carries on with the next', async () => {
		const db = await freshDatabase();
		const bad = await seedDocument(db, 'case-1', 2);
		const good = await seedDocument(db, 'case-1', 2);
		await enqueueEmbedding(db, bad.document.id, 1);
		await enqueueEmbedding(db, good.document.id, 2);
		const broken: EmbedJobEmbedder = {
			modelId: 'm',
			dim: 2,
			embed: async (texts) => texts.map(() => Float32Array.of(1, 0, 0))
		};
		for (let i = 0; i < 3; i++)
			await expect(runEmbedJob(db, embedJobId(bad.document.id), broken)).rejects.toThrow(/3-dimension vector; m has 2/);
		expect(await db.jobs.get(embedJobId(bad.document.id))).toMatchObject({ state: 'failed', attempts: 3 });
		expect(await db.documents.get(bad.document.id)).toMatchObject({
			status: 'failed',
			error: expect.stringContaining('Embedding failed')
		});
		expect(await db.vectors.where('documentId').equals(bad.document.id).count()).toBe(0);
		await expect(runPendingEmbedJobs(db, tiny)).resolves.toEqual({ done: 1 });
		expect((await db.documents.get(good.document.id))?.status).toBe('indexed');
	});

	it('a document without chunks is indexed at once', async () => {
		const db = await freshDatabase();
		const { document } = await seedDocument(db, 'case-1', 0);
		await enqueueEmbedding(db, document.id);
		await expect(runEmbedJob(db, embedJobId(document.id), tiny)).resolves.toMatchObject({ state: 'done', progress: 1 });
	});

	it('parks documents waiting for a model as Indexed, and shows them Embedding again when their job runs', async () => {
		const db = await freshDatabase();
		const { document } = await seedDocument(db, 'case-1', 3);
		await enqueueEmbedding(db, document.id);
		await expect(parkWaitingDocuments(db)).resolves.toBe(1);
		expect((await db.documents.get(document.id))?.status).toBe('indexed');
		expect((await db.jobs.get(embedJobId(document.id)))?.state).toBe('queued');

		const statuses: string[] = [];
		const watching: EmbedJobEmbedder = {
			modelId: tiny.modelId,
			dim: tiny.dim,
			async embed(texts) {
				statuses.push((await db.documents.get(document.id))?.status ?? 'missing');
				return tiny.embed(texts);
			}
		};
		await expect(runPendingEmbedJobs(db, watching)).resolves.toEqual({ done: 1 });
		expect(statuses).toEqual(['embedding']);
		expect(await db.documents.get(document.id)).toMatchObject({ status: 'indexed', embeddingModelId: TINY_MODEL_REPO });
		await expect(parkWaitingDocuments(db)).resolves.toBe(0);
	});
});
