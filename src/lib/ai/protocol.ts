/**
 * The AI worker's one protocol, imported by both sides: load models, stream chat, embed, interrupt, unload,
 * status, with progress and status events. Transport and typing live in rpc.ts.
 */
import type { SerializedError } from '../errors.ts';
import type { EmbeddingBackend } from './embedder.ts';
import type { LoadProgress } from './progress.ts';
import type { CallMessage, EventMessage, ReplyMessage } from './rpc.ts';

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
	load: { params: LoadParams; result: AiStatus };
	/** Tokens arrive as `token` events tied to this call; the result is the whole answer. */
	chat: { params: ChatParams; result: ChatResult };
	embed: { params: EmbedParams; result: EmbedResult };
	/** Stops the chat being generated; its call resolves with finishReason 'abort'. */
	interrupt: { params: None; result: null };
	unload: { params: None; result: AiStatus };
};

export type AiEvents = {
	progress: LoadProgress;
	token: { delta: string };
	status: AiStatus;
};

export type AiCallName = keyof AiCalls;
export type AiRequest = CallMessage<AiCalls>;
export type AiEvent = EventMessage<AiEvents>;
export type AiReply = ReplyMessage<AiCalls, AiEvents>;

/** Per-call time limits: loads download gigabytes; a chat answer or a batch of embeddings does not take long. */
export const AI_TIMEOUTS_MS: Record<AiCallName, number> = {
	status: 10_000,
	load: Infinity,
	chat: 5 * 60_000,
	embed: 2 * 60_000,
	interrupt: 10_000,
	unload: 30_000
};
