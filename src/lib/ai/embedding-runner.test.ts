import { describe, expect, it } from 'vitest';
import type { ChunkRow, DocumentRow } from '../db/schema.ts';
import { freshDatabase } from '../testing/db.ts';
import { FIXTURE_MODELS_DIR, TINY_MODEL_DIM, TINY_MODEL_REPO } from '../testing/tiny-model.ts';
import { AiHost } from './ai-host.ts';
import { embedJobId, enqueueEmbedding } from './embed-jobs.ts';
import { ModelNotChosenError } from '../errors.ts';
import { EmbeddingRunner, clientEmbedder } from './embedding-runner.ts';
import { connect, memoryChannel, serve } from '../worker/transport.ts';
import { answerDownloadOffer } from './model-settings.ts';
import { aiProtocol, type AiCalls, type AiEvents } from './protocol.ts';
import { loadTransformersEmbedder } from './transformers-embedder.ts';

/** The real host in-process, with web-llm unavailable (as on a machine without WebGPU) and the fixture as transformers.js model. */
function engine(options: { offline?: () => boolean; loads?: string[] } = {}) {
	const channel = memoryChannel<AiCalls, AiEvents>();
	const host = new AiHost(
		{
			createWebLlm: async () => {
				throw Object.assign(new Error('WebGPU is not supported in your current environment'), {
					name: 'WebGPUNotAvailableError'
				});
			},
			loadTransformers: async (o) => {
				options.loads?.push(o.modelId ?? o.repo);
				if (options.offline?.()) throw new TypeError('Failed to fetch');
				return loadTransformersEmbedder({
					...o,
					repo: TINY_MODEL_REPO,
					dtype: 'fp32',
					pooling: 'mean',
					source: { kind: 'local-dir', dir: FIXTURE_MODELS_DIR },
					devices: ['cpu']
				});
			},
			online: () => !options.offline?.()
		},
		(status) => server.emit('status', status)
	);
	const server = serve(aiProtocol, channel.server, host.handlers);
	return connect(aiProtocol, channel.client);
}

const noGpu = () => ({
	webgpu: false,
	features: [],
	maxStorageBufferBindingSize: 0,
	maxBufferSize: 0,
	isFallbackAdapter: false
});

/** A document of `n` chunks queued for embedding; `consent`: the person allowed the default model's download. */
async function seed(db: Awaited<ReturnType<typeof freshDatabase>>, n: number, consent = true) {
	if (consent) await answerDownloadOffer(db, 'accepted');
	const now = Date.now();
	const doc: DocumentRow = {
		id: crypto.randomUUID(),
		caseId: 'c',
		name: 'a.pdf',
		sha256: 'x',
		size: 1,
		mimeType: 'application/pdf',
		kind: 'pdf',
		status: 'extracting',
		createdAt: now,
		updatedAt: now,
		rev: 0
	};
	const chunks: ChunkRow[] = Array.from({ length: n }, (_, i) => ({
		id: `${doc.id}-${i}`,
		caseId: 'c',
		documentId: doc.id,
		ordinal: i,
		page: 1,
		start: 0,
		end: 5,
		text: `the court page ${i}`,
		rev: 0
	}));
	await db.documents.add(doc);
	await db.chunks.bulkAdd(chunks);
	await enqueueEmbedding(db, doc.id);
	return doc;
}

describe('embedding runner through the AI protocol', () => {
	it('fetches no model until the person chooses one or accepts the download; documents wait quietly', async () => {
		const db = await freshDatabase();
		const doc = await seed(db, 3, false);
		const loads: string[] = [];
		const runner = new EmbeddingRunner({ db, client: engine({ loads }), profile: noGpu });
		const waiting = await runner.run();
		expect(waiting.error).toBeInstanceOf(ModelNotChosenError);
		expect(waiting.waiting).toBe(1);
		expect(loads).toEqual([]);
		expect((await db.documents.get(doc.id))?.status).toBe('indexed');
		// Declining is remembered and still fetches nothing.
		await answerDownloadOffer(db, 'declined');
		expect((await runner.run()).error).toBeInstanceOf(ModelNotChosenError);
		expect(loads).toEqual([]);
		await answerDownloadOffer(db, 'accepted');
		await expect(runner.run()).resolves.toEqual({ done: 1 });
		expect(loads).toEqual(['Snowflake/snowflake-arctic-embed-s']);
	});

	it('falls back when web-llm cannot run, embeds the queue, and marks documents Indexed', async () => {
		const db = await freshDatabase();
		const doc = await seed(db, 5);
		const runner = new EmbeddingRunner({ db, client: engine(), profile: noGpu });
		await expect(runner.run()).resolves.toEqual({ done: 1 });
		// The fallback's id is stored with the vectors (the fixture stands in for its weights).
		const vectors = await db.vectors.where('documentId').equals(doc.id).toArray();
		expect(vectors).toHaveLength(5);
		expect(new Set(vectors.map((v) => `${v.modelId}/${v.dim}`))).toEqual(
			new Set([`Snowflake/snowflake-arctic-embed-s/${TINY_MODEL_DIM}`])
		);
		expect(await db.documents.get(doc.id)).toMatchObject({
			status: 'indexed',
			embeddingModelId: 'Snowflake/snowflake-arctic-embed-s'
		});
	});

	it('a different embedding model re-embeds what was indexed before', async () => {
		const db = await freshDatabase();
		const client = engine();
		const doc = await seed(db, 3);
		await new EmbeddingRunner({ db, client, profile: noGpu }).run();
		const runner = new EmbeddingRunner({
			db,
			client,
			profile: noGpu,
			embedding: { engine: 'transformers', repo: TINY_MODEL_REPO }
		});
		await expect(runner.run()).resolves.toEqual({ done: 1 });
		const models = new Set((await db.vectors.where('documentId').equals(doc.id).toArray()).map((v) => v.modelId));
		expect(models).toEqual(new Set([TINY_MODEL_REPO]));
	});

	it('one tab at a time runs the queue; the second finds it done', async () => {
		const db = await freshDatabase();
		const doc = await seed(db, 2);
		// A Web Lock in miniature: callbacks run one after another.
		let tail: Promise<unknown> = Promise.resolve();
		let inside = 0;
		let overlapped = false;
		const locks = {
			request<T>(_name: string, callback: (lock: unknown) => Promise<T>): Promise<T> {
				const run = tail.then(async () => {
					overlapped ||= inside > 0;
					inside++;
					try {
						return await callback({});
					} finally {
						inside--;
					}
				});
				tail = run.catch(() => undefined);
				return run;
			}
		};
		const client = engine();
		const a = new EmbeddingRunner({ db, client, profile: noGpu, locks });
		const b = new EmbeddingRunner({ db, client, profile: noGpu, locks });
		const results = await Promise.all([a.run(), b.run()]);
		expect(overlapped).toBe(false);
		expect(results.map((r) => r.done).sort()).toEqual([0, 1]);
		expect(await db.vectors.where('documentId').equals(doc.id).count()).toBe(2);
	});

	it('loads no model when nothing is queued', async () => {
		const db = await freshDatabase();
		const loads: string[] = [];
		await expect(new EmbeddingRunner({ db, client: engine({ loads }), profile: noGpu }).run()).resolves.toEqual({
			done: 0
		});
		expect(loads).toEqual([]);
	});

	it('without a model (offline, nothing cached) it resolves quietly, shows the document Indexed, and resumes later', async () => {
		const db = await freshDatabase();
		let offline = true;
		const client = engine({ offline: () => offline });
		const doc = await seed(db, 3);
		expect((await db.documents.get(doc.id))?.status).toBe('embedding');
		const runner = new EmbeddingRunner({ db, client, profile: noGpu });
		const waiting = await runner.run();
		expect(waiting).toMatchObject({ done: 0, waiting: 1 });
		expect(waiting.error).toBeDefined();
		expect(await db.documents.get(doc.id)).toMatchObject({ status: 'indexed' });
		expect((await db.documents.get(doc.id))?.embeddingModelId).toBeUndefined();
		expect((await db.jobs.get(embedJobId(doc.id)))?.state).toBe('queued');
		expect(await db.vectors.count()).toBe(0);

		offline = false;
		await expect(runner.run()).resolves.toEqual({ done: 1 });
		expect(await db.documents.get(doc.id)).toMatchObject({
			status: 'indexed',
			embeddingModelId: 'Snowflake/snowflake-arctic-embed-s'
		});
		expect(await db.vectors.where('documentId').equals(doc.id).count()).toBe(3);
	});

	it('refuses vectors from a model that changed mid-run', async () => {
		const embedder = clientEmbedder(async () => ({ modelId: 'other', dim: 4, vectors: [] }), 'mine', 4);
		await expect(embedder.embed(['x'])).rejects.toMatchObject({ code: 'conflict' });
		expect(embedJobId('d')).toBe('embed:d');
	});
});
