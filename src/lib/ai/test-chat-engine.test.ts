import { describe, expect, it } from 'vitest';
import type { AiReply } from './protocol.ts';
import { scriptedAnswer, TEST_CHAT_MODEL_ID, TestAiHost } from './test-chat-engine.ts';

function host(delay = 0) {
	const posted: AiReply[] = [];
	return {
		host: new TestAiHost(
			(m) => posted.push(m),
			() => delay
		),
		posted
	};
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

	it('reports a ready chat model and no embedding model', async () => {
		const { host: h, posted } = host();
		await h.handle({ type: 'call', id: '1', name: 'status', params: {} });
		expect(posted[0]).toMatchObject({
			type: 'result',
			id: '1',
			result: { chat: { state: 'ready', modelId: TEST_CHAT_MODEL_ID }, embedding: { state: 'none' } }
		});
		await h.handle({ type: 'call', id: '2', name: 'embed', params: { texts: ['x'] } });
		expect(posted[1]).toMatchObject({ type: 'error', id: '2' });
	});

	it('streams tokens tied to the call, then the whole text', async () => {
		const { host: h, posted } = host();
		await h.handle({ type: 'call', id: 'c', name: 'chat', params: { messages: [{ role: 'user', content: prompt }] } });
		const tokens = posted.filter((m) => m.type === 'event');
		expect(tokens.length).toBeGreaterThan(5);
		expect(tokens.every((t) => t.type === 'event' && t.callId === 'c')).toBe(true);
		expect(posted.at(-1)).toMatchObject({ type: 'result', id: 'c', result: { finishReason: 'stop' } });
	});

	it('interrupt ends the chat with what came so far', async () => {
		const { host: h, posted } = host(5);
		const chat = h.handle({
			type: 'call',
			id: 'c',
			name: 'chat',
			params: { messages: [{ role: 'user', content: prompt }] }
		});
		await new Promise((r) => setTimeout(r, 12));
		await h.handle({ type: 'call', id: 'i', name: 'interrupt', params: {} });
		await chat;
		const result = posted.find((m) => m.type === 'result' && m.id === 'c');
		expect(result).toMatchObject({ result: { finishReason: 'abort' } });
		expect(posted.filter((m) => m.type === 'event').length).toBeLessThan(10);
	});
});
