import { describe, expect, it } from 'vitest';
import { ModelNotLoadedError } from '../errors.ts';
import { checkQuotations } from '../quotes/quotations.ts';
import { connect, memoryChannel, serve } from '../worker/transport.ts';
import { aiProtocol, type AiCalls, type AiEvents } from './protocol.ts';
import { scriptedAnswer, TEST_CHAT_MODEL_ID, TestAiHost } from './test-chat-engine.ts';

function host(delay = 0) {
	const channel = memoryChannel<AiCalls, AiEvents>();
	serve(aiProtocol, channel.server, new TestAiHost(() => delay).handlers);
	return connect(aiProtocol, channel.client);
}

const prompt =
	'[1] lease.txt, p. 2\nThe landlord may terminate.\n\n[2] lease.txt, p. 1\nRent is monthly.\n\nQuestion: when?\nAnswer with citations:';

describe('TestAiHost (the browser tests’ scripted AI worker)', () => {
	it('cites the numbered passages it is given, and summarises anything else by its first words', () => {
		expect(scriptedAnswer({ messages: [{ role: 'user', content: prompt }] })).toBe(
			'lease.txt says something about this on page 2 [1]. lease.txt says something about this on page 1 [2].'
		);
		expect(scriptedAnswer({ messages: [{ role: 'user', content: 'one two three' }] })).toBe('In short: one two three');
	});

	it('answers a question asking for quotes with one exact, one altered, one misattributed and one uncited quotation', () => {
		const passages = [
			{ n: 1, text: 'The landlord may terminate the lease by written notice of thirty days.' },
			{ n: 2, text: 'The tenant shall pay the rent of 900 euros monthly.' }
		];
		const content = `${passages.map((p) => `[${p.n}] lease.txt, p. ${p.n}\n${p.text}`).join('\n\n')}\n\nQuestion: quote the lease\nAnswer with citations:`;
		const answer = scriptedAnswer({ messages: [{ role: 'user', content }] });
		expect(answer).toContain('See also [2].');
		expect(checkQuotations(answer, passages).map((c) => c.status)).toEqual([
			'verified',
			'not-found',
			'not-found',
			'bad-citation'
		]);
	});

	it('reports a ready chat model and no embedding model', async () => {
		const ai = host();
		expect(await ai.call('status', {})).toMatchObject({
			chat: { state: 'ready', modelId: TEST_CHAT_MODEL_ID },
			embedding: { state: 'none' }
		});
		await expect(ai.call('embed', { texts: ['x'] })).rejects.toBeInstanceOf(ModelNotLoadedError);
	});

	it('streams tokens as progress of the call, then the whole text', async () => {
		const tokens: string[] = [];
		const result = await host().call(
			'chat',
			{ messages: [{ role: 'user', content: prompt }] },
			{ onProgress: ({ delta }) => tokens.push(delta) }
		);
		expect(tokens.length).toBeGreaterThan(5);
		expect(result).toMatchObject({ text: tokens.join(''), finishReason: 'stop' });
	});

	it('interrupt, or cancelling the call, ends the chat with what came so far', async () => {
		const ai = host(5);
		const chat = ai.call('chat', { messages: [{ role: 'user', content: prompt }] });
		await new Promise((r) => setTimeout(r, 12));
		await ai.call('interrupt', {});
		expect(await chat).toMatchObject({ finishReason: 'abort' });
		expect((await chat).text.length).toBeLessThan(
			scriptedAnswer({ messages: [{ role: 'user', content: prompt }] }).length
		);

		const controller = new AbortController();
		const tokens: string[] = [];
		const cancelled = ai.call(
			'chat',
			{ messages: [{ role: 'user', content: prompt }] },
			{ signal: controller.signal, onProgress: ({ delta }) => tokens.push(delta) && controller.abort() }
		);
		await expect(cancelled).resolves.toMatchObject({ finishReason: 'abort' });
		expect(tokens.length).toBeLessThan(10);
	});
});
