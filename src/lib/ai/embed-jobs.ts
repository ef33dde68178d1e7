/**
 * Background embedding of a document's chunks, persisted so a reload resumes where it stopped.
 *
 * A document that has chunks gets one `embed` job (id `embed:${documentId}`) and the status `embedding`.
 * The runner embeds chunks in batches; each batch's vectors and the job's progress are written in one
 * transaction, so after a reload the chunks that already have a vector of the current model are skipped.
 * Vectors are keyed `${chunkId}:${modelId}`: two models' vectors never share a row, and when a document is
 * done, its vectors of any other model are deleted so a search cannot mix them. Changing the embedding model
 * re-queues every embedded document (`reembedAll`).
 */
import type { DocketDatabase } from '../db/database.ts';
import { updateDocumentState } from '../db/documents.ts';
import { deleteDocumentVectors, storeVectors } from '../db/vectors.ts';
import { write } from '../db/writes.ts';
import type { ChunkRow, JobRow, VectorRow } from '../db/schema.ts';
import { toDocketError } from '../errors.ts';
import type { Embedder } from './embedder.ts';

export type EmbedJobEmbedder = Pick<Embedder, 'modelId' | 'dim' | 'embed'>;

export const EMBED_BATCH_SIZE = 16;
/** Failures that retrying cannot fix right now (no model here yet); the job waits instead of failing. */
const WAIT_CODES = new Set([
	'model-not-cached',
	'webgpu-unavailable',
	'network',
	'not-found',
	'worker-crashed',
	'timeout',
	'conflict'
]);
const MAX_ATTEMPTS = 3;

export function embedJobId(documentId: string): string {
	return `embed:${documentId}`;
}

export function vectorId(chunkId: string, modelId: string): string {
	return `${chunkId}:${modelId}`;
}

/** Queues a document for embedding (idempotent) and shows it as `Embedding`. Call after its chunks are stored. */
export async function enqueueEmbedding(db: DocketDatabase, documentId: string, now = Date.now()): Promise<JobRow> {
	return write(db, [db.documents, db.jobs], async () => {
		const document = await db.documents.get(documentId);
		if (!document) throw new Error(`Document ${documentId} does not exist.`);
		const id = embedJobId(documentId);
		const existing = await db.jobs.get(id);
		const job: JobRow = {
			id,
			kind: 'embed',
			caseId: document.caseId,
			documentId,
			state: 'queued',
			progress: 0,
			attempts: 0,
			createdAt: existing?.createdAt ?? now,
			updatedAt: now
		};
		await db.jobs.put(job);
		await updateDocumentState(db, documentId, { status: 'embedding', updatedAt: now });
		return job;
	});
}

/** Re-queues every document whose vectors are not of `modelId` (the embedding model changed). */
export async function reembedAll(db: DocketDatabase, modelId: string): Promise<number> {
	const stale = await db.documents
		.filter((d) => (d.status === 'indexed' || d.status === 'embedding') && d.embeddingModelId !== modelId)
		.toArray();
	for (const d of stale) await enqueueEmbedding(db, d.id);
	return stale.length;
}

/** Embed jobs still to do, oldest first (after a reload: the ones that were running too). */
export async function pendingEmbedJobs(db: DocketDatabase): Promise<JobRow[]> {
	const jobs = await db.jobs
		.where('[kind+state]')
		.anyOf([
			['embed', 'queued'],
			['embed', 'embedding']
		])
		.toArray();
	return jobs.sort((a, b) => a.createdAt - b.createdAt);
}

/**
 * While no embedding model can be loaded, documents waiting for one show `Indexed` (their keyword index is
 * complete) instead of an `Embedding` that is not happening; their jobs stay queued and flip them back
 * when they run. Returns how many documents wait.
 */
export async function parkWaitingDocuments(db: DocketDatabase, now = Date.now()): Promise<number> {
	const jobs = await pendingEmbedJobs(db);
	if (jobs.length === 0) return 0;
	await write(db, [db.jobs, db.documents], async () => {
		for (const job of jobs) {
			if (job.state === 'embedding') await db.jobs.update(job.id, { state: 'queued', updatedAt: now });
			await updateDocumentState(
				db,
				job.documentId,
				{ status: 'indexed', updatedAt: now },
				(d) => d.status === 'embedding'
			);
		}
	});
	return new Set(jobs.map((j) => j.documentId)).size;
}

export interface RunOptions {
	batchSize?: number;
	signal?: AbortSignal;
	onProgress?: (job: JobRow) => void;
	now?: () => number;
}

/** Runs one job to the end (or until aborted). Returns the job as last written. */
export async function runEmbedJob(
	db: DocketDatabase,
	jobId: string,
	embedder: EmbedJobEmbedder,
	options: RunOptions = {}
): Promise<JobRow> {
	const now = options.now ?? Date.now;
	const batchSize = options.batchSize ?? EMBED_BATCH_SIZE;
	const start = await db.jobs.get(jobId);
	if (!start || start.kind !== 'embed') throw new Error(`No embed job ${jobId}.`);
	if (start.state === 'done' || start.state === 'cancelled') return start;
	const { modelId, dim } = embedder;
	try {
		const chunks = await db.chunks.where('documentId').equals(start.documentId).sortBy('ordinal');
		const have = new Set(
			(
				await db.vectors
					.where('documentId')
					.equals(start.documentId)
					.filter((v) => v.modelId === modelId && v.dim === dim)
					.primaryKeys()
			).map(String)
		);
		const todo = chunks.filter((c) => !have.has(vectorId(c.id, modelId)));
		let done = chunks.length - todo.length;
		let job = await write(db, [db.jobs, db.documents], async () => {
			// A document parked as keyword-only while no model was at hand shows `Embedding` again.
			await updateDocumentState(
				db,
				start.documentId,
				{ status: 'embedding', updatedAt: now() },
				(d) => d.status === 'indexed'
			);
			return setJob(db, jobId, { state: 'embedding', progress: ratio(done, chunks.length), updatedAt: now() });
		});
		for (let i = 0; i < todo.length; i += batchSize) {
			if (options.signal?.aborted) return job;
			const batch = todo.slice(i, i + batchSize);
			const vectors = await embedder.embed(batch.map((c) => c.text));
			const rows = toRows(batch, vectors, modelId, dim);
			done += batch.length;
			job = await write(db, [db.vectors, db.jobs], async () => {
				// A document deleted meanwhile takes its job with it; do not resurrect its vectors.
				if (!(await db.jobs.get(jobId))) return job;
				await storeVectors(db, rows);
				return setJob(db, jobId, { progress: ratio(done, chunks.length), updatedAt: now() });
			});
			options.onProgress?.(job);
		}
		return await write(db, [db.vectors, db.jobs, db.documents], async () => {
			await deleteDocumentVectors(
				db,
				{ caseId: start.caseId, documentId: start.documentId },
				(v) => v.modelId !== modelId || v.dim !== dim
			);
			await updateDocumentState(db, start.documentId, {
				status: 'indexed',
				embeddingModelId: modelId,
				updatedAt: now()
			});
			return setJob(db, jobId, { state: 'done', progress: 1, updatedAt: now() });
		});
	} catch (error) {
		const e = toDocketError(error);
		const current = await db.jobs.get(jobId);
		const attempts = (current?.attempts ?? 0) + 1;
		const waits = WAIT_CODES.has(e.code);
		const failed = !waits && attempts >= MAX_ATTEMPTS;
		await write(db, [db.jobs, db.documents], async () => {
			await setJob(db, jobId, {
				state: failed ? 'failed' : 'queued',
				attempts,
				error: e.userMessage,
				updatedAt: now()
			});
			if (failed)
				await updateDocumentState(db, start.documentId, {
					status: 'failed',
					error: `Embedding failed: ${e.userMessage}`,
					updatedAt: now()
				});
		});
		throw e;
	}
}

/**
 * Runs every pending job, oldest first; stops at the first failure that needs a person or a model
 * (the job stays queued, so the next call — after a reload, a download or reconnecting — resumes it).
 */
export async function runPendingEmbedJobs(
	db: DocketDatabase,
	embedder: EmbedJobEmbedder,
	options: RunOptions = {}
): Promise<{ done: number; error?: unknown }> {
	let done = 0;
	for (;;) {
		const [next] = await pendingEmbedJobs(db);
		if (!next || options.signal?.aborted) return { done };
		try {
			const job = await runEmbedJob(db, next.id, embedder, options);
			if (job.state === 'done') done++;
			else return { done };
		} catch (error) {
			const after = await db.jobs.get(next.id);
			// A job that failed for good is out of the queue; carry on with the others.
			if (after?.state !== 'failed') return { done, error };
		}
	}
}

function ratio(done: number, total: number): number {
	return total === 0 ? 1 : done / total;
}

async function setJob(db: DocketDatabase, id: string, changes: Partial<JobRow>): Promise<JobRow> {
	await db.jobs.update(id, changes);
	const job = await db.jobs.get(id);
	if (!job) throw new Error(`Job ${id} disappeared.`);
	return job;
}

function toRows(chunks: ChunkRow[], vectors: Float32Array[], modelId: string, dim: number): VectorRow[] {
	if (vectors.length !== chunks.length)
		throw new Error(`The embedding model returned ${vectors.length} vectors for ${chunks.length} passages.`);
	return chunks.map((chunk, i) => {
		const vector = vectors[i]!;
		if (vector.length !== dim)
			throw new Error(`The embedding model returned a ${vector.length}-dimension vector; ${modelId} has ${dim}.`);
		return {
			id: vectorId(chunk.id, modelId),
			chunkId: chunk.id,
			caseId: chunk.caseId,
			documentId: chunk.documentId,
			modelId,
			dim,
			vector
		};
	});
}
