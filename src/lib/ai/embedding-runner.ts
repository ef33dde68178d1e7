/**
 * Runs the embedding jobs in the background through the AI engine (whichever tab hosts it): makes sure an
 * embedding model is loaded (the chosen one, else the default for this GPU, else the transformers.js
 * fallback), re-queues documents embedded with another model, then works through the queue.
 * Call `run()` after ingestion stores chunks, at start-up (resumes after a reload), and when the network
 * or a model comes back. In a browser, a Web Lock keeps two tabs from running the same queue.
 */
import type { DocketDatabase } from '../db/database.ts';
import { DocketError } from '../errors.ts';
import type { AiClient } from './client.ts';
import { reembedAll, runPendingEmbedJobs, type EmbedJobEmbedder, type RunOptions } from './embed-jobs.ts';
import { chooseDefaults, type MachineProfile } from './model-registry.ts';
import { readModelSettings } from './model-settings.ts';
import type { EmbeddingChoice } from './protocol.ts';

export const EMBED_JOBS_LOCK = 'docket-embed-jobs';

/** The engine's embedding model as the job runner's embedder; refuses vectors from a model that changed mid-run. */
export function clientEmbedder(client: Pick<AiClient, 'embed'>, modelId: string, dim: number): EmbedJobEmbedder {
	return {
		modelId,
		dim,
		async embed(texts) {
			const result = await client.embed([...texts]);
			if (result.modelId !== modelId || result.dim !== dim)
				throw new DocketError('conflict', 'The embedding model changed while documents were being embedded.', {
					action: 'Nothing to do: the remaining passages are embedded with the new model.'
				});
			return result.vectors;
		}
	};
}

export interface EmbeddingRunnerOptions {
	db: DocketDatabase;
	client: Pick<AiClient, 'embed' | 'load' | 'status'>;
	profile: () => MachineProfile;
	/** `navigator.locks` in a browser; omitted in Node and tests. */
	locks?: { request(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<unknown>): Promise<unknown> };
	/** Overrides the model choice (tests, the fixture in browser tests). */
	embedding?: EmbeddingChoice;
	baseUrl?: string;
}

export class EmbeddingRunner {
	constructor(private readonly options: EmbeddingRunnerOptions) {}

	/** Loads an embedding model unless one is ready; returns its id and width. */
	async ensureModel(): Promise<{ modelId: string; dim: number }> {
		const status = await this.options.client.status();
		const settings = await readModelSettings(this.options.db);
		const wanted = this.options.embedding ?? this.defaultChoice(settings.embeddingModelId);
		const wantedId = wanted?.engine === 'web-llm' ? wanted.modelId : wanted ? (wanted.modelId ?? wanted.repo) : undefined;
		const current = status.embedding;
		if (current.state === 'ready' && current.dim !== undefined && (wantedId === undefined || current.modelId === wantedId || current.fallback))
			return { modelId: current.modelId, dim: current.dim };
		const baseUrl = this.options.baseUrl ?? settings.baseUrl;
		const params = wanted ? { embedding: wanted, fallbackEmbedding: true } : { embedding: fallbackChoice(), fallbackEmbedding: true };
		const chat = status.chat.state === 'ready' ? { chatModelId: status.chat.modelId } : {};
		const loaded = await this.options.client.load(baseUrl ? { ...params, ...chat, baseUrl } : { ...params, ...chat });
		if (loaded.embedding.state !== 'ready' || loaded.embedding.dim === undefined)
			throw new DocketError('internal', 'No embedding model could be loaded.', { action: 'Open Settings › Models to choose one.' });
		return { modelId: loaded.embedding.modelId, dim: loaded.embedding.dim };
	}

	private defaultChoice(chosen: string | undefined): EmbeddingChoice | undefined {
		if (chosen) return { engine: 'web-llm', modelId: chosen };
		const model = chooseDefaults(this.options.profile()).embedding;
		return model ? { engine: 'web-llm', modelId: model.id } : undefined;
	}

	/** Works through the queue; resolves when it is empty or waiting for a model. */
	async run(options: Omit<RunOptions, 'batchSize'> = {}): Promise<{ done: number; error?: unknown }> {
		const work = async () => {
			const { modelId, dim } = await this.ensureModel();
			await reembedAll(this.options.db, modelId);
			return runPendingEmbedJobs(this.options.db, clientEmbedder(this.options.client, modelId, dim), options);
		};
		if (!this.options.locks) return work();
		let result: { done: number; error?: unknown } = { done: 0 };
		await this.options.locks.request(EMBED_JOBS_LOCK, { ifAvailable: true }, async (lock) => {
			// Another tab is already running the queue.
			if (lock === null) return;
			result = await work();
		});
		return result;
	}
}

function fallbackChoice(): EmbeddingChoice {
	return { engine: 'transformers', repo: 'Snowflake/snowflake-arctic-embed-s', dtype: 'q8', pooling: 'cls' };
}
