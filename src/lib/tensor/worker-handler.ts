/**
 * The worker side of protocol.ts, free of any worker global so Node tests can drive it: each call runs
 * on the chosen backend with progress messages, and a cancel message aborts it. Tensors opened from
 * `.npy` bytes (and stored results) are kept under their keys, the most recent few only.
 */
import { MissingRecordError, serializeError } from '../errors.ts';
import { resampleCpuAsync, sampleCpu } from './cpu.ts';
import { resampleThreaded, sampleThreaded, type TensorThreadPool } from './cpu-threads.ts';
import { encodeNpy } from './npy.ts';
import { openNpy } from './open.ts';
import {
	resultTransferables,
	type TensorBackend,
	type TensorFromWorker,
	type TensorReturn,
	type TensorToWorker
} from './protocol.ts';
import type { ResampleParams, RunOptions, Tensor } from './semantics.ts';
import { renderSlice, valueRange } from './slice.ts';
import type { TensorGpu } from './webgpu.ts';

export interface TensorHandlerDeps {
	/** The GPU backend, created on first use (and reused). */
	gpu: () => Promise<TensorGpu>;
	post: (message: TensorFromWorker, transfer: Transferable[]) => void;
	/** Threads for the CPU backend (absent: it runs on this worker's own thread). */
	cpuThreads?: () => TensorThreadPool;
	/** How many opened tensors to keep (default 3: the one viewed, its source and a result). */
	keep?: number;
}

export function createTensorHandler(deps: TensorHandlerDeps): (message: TensorToWorker) => Promise<void> {
	const running = new Map<string, AbortController>();
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

	return async (message) => {
		if (message.kind === 'cancel') {
			running.get(message.id)?.abort();
			return;
		}
		const { id } = message;
		const controller = new AbortController();
		running.set(id, controller);
		const options = {
			signal: controller.signal,
			onProgress: (fraction: number) => deps.post({ kind: 'progress', id, fraction }, [])
		};
		try {
			let reply: TensorReturn;
			switch (message.name) {
				case 'resample': {
					const { tensor, params, backend } = message.params;
					reply = { kind: 'return', id, name: 'resample', result: await resample(tensor, params, backend, options) };
					break;
				}
				case 'sample': {
					const { tensor, coordinates, params, backend } = message.params;
					const result =
						backend === 'cpu'
							? deps.cpuThreads
								? await sampleThreaded(tensor, coordinates, params, deps.cpuThreads(), options)
								: sampleCpu(tensor, coordinates, params, options)
							: await (await deps.gpu()).sample(tensor, coordinates, params, options);
					reply = { kind: 'return', id, name: 'sample', result };
					break;
				}
				case 'open': {
					const { key, name, bytes } = message.params;
					const { tensor, info } = await openNpy(new Uint8Array(bytes), name, options);
					keep(key, tensor);
					reply = { kind: 'return', id, name: 'open', result: info };
					break;
				}
				case 'slice': {
					const { key, volume, axis, index, min, max, map } = message.params;
					reply = {
						kind: 'return',
						id,
						name: 'slice',
						result: renderSlice(lookUp(key), volume, axis, index, min, max, map)
					};
					break;
				}
				case 'resampleStored': {
					const { key, resultKey, params, backend } = message.params;
					const result = await resample(lookUp(key), params, backend, options);
					keep(resultKey, result);
					const { min, max } = valueRange(result.data);
					reply = {
						kind: 'return',
						id,
						name: 'resampleStored',
						result: { info: { shape: result.shape, dtype: 'float32', min, max }, npy: encodeNpy(result) }
					};
					break;
				}
			}
			deps.post(reply, resultTransferables(reply));
		} catch (error) {
			deps.post({ kind: 'throw', id, error: serializeError(error) }, []);
		} finally {
			running.delete(id);
		}
	};
}
