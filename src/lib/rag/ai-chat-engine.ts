import type { AiClient, ChatParams, ChatResult } from '../ai/protocol.ts';
import type { ChatEngine, ChatMessage } from './types.ts';

/** What a chat engine needs of the AI engine; tests pass a fake, the app `chatClient(aiClient)`. */
export interface ChatClient {
	chat(params: ChatParams, onToken: (delta: string) => void, signal?: AbortSignal): Promise<ChatResult>;
	call(name: 'interrupt', params: Record<string, never>): Promise<null>;
}

/** The AI client as a ChatClient: tokens are the chat call's progress; aborting cancels the call. */
export function chatClient(client: Pick<AiClient, 'call'>): ChatClient {
	return {
		chat: (params, onToken, signal) =>
			client.call('chat', params, { onProgress: ({ delta }) => onToken(delta), ...(signal ? { signal } : {}) }),
		call: (name, params) => client.call(name, params)
	};
}

/** Context a chat model gets when its registry entry names none (web-llm's own default). */
export const DEFAULT_CONTEXT_TOKENS = 4096;

/**
 * The answer machine's ChatEngine over the AI worker: the worker's token events become an async
 * iterable, and aborting the signal interrupts the worker (the call then resolves with what came so far).
 */
export class AiChatEngine implements ChatEngine {
	constructor(
		private readonly client: ChatClient,
		readonly modelId: string,
		readonly contextTokens: number = DEFAULT_CONTEXT_TOKENS,
		private readonly maxTokens?: number
	) {}

	interrupt(): void {
		void this.client.call('interrupt', {}).catch(() => undefined);
	}

	async *stream(messages: readonly ChatMessage[], signal: AbortSignal): AsyncIterable<string> {
		const queue: string[] = [];
		let wake: (() => void) | undefined;
		let finished = false;
		let failure: { error: unknown } | undefined;
		const notify = () => {
			wake?.();
			wake = undefined;
		};
		const params: ChatParams = { messages: messages.map((m) => ({ role: m.role, content: m.content })) };
		if (this.maxTokens !== undefined) params.maxTokens = this.maxTokens;
		void this.client
			.chat(
				params,
				(delta) => {
					queue.push(delta);
					notify();
				},
				signal
			)
			.then(
				() => undefined,
				(error: unknown) => {
					failure = { error };
				}
			)
			.finally(() => {
				finished = true;
				notify();
			});
		const onAbort = () => notify();
		signal.addEventListener('abort', onAbort, { once: true });
		try {
			for (;;) {
				if (signal.aborted) return;
				const next = queue.shift();
				if (next !== undefined) {
					yield next;
					continue;
				}
				if (finished) break;
				await new Promise<void>((resolve) => (wake = resolve));
			}
			if (failure) throw failure.error;
		} finally {
			// After an interrupt the worker's call settles on its own; its outcome is already handled above.
			signal.removeEventListener('abort', onAbort);
		}
	}
}
