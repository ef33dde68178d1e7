import { afterEach, describe, expect, it, vi } from 'vitest';
import { serializeError, InvalidInputError } from '../errors.ts';
import { chatClient } from '../rag/ai-chat-engine.ts';
import { connect, workerEndpoint, type ClientEndpoint } from '../worker/transport.ts';
import {
	aiProtocol,
	type AiCalls,
	type AiClient,
	type AiEvents,
	type AiFromWorker,
	type AiToWorker
} from './protocol.ts';

/** A worker stand-in: records what the page sent, lets the test answer or die. */
class FakeWorker implements ClientEndpoint<AiCalls, AiEvents> {
	sent: AiToWorker[] = [];
	private onMessage: ((m: AiFromWorker) => void) | undefined;
	private onDeath: ((reason: string) => void) | undefined;
	postMessage(message: AiToWorker): void {
		this.sent.push(structuredClone(message));
	}
	listen(onMessage: (m: AiFromWorker) => void, onDeath: (reason: string) => void) {
		this.onMessage = onMessage;
		this.onDeath = onDeath;
		return () => {
			this.onMessage = undefined;
		};
	}
	reply(message: AiFromWorker): void {
		this.onMessage?.(structuredClone(message));
	}
	die(reason: string): void {
		this.onDeath?.(reason);
	}
}

const client = (worker: ClientEndpoint<AiCalls, AiEvents>): AiClient => connect(aiProtocol, worker);

afterEach(() => {
	vi.useRealTimers();
});

describe('the AI protocol over the transport', () => {
	it('sends typed calls with UUID ids and resolves with the matching result', async () => {
		const worker = new FakeWorker();
		const ai = client(worker);
		const status = ai.call('status', {});
		const [sent] = worker.sent;
		expect(sent).toMatchObject({ type: 'call', name: 'status', params: {} });
		expect(sent!.id).toMatch(/^[0-9a-f-]{36}$/);
		const result = { chat: { state: 'none' as const }, embedding: { state: 'none' as const } };
		worker.reply({ type: 'result', id: sent!.id, name: 'status', result });
		await expect(status).resolves.toEqual(result);
		expect(ai.pendingCount).toBe(0);
	});

	it('matches replies by id when they come back out of order', async () => {
		const worker = new FakeWorker();
		const ai = client(worker);
		const a = ai.call('embed', { texts: ['a'] });
		const b = ai.call('embed', { texts: ['b'] });
		const [ca, cb] = worker.sent;
		worker.reply({
			type: 'result',
			id: cb!.id,
			name: 'embed',
			result: { modelId: 'm', dim: 1, vectors: [Float32Array.of(2)] }
		});
		worker.reply({
			type: 'result',
			id: ca!.id,
			name: 'embed',
			result: { modelId: 'm', dim: 1, vectors: [Float32Array.of(1)] }
		});
		expect((await a).vectors[0]![0]).toBe(1);
		expect((await b).vectors[0]![0]).toBe(2);
	});

	it('rebuilds errors as DocketErrors with their next step', async () => {
		const worker = new FakeWorker();
		const ai = client(worker);
		const p = ai.call('embed', { texts: [] });
		worker.reply({
			type: 'error',
			id: worker.sent[0]!.id,
			error: serializeError(new InvalidInputError('Bad input.', 'Do better.'))
		});
		await expect(p).rejects.toMatchObject({ name: 'InvalidInputError', code: 'invalid-input', action: 'Do better.' });
	});

	it('streams tokens to the chat that asked, and Stop cancels it', async () => {
		const worker = new FakeWorker();
		const ai = client(worker);
		const tokens: string[] = [];
		const controller = new AbortController();
		const answer = chatClient(ai).chat(
			{ messages: [{ role: 'user', content: 'hi' }] },
			(t) => tokens.push(t),
			controller.signal
		);
		const chat = worker.sent[0]!;
		worker.reply({ type: 'progress', id: chat.id, name: 'chat', data: { delta: 'Hel' } });
		worker.reply({ type: 'progress', id: chat.id, name: 'chat', data: { delta: 'lo' } });
		worker.reply({ type: 'progress', id: 'someone-else', name: 'chat', data: { delta: 'other' } });
		controller.abort();
		expect(worker.sent[1]).toEqual({ type: 'cancel', id: chat.id });
		worker.reply({ type: 'result', id: chat.id, name: 'chat', result: { text: 'Hello', finishReason: 'abort' } });
		await expect(answer).resolves.toEqual({ text: 'Hello', finishReason: 'abort' });
		expect(tokens).toEqual(['Hel', 'lo']);
	});

	it('times out a call that gets no answer', async () => {
		vi.useFakeTimers();
		const worker = new FakeWorker();
		const ai = client(worker);
		const p = ai.call('embed', { texts: ['x'] });
		const check = expect(p).rejects.toMatchObject({ code: 'timeout' });
		await vi.advanceTimersByTimeAsync(2 * 60_000 + 1);
		await check;
		expect(ai.pendingCount).toBe(0);
	});

	it('never times out a load (downloads take as long as they take)', async () => {
		vi.useFakeTimers();
		const worker = new FakeWorker();
		const ai = client(worker);
		const p = ai.call('load', { chatModelId: 'x' });
		await vi.advanceTimersByTimeAsync(24 * 3600_000);
		expect(ai.pendingCount).toBe(1);
		worker.reply({
			type: 'result',
			id: worker.sent[0]!.id,
			name: 'load',
			result: { chat: { state: 'none' }, embedding: { state: 'none' } }
		});
		await p;
	});

	it('rejects every pending call when the worker dies, and every later call', async () => {
		const worker = new FakeWorker();
		const ai = client(worker);
		const calls = [ai.call('status', {}), ai.call('embed', { texts: ['a'] }), ai.call('load', {})];
		worker.die('out of memory');
		for (const c of calls)
			await expect(c).rejects.toMatchObject({
				code: 'worker-crashed',
				message: 'The model worker stopped: out of memory',
				name: 'WorkerCrashedError'
			});
		await expect(ai.call('status', {})).rejects.toMatchObject({ code: 'worker-crashed' });
	});

	it('rejects a result for the wrong call name instead of mistyping it', async () => {
		const worker = new FakeWorker();
		const ai = client(worker);
		const p = ai.call('status', {});
		worker.reply({ type: 'result', id: worker.sent[0]!.id, name: 'interrupt', result: null });
		await expect(p).rejects.toMatchObject({ code: 'internal' });
	});

	it('delivers progress to the load that asked for it', async () => {
		const worker = new FakeWorker();
		const ai = client(worker);
		const seen: number[] = [];
		const p = ai.call('load', { chatModelId: 'x' }, { onProgress: (progress) => seen.push(progress.fraction) });
		const id = worker.sent[0]!.id;
		worker.reply({
			type: 'progress',
			id,
			name: 'load',
			data: { modelId: 'x', phase: 'download', fraction: 0.5, text: '' }
		});
		worker.reply({
			type: 'result',
			id,
			name: 'load',
			result: { chat: { state: 'none' }, embedding: { state: 'none' } }
		});
		await p;
		expect(seen).toEqual([0.5]);
	});
});

describe('workerEndpoint', () => {
	it('treats a worker error event as death', async () => {
		const worker = Object.assign(new EventTarget(), { postMessage: vi.fn(), terminate: vi.fn() });
		const ai = client(workerEndpoint<AiCalls, AiEvents>(worker));
		const p = ai.call('status', {});
		worker.dispatchEvent(new Event('error'));
		await expect(p).rejects.toMatchObject({ code: 'worker-crashed' });
	});

	it('passes message data through', async () => {
		const posted: AiToWorker[] = [];
		const worker = Object.assign(new EventTarget(), {
			postMessage: (m: AiToWorker) => posted.push(m),
			terminate: vi.fn()
		});
		const ai = client(workerEndpoint<AiCalls, AiEvents>(worker));
		const p = ai.call('status', {});
		const result = { chat: { state: 'none' as const }, embedding: { state: 'none' as const } };
		worker.dispatchEvent(
			new MessageEvent('message', { data: { type: 'result', id: posted[0]!.id, name: 'status', result } })
		);
		await expect(p).resolves.toEqual(result);
	});
});
