/**
 * The tensor worker's handlers, free of any worker global so Node tests can drive them: each call runs
 * on the chosen backend, reporting progress, and stops when its signal aborts (the caller cancelled). Tensors opened from
 * `.npy` bytes (and stored results) are kept under their keys, the most recent few only.
 */
import { MissingRecordError } from '../errors.ts';
import type { Handlers } from '../worker/transport.ts';
import { resampleCpuAsync, sampleCpu } from './cpu.ts';
import { resampleThreaded, sampleThreaded, type TensorThreadPool } from './cpu-threads.ts';
import { encodeNpy } from './npy.ts';
import { openNpy } from './open.ts';
import type { TensorBackend, TensorCalls } from './protocol.ts';
import type { ResampleParams, RunOptions, Tensor } from './semantics.ts';
import { renderSlice, valueRange, volumeRanges } from './slice.ts';
import type { TensorGpu } from './webgpu.ts';

export interface TensorHandlerDeps {
	/** The GPU backend, created on first use (and reused). */
	gpu: () => Promise<TensorGpu>;
	/** Threads for the CPU backend (absent: it runs on this worker's own thread). */
	cpuThreads?: () => TensorThreadPool;
	/** How many opened tensors to keep (default 3: the one viewed, its source and a result). */
	keep?: number;
}

export function createTensorHandlers(deps: TensorHandlerDeps): Handlers<TensorCalls> {
	const kept = new Map<string, Tensor>();
	const keep = (key: string, tensor: Tensor) => {
		kept.delete(key);
		kept.set(key, tensor);
		for (const old of kept.keys()) if (kept.size > (deps.keep ?? 3)) kept.delete(old);
	};
	const lookUp = (key: string): Tensor => {
		const tensor = kept.get(key);
		if (!tensor) throw new MissingRecordError('The opened tensor');
		keep(key, tensor);
		return tensor;
	};
	const resample = async (tensor: Tensor, params: ResampleParams, backend: TensorBackend, options: RunOptions) =>
		backend === 'cpu'
			? deps.cpuThreads
				? resampleThreaded(tensor, params, deps.cpuThreads(), options)
				: resampleCpuAsync(tensor, params, options)
			: (await deps.gpu()).resample(tensor, params, options);

	const run = (signal: AbortSignal, onProgress: (fraction: number) => void): RunOptions => ({ signal, onProgress });
	return {
		resample: ({ tensor, params, backend }, { signal, progress }) =>
			resample(tensor, params, backend, run(signal, progress)),
		async sample({ tensor, coordinates, params, backend }, { signal, progress }) {
			const options = run(signal, progress);
			return backend === 'cpu'
				? deps.cpuThreads
					? sampleThreaded(tensor, coordinates, params, deps.cpuThreads(), options)
					: sampleCpu(tensor, coordinates, params, options)
				: (await deps.gpu()).sample(tensor, coordinates, params, options);
		},
		async open({ key, name, bytes }, { signal, progress }) {
			const { tensor, info } = await openNpy(new Uint8Array(bytes), name, run(signal, progress));
			keep(key, tensor);
			return info;
		},
		slice: ({ key, volume, axis, index, min, max, map }) =>
			renderSlice(lookUp(key), volume, axis, index, min, max, map),
		async resampleStored({ key, resultKey, params, backend }, { signal, progress }) {
			const result = await resample(lookUp(key), params, backend, run(signal, progress));
			keep(resultKey, result);
			const { min, max } = valueRange(result.data);
			return {
				info: { shape: result.shape, dtype: 'float32', min, max, volumes: volumeRanges(result) },
				npy: encodeNpy(result)
			};
		}
	};
}
