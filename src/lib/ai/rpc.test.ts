import { afterEach, describe, expect, it, vi } from 'vitest';
import { serializeError, InvalidInputError } from '../errors.ts';
import { AiClient } from './client.ts';
import type { AiReply, AiRequest } from './protocol.ts';
import { RpcClient, workerEndpoint, type Endpoint } from './rpc.ts';

/** A worker stand-in: records what the page sent, lets the test answer or die. */
class FakeWorker implements Endpoint<AiRequest, AiReply> {
	sent: AiRequest[] = [];
	private onMessage: ((m: AiReply) => void) | undefined;
	private onDeath: ((reason: string) => void) | undefined;
	postMessage(message: AiRequest): void {
		this.sent.push(structuredClone(message));
	}
	listen(onMessage: (m: AiReply) => void, onDeath: (reason: string) => void) {
		this.onMessage = onMessage;
		this.onDeath = onDeath;
		return () => {
			this.onMessage = undefined;
		};
	}
	reply(message: AiReply): void {
		this.onMessage?.(structuredClone(message));
	}
	die(reason: string): void {
		this.onDeath?.(reason);
	}
}

afterEach(() => {
	vi.useRealTimers();
});

describe('AI worker client', () => {
	it('sends typed calls with UUID ids and resolves with the matching result', async () => {
		const worker = new FakeWorker();
		const client = new AiClient(worker);
		const status = client.status();
		const [sent] = worker.sent;
		expect(sent).toMatchObject({ type: 'call', name: 'status', params: {} });
		expect(sent!.id).toMatch(/^[0-9a-f-]{36}$/);
		const result = { chat: { state: 'none' as const }, embedding: { state: 'none' as const } };
		worker.reply({ type: 'result', id: sent!.id, name: 'status', result });
		await expect(status).resolves.toEqual(result);
		expect(client.rpc.pendingCount).toBe(0);
	});

	it('matches replies by id when they come back out of order', async () => {
		const worker = new FakeWorker();
		const client = new AiClient(worker);
		const a = client.embed(['a']);
		const b = client.embed(['b']);
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
		const client = new AiClient(worker);
		const p = client.embed([]);
		worker.reply({
			type: 'error',
			id: worker.sent[0]!.id,
			error: serializeError(new InvalidInputError('Bad input.', 'Do better.'))
		});
		await expect(p).rejects.toMatchObject({ name: 'InvalidInputError', code: 'invalid-input', action: 'Do better.' });
	});

	it('streams tokens to the chat that asked, and Stop sends interrupt', async () => {
		const worker = new FakeWorker();
		const client = new AiClient(worker);
		const tokens: string[] = [];
		const controller = new AbortController();
		const answer = client.chat(
			{ messages: [{ role: 'user', content: 'hi' }] },
			(t) => tokens.push(t),
			controller.signal
		);
		const chat = worker.sent[0]!;
		worker.reply({ type: 'event', event: 'token', data: { delta: 'Hel' }, callId: chat.id });
		worker.reply({ type: 'event', event: 'token', data: { delta: 'lo' }, callId: chat.id });
		worker.reply({ type: 'event', event: 'token', data: { delta: 'other' }, callId: 'someone-else' });
		controller.abort();
		expect(worker.sent[1]).toMatchObject({ name: 'interrupt' });
		worker.reply({ type: 'result', id: worker.sent[1]!.id, name: 'interrupt', result: null });
		worker.reply({ type: 'result', id: chat.id, name: 'chat', result: { text: 'Hello', finishReason: 'abort' } });
		await expect(answer).resolves.toEqual({ text: 'Hello', finishReason: 'abort' });
		expect(tokens).toEqual(['Hel', 'lo']);
	});

	it('times out a call that gets no answer', async () => {
		vi.useFakeTimers();
		const worker = new FakeWorker();
		const client = new AiClient(worker);
		const p = client.embed(['x']);
		const check = expect(p).rejects.toMatchObject({ code: 'timeout' });
		await vi.advanceTimersByTimeAsync(2 * 60_000 + 1);
		await check;
		expect(client.rpc.pendingCount).toBe(0);
	});

	it('never times out a load (downloads take as long as they take)', async () => {
		vi.useFakeTimers();
		const worker = new FakeWorker();
		const client = new AiClient(worker);
		const p = client.load({ chatModelId: 'x' });
		await vi.advanceTimersByTimeAsync(24 * 3600_000);
		expect(client.rpc.pendingCount).toBe(1);
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
		const client = new AiClient(worker);
		const calls = [client.status(), client.embed(['a']), client.load({})];
		worker.die('out of memory');
		for (const c of calls)
			await expect(c).rejects.toMatchObject({
				code: 'worker-crashed',
				message: 'The model worker stopped: out of memory'
			});
		await expect(client.status()).rejects.toMatchObject({ code: 'worker-crashed' });
	});

	it('rejects a result for the wrong call name instead of mistyping it', async () => {
		const worker = new FakeWorker();
		const rpc = new RpcClient(worker);
		const p = rpc.call('status', {});
		worker.reply({ type: 'result', id: worker.sent[0]!.id, name: 'interrupt', result: null });
		await expect(p).rejects.toMatchObject({ code: 'internal' });
	});

	it('delivers progress to the load that asked for it', async () => {
		const worker = new FakeWorker();
		const client = new AiClient(worker);
		const seen: number[] = [];
		const p = client.load({ chatModelId: 'x' }, (progress) => seen.push(progress.fraction));
		const id = worker.sent[0]!.id;
		worker.reply({
			type: 'event',
			event: 'progress',
			data: { modelId: 'x', phase: 'download', fraction: 0.5, text: '' },
			callId: id
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
		const target = new EventTarget();
		const worker = Object.assign(target, { postMessage: vi.fn() });
		const client = new AiClient(workerEndpoint<AiRequest, AiReply>(worker));
		const p = client.status();
		target.dispatchEvent(new Event('error'));
		await expect(p).rejects.toMatchObject({ code: 'worker-crashed' });
	});

	it('passes message data through', async () => {
		const target = new EventTarget();
		const posted: AiRequest[] = [];
		const worker = Object.assign(target, { postMessage: (m: AiRequest) => posted.push(m) });
		const client = new AiClient(workerEndpoint<AiRequest, AiReply>(worker));
		const p = client.status();
		const result = { chat: { state: 'none' as const }, embedding: { state: 'none' as const } };
		target.dispatchEvent(
			new MessageEvent('message', { data: { type: 'result', id: posted[0]!.id, name: 'status', result } })
		);
		await expect(p).resolves.toEqual(result);
	});
});
