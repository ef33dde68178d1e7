import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
	CallTimeoutError,
	CancelledError,
	DocketError,
	ERROR_CLASSES,
	GpuOutOfMemoryError,
	InvalidInputError,
	WorkerCrashedError
} from '../errors.ts';
import * as errors from '../errors.ts';
import { nodeWorkerEndpoint, startTypeScriptWorker } from './node.ts';
import { testHandlers, testProtocol, type TestCalls, type TestEvents } from './testing.ts';
import {
	connect,
	portEndpoint,
	serve,
	type Client,
	type ClientEndpoint,
	type FromWorker,
	type ToWorker
} from './transport.ts';

const closers: (() => void)[] = [];
afterEach(() => {
	for (const close of closers.splice(0)) close();
	vi.useRealTimers();
});

/** The test protocol served on one end of a real MessageChannel, the client on the other. */
function overChannel(): { client: Client<TestCalls, TestEvents>; crash: () => void } {
	const { port1, port2 } = new MessageChannel();
	closers.push(
		() => port1.close(),
		() => port2.close()
	);
	const server = serve(
		testProtocol,
		portEndpoint(port2),
		testHandlers(() => undefined)
	);
	const client = connect(testProtocol, portEndpoint<ToWorker<TestCalls>, FromWorker<TestCalls, TestEvents>>(port1));
	server.emit('hello', { from: 'channel' });
	// A MessagePort has no crash event of its own; a port's owner reports death with `messageerror`.
	return { client, crash: () => port1.dispatchEvent(new Event('messageerror')) };
}

function overThread(closeAfterTest = true): Client<TestCalls, TestEvents> {
	// The thread runs TypeScript through tsx, as the CLI's threads do.
	const worker = startTypeScriptWorker(new URL('./testing-thread.ts', import.meta.url));
	if (closeAfterTest) closers.push(() => void worker.terminate());
	return connect(testProtocol, nodeWorkerEndpoint<TestCalls, TestEvents>(worker));
}

/** One thread for the tests that leave it alive: starting one (with tsx) takes half a second. */
let shared: Client<TestCalls, TestEvents> | undefined;
function sharedThread(): Client<TestCalls, TestEvents> {
	shared ??= overThread(false);
	return shared;
}
afterAll(() => shared?.terminate());

/** The same behaviour, whatever carries the messages. */
describe.each([
	['a MessageChannel', () => overChannel().client],
	['a Node worker thread', sharedThread]
])('the transport over %s', (_label, open) => {
	it('answers calls, and concurrent calls each get their own answer', async () => {
		const client = open();
		const answers = await Promise.all(['a', 'b', 'c'].map((text) => client.call('echo', { text })));
		expect(answers).toEqual([{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
		const [slow, fast] = [client.call('count', { steps: 3, everyMs: 20 }), client.call('echo', { text: 'quick' })];
		expect(await fast).toEqual({ text: 'quick' });
		expect(await slow).toEqual({ done: 3 });
		expect(client.pendingCount).toBe(0);
	});

	it('delivers progress to the call that asked, in order', async () => {
		const client = open();
		const seen: number[] = [];
		await client.call('count', { steps: 4, everyMs: 5 }, { onProgress: (p) => seen.push(p.step) });
		expect(seen).toEqual([1, 2, 3, 4]);
	});

	it('cancels through an AbortSignal: the handler is stopped and the call rejects as cancelled', async () => {
		const client = open();
		const controller = new AbortController();
		const seen: number[] = [];
		const call = client.call(
			'count',
			{ steps: 1000, everyMs: 5 },
			{ signal: controller.signal, onProgress: (p) => seen.push(p.step) }
		);
		await vi.waitUntil(() => seen.length >= 2);
		controller.abort();
		const error = await call.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(CancelledError);
		expect(seen.length).toBeLessThan(1000);
		await expect(client.call('echo', { text: 'still here' }, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
			CancelledError
		);
	});

	it('rebuilds errors as their own classes, with their sentences', async () => {
		const client = open();
		const invalid = await client.call('fail', { kind: 'invalid' }).catch((e: unknown) => e);
		expect(invalid).toBeInstanceOf(InvalidInputError);
		expect(invalid).toMatchObject({
			name: 'InvalidInputError',
			message: 'That is not a number.',
			action: 'Type digits only.'
		});
		const gpu = await client.call('fail', { kind: 'gpu' }).catch((e: unknown) => e);
		expect(gpu).toBeInstanceOf(GpuOutOfMemoryError);
		expect(gpu).toBeInstanceOf(DocketError);
		expect(gpu).toMatchObject({ code: 'gpu-out-of-memory' });
		await expect(client.call('fail', { kind: 'plain' })).rejects.toMatchObject({
			code: 'internal',
			message: 'plain failure'
		});
	});

	it('moves an ArrayBuffer instead of copying it, both ways', async () => {
		const client = open();
		const data = Uint8Array.of(1, 2, 3, 4).buffer;
		const { sum, back } = await client.call('bytes', { data });
		expect(sum).toBe(10);
		expect(data.byteLength).toBe(0);
		expect([...new Uint8Array(back)]).toEqual([7, 8, 9]);
	});

	it('times out a call that gets no answer, and tells the worker to stop it', async () => {
		const client = open();
		const error = await client.call('hang', {}, { timeoutMs: 50 }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(CallTimeoutError);
		expect(client.pendingCount).toBe(0);
	});

	it('keeps a call alive while it reports progress (the timeout restarts)', async () => {
		const client = open();
		await client.call('echo', { text: 'started' });
		// 10 steps of 30 ms (300 ms in all) under an inactivity limit of 100 ms.
		await expect(client.call('count', { steps: 10, everyMs: 30 }, { timeoutMs: 100 })).resolves.toEqual({ done: 10 });
		await expect(client.call('count', { steps: 1, everyMs: 300 }, { timeoutMs: 100 })).rejects.toBeInstanceOf(
			CallTimeoutError
		);
	});
});

describe('a worker that dies', () => {
	it('over a Node thread: its exit rejects every pending call, and every later one', async () => {
		const client = overThread();
		const pending = [
			client.call('hang', {}),
			client.call('count', { steps: 100, everyMs: 50 }),
			client.call('crash', {})
		];
		for (const call of pending) await expect(call).rejects.toBeInstanceOf(WorkerCrashedError);
		await expect(pending[0]).rejects.toMatchObject({ message: 'The test worker stopped: it exited (code 3)' });
		await expect(client.call('echo', { text: 'x' })).rejects.toBeInstanceOf(WorkerCrashedError);
	});

	it('over a MessageChannel: a messageerror rejects every pending call', async () => {
		const { client, crash } = overChannel();
		const pending = [client.call('hang', {}), client.call('hang', {})];
		crash();
		for (const call of pending) await expect(call).rejects.toBeInstanceOf(WorkerCrashedError);
	});

	it('sends a thread’s events to every listener', async () => {
		const client = overThread();
		const heard = new Promise((resolve) => client.onEvent((event) => resolve(event)));
		await expect(heard).resolves.toEqual({ type: 'event', name: 'hello', data: { from: 'thread' } });
	});

	it('terminate() stops the worker and rejects what was pending as cancelled, and every later call', async () => {
		const client = overThread();
		await client.call('echo', { text: 'up' });
		const pending = client.call('hang', {});
		client.terminate();
		await expect(pending).rejects.toBeInstanceOf(CancelledError);
		await expect(pending).rejects.toMatchObject({ message: 'Work in the test worker was cancelled.' });
		await expect(client.call('echo', { text: 'x' })).rejects.toBeInstanceOf(WorkerCrashedError);
	});

	it('a browser Worker’s error event is its death', async () => {
		const target = Object.assign(new EventTarget(), { postMessage: vi.fn(), terminate: vi.fn() });
		const client = connect(testProtocol, portEndpoint<ToWorker<TestCalls>, FromWorker<TestCalls, TestEvents>>(target));
		const pending = client.call('hang', {});
		target.dispatchEvent(new Event('error'));
		await expect(pending).rejects.toMatchObject({
			code: 'worker-crashed',
			message: 'The test worker stopped: it crashed'
		});
	});

	it('with a factory, a new worker is made for the next call', async () => {
		let made = 0;
		const deaths: ((reason: string) => void)[] = [];
		const make = (): ClientEndpoint<TestCalls, TestEvents> => {
			made++;
			return {
				postMessage: () => undefined,
				listen: (_onMessage, onDeath) => {
					deaths.push(onDeath);
					return () => undefined;
				}
			};
		};
		const client = connect(testProtocol, make);
		const first = client.call('hang', {});
		deaths[0]!('out of memory');
		await expect(first).rejects.toBeInstanceOf(WorkerCrashedError);
		void client.call('hang', {}, { timeoutMs: Infinity }).catch(() => undefined);
		expect(made).toBe(2);
		client.terminate();
	});

	it('uses fake time for the inactivity timer like real time', async () => {
		vi.useFakeTimers();
		const sent: ToWorker<TestCalls>[] = [];
		const client = connect(testProtocol, {
			postMessage: (m) => sent.push(m),
			listen: () => () => undefined
		});
		const call = client.call('hang', {});
		const check = expect(call).rejects.toBeInstanceOf(CallTimeoutError);
		await vi.advanceTimersByTimeAsync(5_001);
		await check;
		expect(sent.at(-1)).toEqual({ type: 'cancel', id: sent[0]!.id });
	});
});

describe('the error registry', () => {
	it('holds every error class errors.ts exports, under its own name', () => {
		const classes = Object.entries(errors).filter(
			(entry): entry is [string, typeof DocketError] =>
				typeof entry[1] === 'function' && (entry[1] === DocketError || entry[1].prototype instanceof DocketError)
		);
		expect(classes.length).toBeGreaterThan(20);
		for (const [name, cls] of classes) expect(Object.entries(ERROR_CLASSES)).toContainEqual([name, cls]);
	});
});
