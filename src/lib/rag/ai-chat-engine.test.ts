import { describe, expect, it } from 'vitest';
import type { ChatParams, ChatResult } from '../ai/protocol.ts';
import { AiChatEngine, type ChatClient } from './ai-chat-engine.ts';

/** A fake AI client: streams the given tokens a microtask apart; interrupt stops it like the worker does. */
function fakeClient(tokens: string[], options: { failAfter?: number } = {}) {
	const calls: string[] = [];
	let interrupted = false;
	const client: ChatClient = {
		async chat(_params: ChatParams, onToken, signal): Promise<ChatResult> {
			calls.push('chat');
			signal?.addEventListener('abort', () => void client.call('interrupt', {}));
			let text = '';
			for (const [i, t] of tokens.entries()) {
				await new Promise((r) => setTimeout(r, 1));
				if (interrupted) return { text, finishReason: 'abort' };
				if (i === options.failAfter) throw new Error('The model crashed.');
				text += t;
				onToken(t);
			}
			return { text, finishReason: 'stop' };
		},
		call(name) {
			calls.push(name);
			interrupted = true;
			return Promise.resolve(null);
		}
	};
	return { client, calls };
}

async function collect(stream: AsyncIterable<string>): Promise<string[]> {
	const out: string[] = [];
	for await (const t of stream) out.push(t);
	return out;
}

describe('AiChatEngine', () => {
	it('turns the worker’s token events into a stream, in order, and ends when the call resolves', async () => {
		const { client } = fakeClient(['The ', 'lease ', 'ends [1].']);
		const engine = new AiChatEngine(client, 'm', 2048);
		expect(engine.contextTokens).toBe(2048);
		expect(await collect(engine.stream([{ role: 'user', content: 'q' }], new AbortController().signal))).toEqual([
			'The ',
			'lease ',
			'ends [1].'
		]);
	});

	it('stops at once when the signal aborts, and the worker is interrupted', async () => {
		const { client, calls } = fakeClient(['a ', 'b ', 'c ', 'd ']);
		const engine = new AiChatEngine(client, 'm');
		const controller = new AbortController();
		const got: string[] = [];
		for await (const t of engine.stream([{ role: 'user', content: 'q' }], controller.signal)) {
			got.push(t);
			if (got.length === 2) controller.abort();
		}
		expect(got).toEqual(['a ', 'b ']);
		expect(calls).toContain('interrupt');
	});

	it('throws the worker’s error after the tokens that came before it', async () => {
		const { client } = fakeClient(['a ', 'b '], { failAfter: 1 });
		const engine = new AiChatEngine(client, 'm');
		const got: string[] = [];
		await expect(
			(async () => {
				for await (const t of engine.stream([{ role: 'user', content: 'q' }], new AbortController().signal))
					got.push(t);
			})()
		).rejects.toThrow('The model crashed.');
		expect(got).toEqual(['a ']);
	});

	it('interrupt() asks the worker to stop', () => {
		const { client, calls } = fakeClient([]);
		new AiChatEngine(client, 'm').interrupt();
		expect(calls).toEqual(['interrupt']);
	});
});
