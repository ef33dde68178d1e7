import { afterEach, describe, expect, it } from 'vitest';
import { connect, portEndpoint, serve, workerEndpoint } from '../worker/transport.ts';
import { resampleCpu } from './cpu.ts';
import { encodeNpy, parseNpy } from './npy.ts';
import { renderSlice } from './slice.ts';
import { tensorProtocol, type TensorCalls } from './protocol.ts';
import { random, tensorOf } from './test-data.ts';
import type { TensorGpu } from './webgpu.ts';
import { createTensorHandlers } from './worker-handler.ts';

const ports: MessagePort[] = [];
afterEach(() => {
	for (const port of ports.splice(0)) port.close();
});

/** The handlers on one end of a real MessageChannel (structured clones, transfers), the client on the other. */
function fakeWorker() {
	const { port1, port2 } = new MessageChannel();
	ports.push(port1, port2);
	serve(
		tensorProtocol,
		portEndpoint(port2),
		createTensorHandlers({ gpu: () => Promise.reject<TensorGpu>(new Error('no GPU in this test')) })
	);
	const client = connect(tensorProtocol, workerEndpoint<TensorCalls>(port1));
	return { client, crash: () => port1.dispatchEvent(new Event('messageerror')) };
}

describe('tensor worker protocol', () => {
	const rand = random(9);
	const input = tensorOf([2, 10, 12, 14], () => rand());
	const params = { zoom: [2, 1.5, 1.25], mode: 'nearest' } as const;

	it('resamples through the worker with progress, like a direct call', async () => {
		const client = fakeWorker().client;
		const progress: number[] = [];
		const result = await client.call(
			'resample',
			{ tensor: structuredClone(input), params, backend: 'cpu' },
			{ onProgress: (f) => progress.push(f) }
		);
		expect(result.data).toEqual(resampleCpu(input, params).data);
		expect(progress.length).toBeGreaterThan(2);
		expect(progress.at(-1)).toBe(1);
	});

	it('cancels a running call', async () => {
		const client = fakeWorker().client;
		const controller = new AbortController();
		// Big enough (128³ out) that the cancel, sent at the first progress, lands long before the last slab.
		const big = tensorOf([1, 64, 64, 64], () => rand());
		const call = client.call(
			'resample',
			{ tensor: big, params: { zoom: [2, 2, 2] }, backend: 'cpu' },
			{ signal: controller.signal, onProgress: () => controller.abort() }
		);
		await expect(call).rejects.toMatchObject({ code: 'cancelled' });
	});

	it('rebuilds errors as typed errors and rejects everything pending when the worker dies', async () => {
		const { client, crash } = fakeWorker();
		await expect(
			client.call('resample', { tensor: tensorOf([1, 2, 2, 2], () => 0), params: { zoom: [0, 1, 1] }, backend: 'cpu' })
		).rejects.toMatchObject({
			code: 'invalid-input',
			name: 'InvalidInputError'
		});
		const pending = client.call('resample', {
			tensor: tensorOf([1, 30, 30, 30], () => 1),
			params: { zoom: [2, 2, 2] },
			backend: 'cpu'
		});
		crash();
		await expect(pending).rejects.toMatchObject({ code: 'worker-crashed' });
		await expect(
			client.call('resample', { tensor: tensorOf([1, 2, 2, 2], () => 0), params: { zoom: [2, 2, 2] }, backend: 'cpu' })
		).rejects.toMatchObject({ code: 'worker-crashed' });
	});

	it('opens .npy bytes in the worker, draws slices there, and resamples the kept tensor into .npy bytes', async () => {
		const client = fakeWorker().client;
		const float64 = { shape: [2, 10, 12, 14], data: Float64Array.from(input.data, (v, i) => (i === 5 ? Infinity : v)) };
		const bytes = encodeNpy(float64);
		const progress: number[] = [];
		const info = await client.call(
			'open',
			{ key: 'a', name: 'a.npy', bytes: bytes.buffer },
			{ onProgress: (f) => progress.push(f) }
		);
		expect(info).toMatchObject({ shape: [2, 10, 12, 14], dtype: 'float64' });
		expect(info.max).toBeLessThan(1);
		expect(info.min).toBeGreaterThanOrEqual(0);
		expect(progress.at(-1)).toBe(1);
		const kept = { shape: float64.shape, data: Float32Array.from(float64.data) };
		const image = await client.call('slice', {
			key: 'a',
			volume: 1,
			axis: 2,
			index: 3,
			min: 0,
			max: 1,
			map: 'viridis'
		});
		expect(image).toEqual(renderSlice(kept, 1, 2, 3, 0, 1, 'viridis'));
		const stored = await client.call('resampleStored', { key: 'a', resultKey: 'b', params, backend: 'cpu' });
		expect(stored.info.shape).toEqual([2, 20, 18, 18]);
		expect(parseNpy(stored.npy).data).toEqual(resampleCpu(kept, params).data);
		const resultSlice = await client.call('slice', {
			key: 'b',
			volume: 0,
			axis: 1,
			index: 0,
			min: stored.info.min,
			max: stored.info.max,
			map: 'gray'
		});
		expect([resultSlice.width, resultSlice.height]).toEqual([18, 18]);
		await expect(
			client.call('slice', { key: 'missing', volume: 0, axis: 1, index: 0, min: 0, max: 1, map: 'gray' })
		).rejects.toMatchObject({ code: 'not-found' });
	});

	it('refuses what the lab cannot open, and cancels a long open', async () => {
		const client = fakeWorker().client;
		const flat = encodeNpy({ shape: [8], data: new Float32Array(8) });
		await expect(client.call('open', { key: 'x', name: 'flat.npy', bytes: flat.buffer })).rejects.toMatchObject({
			code: 'invalid-input',
			message: expect.stringMatching(/4D/)
		});
		const junk = new TextEncoder().encode('not numpy');
		await expect(client.call('open', { key: 'x', name: 'junk.npy', bytes: junk.buffer })).rejects.toThrow(
			/not a NumPy/
		);
		const big = encodeNpy({ shape: [3, 128, 128, 128], data: new Float32Array(3 * 128 ** 3) });
		const controller = new AbortController();
		const open = client.call(
			'open',
			{ key: 'big', name: 'big.npy', bytes: big.buffer },
			{ signal: controller.signal, onProgress: () => controller.abort() }
		);
		await expect(open).rejects.toMatchObject({ code: 'cancelled' });
	});
});
