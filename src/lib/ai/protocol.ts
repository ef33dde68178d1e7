/**
 * The AI worker's protocol, imported by both sides: load models (with progress), stream chat (each token a
 * progress report of its call), embed, interrupt, unload, status; and the `status` event every tab hears.
 * The transport is src/lib/worker/transport.ts.
 */
import type { SerializedError } from '../errors.ts';
import { defineProtocol, wholeBuffer, type Client, type FromWorker, type ToWorker } from '../worker/transport.ts';
import type { EmbeddingBackend } from './embedder.ts';
import type { LoadProgress } from './progress.ts';

/** Which engine embeds: a web-llm model from the registry, or a transformers.js model (the fallback, the fixture). */
export type EmbeddingChoice =
	| { engine: 'web-llm'; modelId: string }
	| {
			engine: 'transformers';
			repo: string;
			modelId?: string;
			dtype?: 'fp32' | 'fp16' | 'q8';
			pooling?: 'mean' | 'cls';
			/** Tried in order (default: WebGPU then WASM in a browser). */
			devices?: ('webgpu' | 'wasm' | 'cpu')[];
	  };

export interface LoadParams {
	/** web-llm chat model id from the registry; omitted = no chat model. */
	chatModelId?: string;
	embedding?: EmbeddingChoice;
	/** Settings › Models › Model base URL, already absolute (empty = public hub). */
	baseUrl?: string;
	cacheBackend?: 'cache' | 'indexeddb' | 'opfs';
	/** When the web-llm embedding model cannot run, embed with the transformers.js fallback instead. */
	fallbackEmbedding?: boolean;
}

export type ModelState =
	| { state: 'none' }
	| { state: 'loading'; modelId: string; progress?: LoadProgress }
	| { state: 'ready'; modelId: string; backend: EmbeddingBackend | 'web-llm'; dim?: number; fallback?: boolean }
	| { state: 'failed'; modelId: string; error: SerializedError };

export interface AiStatus {
	chat: ModelState;
	embedding: ModelState;
}

export interface ChatMessage {
	role: 'system' | 'user' | 'assistant';
	content: string;
}

export interface ChatParams {
	messages: ChatMessage[];
	temperature?: number;
	maxTokens?: number;
}

export interface ChatResult {
	text: string;
	finishReason: 'stop' | 'length' | 'abort';
	promptTokens?: number;
	completionTokens?: number;
}

export interface EmbedParams {
	texts: string[];
}

export interface EmbedResult {
	modelId: string;
	dim: number;
	vectors: Float32Array[];
}

type None = Record<string, never>;

export type AiCalls = {
	status: { params: None; result: AiStatus };
	load: { params: LoadParams; result: AiStatus; progress: LoadProgress };
	/** Each token is a progress report of this call; cancelling it stops generation (finishReason 'abort'). */
	chat: { params: ChatParams; result: ChatResult; progress: { delta: string } };
	embed: { params: EmbedParams; result: EmbedResult };
	/** Stops whatever chat is being generated; its call resolves with finishReason 'abort'. */
	interrupt: { params: None; result: null };
	unload: { params: None; result: AiStatus };
};

export type AiEvents = {
	/** After every change of either model's state, to every tab. */
	status: AiStatus;
};

export const aiProtocol = defineProtocol<AiCalls, AiEvents>({
	worker: 'model',
	// Per-call limits without progress: loads download gigabytes (and report progress as they go).
	timeouts: { status: 10_000, load: Infinity, chat: 5 * 60_000, embed: 2 * 60_000, interrupt: 10_000, unload: 30_000 },
	transfer: { embed: { result: (r) => [...new Set(r.vectors.flatMap(wholeBuffer))] } }
});

/** The page's handle on the AI engine (a worker of this tab's, or the one another tab runs). */
export type AiClient = Client<AiCalls, AiEvents>;
export type AiToWorker = ToWorker<AiCalls>;
export type AiFromWorker = FromWorker<AiCalls, AiEvents>;
