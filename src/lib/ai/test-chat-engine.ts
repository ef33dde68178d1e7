/**
 * A deterministic stand-in for the AI worker, for browser tests only: it speaks protocol.ts, reports a
 * chat model as ready, and streams a scripted answer that cites the passages it was given, a token at a
 * time, so streaming, `Stop` and citations can be tested without a GPU or downloaded weights. Only a test
 * build contains it (`DOCKET_TEST_ENGINE=scripted vite build`: see src/lib/ai/engine-choice.ts).
 */
import { ModelNotLoadedError } from '../errors.ts';
import type { Handlers } from '../worker/transport.ts';
import type { AiCalls, AiStatus, ChatParams, ChatResult } from './protocol.ts';

export const TEST_CHAT_MODEL_ID = 'test/scripted-chat';
/** A question containing this word streams slowly, so a test can press `Stop` mid-answer. */
export const SLOW_WORD = 'slowly';

/**
 * The scripted answer: one sentence per passage (at most three), each citing it by its number; a request
 * without numbered passages (a summary) gets its first words back.
 */
export function scriptedAnswer(params: ChatParams): string {
	const user = params.messages.findLast((m) => m.role === 'user')?.content ?? '';
	const labels = [...user.matchAll(/^\[(\d+)\] (.+), p\. (\d+)$/gm)].slice(0, 3);
	if (labels.length === 0) return `In short: ${user.split(/\s+/).filter(Boolean).slice(0, 12).join(' ')}`;
	const sentences = labels.map(([, n, name, page]) => `${name} says something about this on page ${page} [${n}].`);
	if (user.includes(SLOW_WORD)) for (let i = 0; i < 40; i++) sentences.push('And more.');
	return sentences.join(' ');
}

export class TestAiHost {
	private readonly status: AiStatus = {
		chat: { state: 'ready', modelId: TEST_CHAT_MODEL_ID, backend: 'web-llm' },
		embedding: { state: 'none' }
	};
	private generation: { stop: () => void } | undefined;

	constructor(
		private readonly delayMs: (params: ChatParams) => number = (p) =>
			p.messages.some((m) => m.content.includes(SLOW_WORD)) ? 250 : 25
	) {}

	readonly handlers: Handlers<AiCalls> = {
		status: () => structuredClone(this.status),
		load: () => structuredClone(this.status),
		unload: () => structuredClone(this.status),
		chat: (params, { progress, signal }) => this.chat(params, (delta) => progress({ delta }), signal),
		interrupt: () => {
			this.generation?.stop();
			return null;
		},
		embed: () => {
			throw new ModelNotLoadedError('embedding');
		}
	};

	private async chat(params: ChatParams, onDelta: (delta: string) => void, signal: AbortSignal): Promise<ChatResult> {
		const tokens = scriptedAnswer(params).match(/\S+\s*/g) ?? [];
		let stopped = false;
		let wake: (() => void) | undefined;
		const stop = () => {
			stopped = true;
			wake?.();
		};
		this.generation = { stop };
		signal.addEventListener('abort', stop, { once: true });
		let text = '';
		try {
			for (const token of tokens) {
				await new Promise<void>((resolve) => {
					wake = resolve;
					setTimeout(resolve, this.delayMs(params));
				});
				if (stopped) return { text, finishReason: 'abort' };
				text += token;
				onDelta(token);
			}
			return { text, finishReason: 'stop' };
		} finally {
			this.generation = undefined;
			signal.removeEventListener('abort', stop);
		}
	}
}
