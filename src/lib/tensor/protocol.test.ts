import { describe, expect, it } from 'vitest';
import { resampleCpu } from './cpu.ts';
import { TensorWorkerClient, type TensorFromWorker, type TensorToWorker, type WorkerPort } from './protocol.ts';
import { random, tensorOf } from './test-data.ts';
import type { TensorGpu } from './webgpu.ts';
import { createTensorHandler } from './worker-handler.ts';

/** A worker in the same thread: messages are structured-cloned both ways, as postMessage does. */
function fakeWorker(): { port: WorkerPort; crash: () => void } {
	const messageListeners: ((message: TensorFromWorker) => void)[] = [];
	const errorListeners: (() => void)[] = [];
	const handle = createTensorHandler({
		gpu: () => Promise.reject<TensorGpu>(new Error('no GPU in this test')),
		post: (message) => {
			const copy = structuredClone(message);
			setTimeout(() => messageListeners.forEach((l) => l(copy)), 0);
		}
	});
	const port: WorkerPort = {
		post: (message) => {
			// A real Worker's postMessage is untyped; the clone is what the worker would receive.
			const copy = structuredClone(message) as TensorToWorker;
			setTimeout(() => void handle(copy), 0);
		},
		onMessage: (listener) => messageListeners.push(listener),
		onError: (listener) => errorListeners.push(listener),
		terminate: () => undefined
	};
	return { port, crash: () => errorListeners.forEach((l) => l()) };
}

describe('tensor worker protocol', () => {
	const rand = random(9);
	const input = tensorOf([2, 10, 12, 14], () => rand());
	const params = { zoom: [2, 1.5, 1.25], mode: 'nearest' } as const;

	it('resamples through the worker with progress, like a direct call', async () => {
		const client = new TensorWorkerClient(fakeWorker().port);
		const progress: number[] = [];
		const result = await client.call('resample', { tensor: structuredClone(input), params, backend: 'cpu' }, { onProgress: (f) => progress.push(f) });
		expect(result.data).toEqual(resampleCpu(input, params).data);
		expect(progress.length).toBeGreaterThan(2);
		expect(progress.at(-1)).toBe(1);
	});

	it('cancels a running call', async () => {
		const client = new TensorWorkerClient(fakeWorker().port);
		const controller = new AbortController();
		const big = tensorOf([1, 40, 40, 40], () => rand());
		const call = client.call('resample', { tensor: big, params: { zoom: [2, 2, 2] }, backend: 'cpu' }, { signal: controller.signal, onProgress: () => controller.abort() });
		await expect(call).rejects.toMatchObject({ code: 'cancelled' });
	});

	it('rebuilds errors as typed errors and rejects everything pending when the worker dies', async () => {
		const { port, crash } = fakeWorker();
		const client = new TensorWorkerClient(port);
		await expect(client.call('resample', { tensor: tensorOf([1, 2, 2, 2], () => 0), params: { zoom: [0, 1, 1] }, backend: 'cpu' })).rejects.toMatchObject({
			code: 'invalid-input',
			name: 'InvalidInputError'
		});
		const pending = client.call('resample', { tensor: tensorOf([1, 30, 30, 30], () => 1), params: { zoom: [2, 2, 2] }, backend: 'cpu' });
		crash();
		await expect(pending).rejects.toMatchObject({ code: 'worker-crashed' });
		await expect(client.call('resample', { tensor: tensorOf([1, 2, 2, 2], () => 0), params: { zoom: [2, 2, 2] }, backend: 'cpu' })).rejects.toMatchObject({ code: 'worker-crashed' });
	});
});
