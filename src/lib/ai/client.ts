/**
 * The page's handle on the AI worker: typed calls with per-call timeouts, chat streaming, and `Stop`.
 */
import type {
	AiCalls,
	AiEvents,
	AiRequest,
	AiReply,
	AiStatus,
	ChatParams,
	ChatResult,
	EmbedResult,
	LoadParams
} from './protocol.ts';
import { AI_TIMEOUTS_MS } from './protocol.ts';
import { RpcClient, type Endpoint, type EventMessage } from './rpc.ts';

export class AiClient {
	readonly rpc: RpcClient<AiCalls, AiEvents>;

	constructor(endpoint: Endpoint<AiRequest, AiReply>, newId?: () => string) {
		this.rpc = new RpcClient<AiCalls, AiEvents>(endpoint, 60_000, newId);
	}

	call<K extends keyof AiCalls>(
		name: K,
		params: AiCalls[K]['params'],
		onEvent?: (event: EventMessage<AiEvents>) => void
	): Promise<AiCalls[K]['result']> {
		return this.rpc.call(
			name,
			params,
			onEvent ? { timeoutMs: AI_TIMEOUTS_MS[name], onEvent } : { timeoutMs: AI_TIMEOUTS_MS[name] }
		);
	}

	status(): Promise<AiStatus> {
		return this.call('status', {});
	}

	load(params: LoadParams, onProgress?: (progress: AiEvents['progress']) => void): Promise<AiStatus> {
		return this.call('load', params, (e) => {
			if (e.event === 'progress' && onProgress) onProgress(e.data);
		});
	}

	/** Streams tokens to `onToken`; aborting `signal` interrupts generation and resolves with what came so far. */
	async chat(params: ChatParams, onToken: (delta: string) => void, signal?: AbortSignal): Promise<ChatResult> {
		const abort = () => void this.call('interrupt', {}).catch(() => undefined);
		signal?.addEventListener('abort', abort, { once: true });
		try {
			return await this.call('chat', params, (e) => {
				if (e.event === 'token') onToken(e.data.delta);
			});
		} finally {
			signal?.removeEventListener('abort', abort);
		}
	}

	embed(texts: string[]): Promise<EmbedResult> {
		return this.call('embed', { texts });
	}

	unload(): Promise<AiStatus> {
		return this.call('unload', {});
	}

	onEvent(listener: (event: EventMessage<AiEvents>) => void): () => void {
		return this.rpc.onEvent(listener);
	}

	close(): void {
		this.rpc.close();
	}
}
