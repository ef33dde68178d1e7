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
/** A question containing this word gets the four kinds of quotation the quotation check tells apart. */
export const QUOTE_WORD = 'quote';

/**
 * Quotations built from the passages given: one exact from [1], one from [1] with a word changed, one
 * from [2] attributed to [1], and one citing a passage that does not exist; then [2] is cited plainly.
 */
function quotingAnswer(user: string): string | undefined {
	const bodies = [...user.matchAll(/^\[(\d+)\] .+\n(.+)$/gm)].map(([, n, body]) => ({ n: Number(n), body: body! }));
	// Six plain words in a row, as the passage has them (no punctuation between them to get wrong).
	const words = (n: number) =>
		/(?:[\p{L}\p{N}]+ ){5}[\p{L}\p{N}]+/u.exec(bodies.find((b) => b.n === n)?.body ?? '')?.[0].split(' ') ?? [];
	const first = words(1);
	const second = words(2);
	if (first.length < 6 || second.length < 6) return undefined;
	const altered = [...first];
	altered[2] = altered[2] === 'never' ? 'always' : 'never';
	return [
		`The passage reads "${first.join(' ')}" [1].`,
		`It does not say "${altered.join(' ')}" [1].`,
		`Elsewhere it says "${second.join(' ')}" [1].`,
		`A witness recalled "the keys were returned" [9].`,
		`See also [2].`
	].join(' ');
}

/**
 * The scripted answer: one sentence per passage (at most three), each citing it by its number; a request
 * without numbered passages (a summary) gets its first words back.
 */
export function scriptedAnswer(params: ChatParams): string {
	const user = params.messages.findLast((m) => m.role === 'user')?.content ?? '';
	const question = /Question: (.*)$/m.exec(user)?.[1] ?? '';
	if (question.toLowerCase().includes(QUOTE_WORD)) {
		const quoting = quotingAnswer(user);
		if (quoting) return quoting;
	}
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
