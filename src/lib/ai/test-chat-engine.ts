/**
 * A deterministic stand-in for the AI worker, for browser tests only: it speaks protocol.ts, reports a
 * chat model as ready, and streams a scripted answer that cites the passages it was given, a token at a
 * time, so streaming, `Stop` and citations can be tested without a GPU or downloaded weights. The page
 * selects it with `localStorage['docket.testAiEngine'] = 'scripted'` (see src/lib/ui/ai/ai-models.svelte.ts).
 */
import { DocketError, serializeError } from '../errors.ts';
import type { AiReply, AiRequest, AiStatus, ChatParams, ChatResult } from './protocol.ts';

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
	private generation: { stop: () => void } | undefined;
	private readonly status: AiStatus = {
		chat: { state: 'ready', modelId: TEST_CHAT_MODEL_ID, backend: 'web-llm' },
		embedding: { state: 'none' }
	};

	constructor(
		private readonly post: (message: AiReply) => void,
		private readonly delayMs: (params: ChatParams) => number = (p) =>
			p.messages.some((m) => m.content.includes(SLOW_WORD)) ? 250 : 25
	) {}

	async handle(request: AiRequest): Promise<void> {
		try {
			switch (request.name) {
				case 'status':
				case 'load':
				case 'unload':
					this.post({ type: 'result', id: request.id, name: request.name, result: structuredClone(this.status) });
					break;
				case 'chat':
					this.post({
						type: 'result',
						id: request.id,
						name: 'chat',
						result: await this.chat(request.params, request.id)
					});
					break;
				case 'interrupt':
					this.generation?.stop();
					this.post({ type: 'result', id: request.id, name: 'interrupt', result: null });
					break;
				case 'embed':
					throw new DocketError('not-found', 'No embedding model is loaded.', {
						action: 'Choose and download a model in Settings › Models.'
					});
			}
		} catch (error) {
			this.post({ type: 'error', id: request.id, error: serializeError(error) });
		}
	}

	private async chat(params: ChatParams, callId: string): Promise<ChatResult> {
		const tokens = scriptedAnswer(params).match(/\S+\s*/g) ?? [];
		let stopped = false;
		let wake: (() => void) | undefined;
		this.generation = {
			stop: () => {
				stopped = true;
				wake?.();
			}
		};
		let text = '';
		try {
			for (const token of tokens) {
				await new Promise<void>((resolve) => {
					wake = resolve;
					setTimeout(resolve, this.delayMs(params));
				});
				if (stopped) return { text, finishReason: 'abort' };
				text += token;
				this.post({ type: 'event', event: 'token', data: { delta: token }, callId });
			}
			return { text, finishReason: 'stop' };
		} finally {
			this.generation = undefined;
		}
	}
}
