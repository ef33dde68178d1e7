/**
 * Keeps a tab's embedding queue moving: one run at a time (a kick during a run asks for one more after it),
 * again when the network comes back or a model is loaded (here or in another tab), and after a growing
 * pause while it waits for a model. It never rejects: a missing model is a state the UI shows, not an error.
 */
import type { DocketDatabase } from '../db/database.ts';
import { toDocketError, type DocketError } from '../errors.ts';
import { enqueueEmbedding } from './embed-jobs.ts';
import type { EmbeddingRunResult } from './embedding-runner.ts';
import type { AiStatus } from './protocol.ts';

export type EmbeddingActivity =
	| { state: 'idle' }
	| { state: 'running' }
	/** No embedding model could be loaded; `documents` are keyword-searchable meanwhile. */
	| { state: 'waiting'; documents: number; error: DocketError };

export interface Timers {
	set(callback: () => void, ms: number): unknown;
	clear(handle: unknown): void;
}

export interface BackgroundEmbeddingOptions {
	db: DocketDatabase;
	runner: { run(): Promise<EmbeddingRunResult> };
	onChange?: (activity: EmbeddingActivity) => void;
	/** First pause before trying again while waiting for a model; it doubles up to `maxRetryMs`. */
	retryMs?: number;
	maxRetryMs?: number;
	timers?: Timers;
}

const DEFAULT_TIMERS: Timers = {
	set: (callback, ms) => setTimeout(callback, ms),
	clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)
};

export class BackgroundEmbedding {
	activity: EmbeddingActivity = { state: 'idle' };
	/** The embedding model the engine last said was ready. */
	loadedModel: string | undefined;
	#running: Promise<void> | undefined;
	#again = false;
	#retry: unknown;
	#retryMs: number;
	#stopped = false;

	constructor(private readonly options: BackgroundEmbeddingOptions) {
		this.#retryMs = options.retryMs ?? 30_000;
	}

	private get timers(): Timers {
		return this.options.timers ?? DEFAULT_TIMERS;
	}

	/** Runs the queue now, or once more after the run in progress; resolves when the queue rests. */
	kick(): Promise<void> {
		if (this.#stopped) return Promise.resolve();
		if (this.#running) {
			this.#again = true;
			return this.#running;
		}
		const running = this.#loop().finally(() => (this.#running = undefined));
		this.#running = running;
		return running;
	}

	/** After ingestion stored a document's chunks: queue it (`Embedding`) and run. */
	async documentIndexed(documentId: string): Promise<void> {
		try {
			await enqueueEmbedding(this.options.db, documentId);
		} catch (error) {
			// Deleted before it could be queued: nothing to embed.
			console.warn('could not queue the document for embedding', error);
			return;
		}
		await this.kick();
	}

	/** The engine's status events: a newly ready embedding model (loaded in Settings or another tab) resumes the queue. */
	modelStatus(status: AiStatus): void {
		const ready = status.embedding.state === 'ready' ? status.embedding.modelId : undefined;
		const changed = ready !== undefined && ready !== this.loadedModel;
		this.loadedModel = ready;
		if (changed) void this.kick();
	}

	stop(): void {
		this.#stopped = true;
		this.#clearRetry();
	}

	async #loop(): Promise<void> {
		this.#clearRetry();
		do {
			this.#again = false;
			if (this.activity.state !== 'waiting') this.#set({ state: 'running' });
			let result: EmbeddingRunResult;
			try {
				result = await this.options.runner.run();
			} catch (error) {
				result = { done: 0, error };
			}
			if (result.error === undefined) {
				this.#retryMs = this.options.retryMs ?? 30_000;
				this.#set({ state: 'idle' });
			} else {
				this.#set({ state: 'waiting', documents: result.waiting ?? 0, error: toDocketError(result.error) });
				this.#scheduleRetry();
			}
		} while (this.#again && !this.#stopped);
	}

	#set(activity: EmbeddingActivity): void {
		this.activity = activity;
		this.options.onChange?.(activity);
	}

	#scheduleRetry(): void {
		if (this.#stopped) return;
		this.#clearRetry();
		const delay = this.#retryMs;
		this.#retryMs = Math.min(delay * 2, this.options.maxRetryMs ?? 10 * 60_000);
		this.#retry = this.timers.set(() => {
			this.#retry = undefined;
			void this.kick();
		}, delay);
	}

	#clearRetry(): void {
		if (this.#retry === undefined) return;
		this.timers.clear(this.#retry);
		this.#retry = undefined;
	}
}
