/**
 * Runs the embedding jobs in the background through the AI engine (whichever tab hosts it): makes sure an
 * embedding model is loaded (the chosen one, else the default for this GPU, else the transformers.js
 * fallback), re-queues documents embedded with another model, then works through the queue.
 * Call `run()` after ingestion stores chunks, at start-up (resumes after a reload), and when the network
 * or a model comes back. In a browser, a Web Lock keeps two tabs from running the same queue at once.
 */
import type { DocketDatabase } from '../db/database.ts';
import { EmbeddingModelChangedError, ModelNotChosenError, NoEmbeddingModelError } from '../errors.ts';
import {
	parkWaitingDocuments,
	pendingEmbedJobs,
	reembedAll,
	runPendingEmbedJobs,
	type EmbedJobEmbedder,
	type RunOptions
} from './embed-jobs.ts';
import { chooseDefaults, type MachineProfile } from './model-registry.ts';
import { mayFetchModels, readModelSettings } from './model-settings.ts';
import type { AiClient, EmbeddingChoice, EmbedResult } from './protocol.ts';

export const EMBED_JOBS_LOCK = 'docket-embed-jobs';

/** The engine's embedding model as the job runner's embedder; refuses vectors from a model that changed mid-run. */
export function clientEmbedder(
	embed: (texts: string[]) => Promise<EmbedResult>,
	modelId: string,
	dim: number
): EmbedJobEmbedder {
	return {
		modelId,
		dim,
		async embed(texts) {
			const result = await embed([...texts]);
			if (result.modelId !== modelId || result.dim !== dim) throw new EmbeddingModelChangedError();
			return result.vectors;
		}
	};
}

export interface EmbeddingRunnerOptions {
	db: DocketDatabase;
	client: Pick<AiClient, 'call'>;
	profile: () => MachineProfile;
	/** `navigator.locks` in a browser (one tab runs the queue at a time); omitted in Node and tests. */
	locks?: { request<T>(name: string, callback: (lock: unknown) => Promise<T>): Promise<T> };
	/** Overrides the model choice (tests, the fixture in browser tests). */
	embedding?: EmbeddingChoice;
	baseUrl?: string;
	/**
	 * The embedding model the engine has ready, as last heard from its status events. With it, a run that
	 * finds nothing queued does not start the AI worker just to ask; without it, the runner asks.
	 */
	loadedModel?: () => string | undefined;
}

/** Documents wait for embedding (keyword search works) until the person chooses or allows a model download. */
export class EmbeddingRunner {
	constructor(private readonly options: EmbeddingRunnerOptions) {}

	/** Loads an embedding model unless one is ready; returns its id and width. */
	async ensureModel(): Promise<{ modelId: string; dim: number }> {
		const status = await this.options.client.call('status', {});
		const settings = await readModelSettings(this.options.db);
		const wanted = this.options.embedding ?? this.defaultChoice(settings.embeddingModelId);
		const wantedId = wanted ? choiceId(wanted) : undefined;
		const current = status.embedding;
		if (
			current.state === 'ready' &&
			current.dim !== undefined &&
			(wantedId === undefined || current.modelId === wantedId || current.fallback)
		)
			return { modelId: current.modelId, dim: current.dim };
		// No third-party request unless the person asks: the default comes from the public hub.
		if (this.options.embedding === undefined && !mayFetchModels(settings)) throw new ModelNotChosenError();
		const baseUrl = this.options.baseUrl ?? settings.baseUrl;
		const params = wanted
			? { embedding: wanted, fallbackEmbedding: true }
			: { embedding: fallbackChoice(), fallbackEmbedding: true };
		const chat = status.chat.state === 'ready' ? { chatModelId: status.chat.modelId } : {};
		const loaded = await this.options.client.call(
			'load',
			baseUrl ? { ...params, ...chat, baseUrl } : { ...params, ...chat }
		);
		if (loaded.embedding.state !== 'ready' || loaded.embedding.dim === undefined)
			throw new NoEmbeddingModelError('Open Settings › Models to choose one.');
		return { modelId: loaded.embedding.modelId, dim: loaded.embedding.dim };
	}

	private defaultChoice(chosen: string | undefined): EmbeddingChoice | undefined {
		if (chosen) return { engine: 'web-llm', modelId: chosen };
		const model = chooseDefaults(this.options.profile()).embedding;
		return model ? { engine: 'web-llm', modelId: model.id } : undefined;
	}

	/** Whether there is anything to embed; checked before loading a model, so a start-up with nothing queued downloads nothing. */
	async hasWork(): Promise<boolean> {
		const { db } = this.options;
		if ((await pendingEmbedJobs(db)).length > 0) return true;
		// The model asked for (here or in Settings), else the one loaded (by another tab, say): documents embedded with another one follow it.
		const chosen = this.options.embedding
			? choiceId(this.options.embedding)
			: (await readModelSettings(db)).embeddingModelId;
		const target = chosen ?? (this.options.loadedModel ? this.options.loadedModel() : await this.readyModel());
		if (target === undefined) return false;
		return (
			(await db.documents
				.filter((d) => d.status === 'indexed' && d.embeddingModelId !== undefined && d.embeddingModelId !== target)
				.count()) > 0
		);
	}

	private async readyModel(): Promise<string | undefined> {
		const { embedding } = await this.options.client.call('status', {});
		return embedding.state === 'ready' ? embedding.modelId : undefined;
	}

	/**
	 * Works through the queue; resolves (never rejects) when it is empty or waiting for a model. While it
	 * waits, `error` says why and the documents concerned show `Indexed` (keyword search) until a later run.
	 */
	async run(options: Omit<RunOptions, 'batchSize'> = {}): Promise<EmbeddingRunResult> {
		const { db } = this.options;
		const work = async (): Promise<EmbeddingRunResult> => {
			if (!(await this.hasWork())) return { done: 0 };
			try {
				const { modelId, dim } = await this.ensureModel();
				await reembedAll(db, modelId);
				const result = await runPendingEmbedJobs(
					db,
					clientEmbedder((texts) => this.options.client.call('embed', { texts }), modelId, dim),
					options
				);
				if (result.error === undefined) return result;
				return { ...result, waiting: await parkWaitingDocuments(db) };
			} catch (error) {
				return { done: 0, error, waiting: await parkWaitingDocuments(db) };
			}
		};
		// Another tab may be running the queue: wait for it, then pick up whatever it left.
		return this.options.locks ? this.options.locks.request(EMBED_JOBS_LOCK, work) : work();
	}
}

export interface EmbeddingRunResult {
	done: number;
	/** Why the queue stopped (no model here, offline, …); the jobs stay queued. */
	error?: unknown;
	/** Documents still waiting for an embedding model. */
	waiting?: number;
}

function choiceId(choice: EmbeddingChoice): string {
	return choice.engine === 'web-llm' ? choice.modelId : (choice.modelId ?? choice.repo);
}

function fallbackChoice(): EmbeddingChoice {
	return { engine: 'transformers', repo: 'Snowflake/snowflake-arctic-embed-s', dtype: 'q8', pooling: 'cls' };
}
