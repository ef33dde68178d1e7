/**
 * The AI worker's body, free of `self` so tests drive it with fakes: one web-llm engine holding the chat
 * model and the embedding model together (every request names its model), and the transformers.js embedder
 * when web-llm cannot embed here. A lost GPU device reloads the engine.
 */
import type { AppConfig } from '@mlc-ai/web-llm';
import { ModelNotLoadedError, serializeError, type DocketError } from '../errors.ts';
import type { Handlers } from '../worker/transport.ts';
import type { Embedder } from './embedder.ts';
import { toModelError } from './model-errors.ts';
import { FALLBACK_EMBEDDING, findModel } from './model-registry.ts';
import { sourceFromSetting, type ModelSource } from './model-source.ts';
import { fromWebLlmReport, type LoadProgress } from './progress.ts';
import type {
	AiCalls,
	AiStatus,
	ChatParams,
	ChatResult,
	EmbeddingChoice,
	EmbedResult,
	LoadParams,
	ModelState
} from './protocol.ts';
import type { TransformersEmbedderOptions } from './transformers-embedder.ts';
import { buildAppConfig } from './web-llm-config.ts';

/** The part of web-llm's MLCEngine Docket uses (web-llm-engine.ts adapts the real one). */
export interface WebLlmEngine {
	reload(modelIds: string[]): Promise<void>;
	chat(modelId: string, params: ChatParams, onDelta: (delta: string) => void): Promise<ChatResult>;
	embed(modelId: string, texts: string[]): Promise<number[][]>;
	interrupt(): Promise<void>;
	unload(): Promise<void>;
}

type Report = (progress: LoadProgress) => void;

export interface AiHostDeps {
	createWebLlm(
		appConfig: AppConfig,
		onProgress: (report: { progress: number; text: string }) => void
	): Promise<WebLlmEngine>;
	loadTransformers(options: TransformersEmbedderOptions): Promise<Embedder>;
	online(): boolean;
	/** Browser only: where the app serves onnxruntime-web's wasm. */
	wasmPaths?: { mjs: string; wasm: string };
}

export class AiHost {
	private engine: WebLlmEngine | undefined;
	private loaded: string[] = [];
	private appConfig: AppConfig | undefined;
	private fallback: Embedder | undefined;
	private status: AiStatus = { chat: { state: 'none' }, embedding: { state: 'none' } };
	private queue: Promise<unknown> = Promise.resolve();

	/** `onStatus` hears every change of state; the worker sends it to every tab as the `status` event. */
	constructor(
		private readonly deps: AiHostDeps,
		private readonly onStatus: (status: AiStatus) => void
	) {}

	/** The protocol's handlers; failures go back as errors through the transport. */
	readonly handlers: Handlers<AiCalls> = {
		status: () => this.snapshot(),
		load: (params, { progress }) => this.serial(() => this.load(params, progress)),
		chat: (params, { progress, signal }) => this.chat(params, (delta) => progress({ delta }), signal),
		embed: ({ texts }) => this.serial(() => this.embed(texts)),
		interrupt: async () => {
			await this.engine?.interrupt();
			return null;
		},
		unload: () => this.serial(() => this.unload())
	};

	private serial<T>(task: () => Promise<T>): Promise<T> {
		const run = this.queue.then(task, task);
		this.queue = run.catch(() => undefined);
		return run;
	}

	private snapshot(): AiStatus {
		return structuredClone(this.status);
	}

	private setStatus(part: 'chat' | 'embedding', state: ModelState): void {
		this.status = { ...this.status, [part]: state };
		this.onStatus(this.snapshot());
	}

	private progress(report: Report, progress: LoadProgress, parts: ('chat' | 'embedding')[]): void {
		for (const part of parts) {
			const current = this.status[part];
			if (current.state === 'loading') this.status = { ...this.status, [part]: { ...current, progress } };
		}
		report(progress);
	}

	private modelName(id: string): string {
		return findModel(id)?.label ?? id;
	}

	private async load(params: LoadParams, report: Report): Promise<AiStatus> {
		const source: ModelSource = sourceFromSetting(params.baseUrl);
		const webLlmIds: string[] = [];
		if (params.chatModelId !== undefined) webLlmIds.push(params.chatModelId);
		const embedding = params.embedding;
		if (embedding?.engine === 'web-llm') webLlmIds.push(embedding.modelId);
		for (const id of webLlmIds)
			if (!findModel(id)) throw toModelError(new Error(`Unknown model ${id}`), { modelName: id });

		await this.unloadWebLlm();
		await this.disposeFallback();
		this.status = { chat: { state: 'none' }, embedding: { state: 'none' } };

		if (webLlmIds.length > 0) {
			const parts: ('chat' | 'embedding')[] = [];
			if (params.chatModelId !== undefined) {
				parts.push('chat');
				this.setStatus('chat', { state: 'loading', modelId: params.chatModelId });
			}
			if (embedding?.engine === 'web-llm') {
				parts.push('embedding');
				this.setStatus('embedding', { state: 'loading', modelId: embedding.modelId });
			}
			const expected = webLlmIds.reduce((sum, id) => sum + (findModel(id)?.downloadBytes ?? 0), 0);
			const label = webLlmIds.map((id) => this.modelName(id)).join(' + ');
			try {
				this.appConfig = buildAppConfig(source, params.cacheBackend ?? 'cache');
				const appConfig = this.appConfig;
				this.engine = await this.deps.createWebLlm(appConfig, (webLlmReport) =>
					this.progress(report, fromWebLlmReport(label, webLlmReport, expected), parts)
				);
				await this.engine.reload(webLlmIds);
				this.loaded = webLlmIds;
				if (params.chatModelId !== undefined)
					this.setStatus('chat', { state: 'ready', modelId: params.chatModelId, backend: 'web-llm' });
				if (embedding?.engine === 'web-llm') {
					const [probe] = await this.engine.embed(embedding.modelId, ['dimension probe']);
					this.setStatus('embedding', {
						state: 'ready',
						modelId: embedding.modelId,
						backend: 'web-llm',
						dim: probe?.length ?? 0
					});
				}
			} catch (error) {
				const mapped = toModelError(error, { modelName: label, online: this.deps.online() });
				await this.unloadWebLlm();
				for (const part of parts)
					this.setStatus(part, {
						state: 'failed',
						modelId: part === 'chat' ? (params.chatModelId ?? '') : webLlmIds.at(-1)!,
						error: serializeError(mapped)
					});
				if (!(embedding?.engine === 'web-llm' && params.fallbackEmbedding)) throw mapped;
			}
		}

		const embeddingFailed = this.status.embedding.state === 'failed';
		if (embedding?.engine === 'transformers') await this.loadFallback(source, embedding, report, false);
		else if (embeddingFailed && params.fallbackEmbedding)
			await this.loadFallback(source, { engine: 'transformers', ...FALLBACK_EMBEDDING }, report, true);
		return this.snapshot();
	}

	private async loadFallback(
		source: ModelSource,
		choice: Extract<EmbeddingChoice, { engine: 'transformers' }>,
		report: Report,
		isFallback: boolean
	): Promise<void> {
		const modelId = choice.modelId ?? choice.repo;
		this.setStatus('embedding', { state: 'loading', modelId });
		try {
			const options: TransformersEmbedderOptions = {
				repo: choice.repo,
				modelId,
				source,
				onProgress: (p) => this.progress(report, p, ['embedding'])
			};
			if (choice.dtype) options.dtype = choice.dtype;
			if (choice.pooling) options.pooling = choice.pooling;
			if (choice.devices) options.devices = choice.devices;
			if (this.deps.wasmPaths) options.wasmPaths = this.deps.wasmPaths;
			this.fallback = await this.deps.loadTransformers(options);
			const ready: ModelState = { state: 'ready', modelId, backend: this.fallback.backend, dim: this.fallback.dim };
			this.setStatus('embedding', isFallback ? { ...ready, fallback: true } : ready);
		} catch (error) {
			const mapped = toModelError(error, { modelName: modelId, online: this.deps.online() });
			this.setStatus('embedding', { state: 'failed', modelId, error: serializeError(mapped) });
			throw mapped;
		}
	}

	private async chat(params: ChatParams, onDelta: (delta: string) => void, signal: AbortSignal): Promise<ChatResult> {
		const state = this.status.chat;
		const engine = this.engine;
		if (state.state !== 'ready' || !engine) throw new ModelNotLoadedError('chat');
		// A cancelled chat call stops generating; web-llm then resolves with what came so far.
		const stop = () => void engine.interrupt().catch(() => undefined);
		signal.addEventListener('abort', stop, { once: true });
		try {
			return await engine.chat(state.modelId, params, onDelta);
		} catch (error) {
			throw await this.recover(error, state.modelId);
		} finally {
			signal.removeEventListener('abort', stop);
		}
	}

	private async embed(texts: string[]): Promise<EmbedResult> {
		const state = this.status.embedding;
		if (state.state !== 'ready') throw new ModelNotLoadedError('embedding');
		if (this.fallback)
			return { modelId: state.modelId, dim: this.fallback.dim, vectors: await this.fallback.embed(texts) };
		if (!this.engine) throw new ModelNotLoadedError('embedding');
		const run = async (engine: WebLlmEngine) =>
			(await engine.embed(state.modelId, texts)).map((v) => Float32Array.from(v));
		try {
			const vectors = await run(this.engine);
			return { modelId: state.modelId, dim: vectors[0]?.length ?? state.dim ?? 0, vectors };
		} catch (error) {
			const mapped = await this.recover(error, state.modelId);
			if (mapped.code !== 'gpu-device-lost' || !this.engine) throw mapped;
			// Embedding is idempotent: after the engine is back, the batch is simply run again.
			const vectors = await run(this.engine);
			return { modelId: state.modelId, dim: vectors[0]?.length ?? 0, vectors };
		}
	}

	/** Maps the error; on a lost device, rebuilds the engine with the same models before handing it back. */
	private async recover(error: unknown, modelId: string): Promise<DocketError> {
		const mapped = toModelError(error, { modelName: this.modelName(modelId), online: this.deps.online() });
		if (mapped.code === 'gpu-device-lost' && this.appConfig && this.loaded.length > 0) {
			const ids = this.loaded;
			try {
				this.engine = await this.deps.createWebLlm(this.appConfig, () => undefined);
				await this.engine.reload(ids);
			} catch {
				this.engine = undefined;
				this.loaded = [];
			}
		}
		return mapped;
	}

	private async unloadWebLlm(): Promise<void> {
		const engine = this.engine;
		this.engine = undefined;
		this.loaded = [];
		if (engine) await engine.unload().catch(() => undefined);
	}

	private async disposeFallback(): Promise<void> {
		const fallback = this.fallback;
		this.fallback = undefined;
		if (fallback) await fallback.dispose().catch(() => undefined);
	}

	private async unload(): Promise<AiStatus> {
		await this.unloadWebLlm();
		await this.disposeFallback();
		this.setStatus('chat', { state: 'none' });
		this.setStatus('embedding', { state: 'none' });
		return this.snapshot();
	}
}
