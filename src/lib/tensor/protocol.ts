/**
 * The tensor worker's protocol, imported by both sides: a map from call name to { params, result,
 * progress }, and which buffers move instead of being copied. The transport is src/lib/worker/transport.ts.
 *
 * The page never parses or draws a tensor itself: `open` hands the file's bytes to the worker, which
 * keeps the tensor under a key (the tensor row's id); `slice` draws from it and `resampleStored`
 * resamples it, keeping the result under a new key and returning it as `.npy` bytes to store.
 */
import { connect, defineProtocol, workerEndpoint, type CallOptions, type Client } from '../worker/transport.ts';
import type { TensorInfo } from './open.ts';
import type { ResampleParams, SampleParams, Tensor } from './semantics.ts';
import type { ColourMap, SliceImage } from './slice.ts';

export type TensorBackend = 'webgpu' | 'cpu';

export interface SliceRequest {
	key: string;
	volume: number;
	axis: 1 | 2 | 3;
	index: number;
	min: number;
	max: number;
	map: ColourMap;
}

/** Progress is the fraction done, 0…1. */
export type TensorCalls = {
	/** The tensor's buffer is transferred (the caller's copy becomes empty): pass a copy if you still need it. */
	resample: {
		params: { tensor: Tensor; params: ResampleParams; backend: TensorBackend };
		result: Tensor;
		progress: number;
	};
	/** map_coordinates; both buffers are transferred. */
	sample: {
		params: { tensor: Tensor; coordinates: Tensor; params: SampleParams; backend: TensorBackend };
		result: Tensor;
		progress: number;
	};
	/** Parses `.npy` bytes (transferred) and keeps the tensor under `key`. */
	open: { params: { key: string; name: string; bytes: ArrayBuffer }; result: TensorInfo; progress: number };
	slice: { params: SliceRequest; result: SliceImage };
	/** Resamples the tensor kept under `key`, keeps the result under `resultKey`, and returns it as `.npy`. */
	resampleStored: {
		params: { key: string; resultKey: string; params: ResampleParams; backend: TensorBackend };
		result: { info: TensorInfo; npy: Uint8Array<ArrayBuffer> };
		progress: number;
	};
};

export const tensorProtocol = defineProtocol<TensorCalls>({
	worker: 'tensor',
	// Large tensors on a software adapter are slow, but they report progress as they go.
	defaultTimeoutMs: 600_000,
	transfer: {
		resample: { params: (p) => [p.tensor.data.buffer], result: (r) => [r.data.buffer] },
		sample: { params: (p) => [p.tensor.data.buffer, p.coordinates.data.buffer], result: (r) => [r.data.buffer] },
		open: { params: (p) => [p.bytes] },
		slice: { result: (r) => [r.rgba.buffer] },
		resampleStored: { result: (r) => [r.npy.buffer] }
	}
});

export type TensorClient = Client<TensorCalls>;
export type TensorCallOptions = CallOptions<number>;

/** Starts the tensor worker in the browser (Vite bundles tensor.worker.ts as a module worker). */
export function startTensorWorker(): TensorClient {
	return connect(
		tensorProtocol,
		workerEndpoint<TensorCalls>(new Worker(new URL('./tensor.worker.ts', import.meta.url), { type: 'module' }))
	);
}
