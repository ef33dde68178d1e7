/**
 * The worker side of protocol.ts, free of any worker global so Node tests can drive it: each call runs
 * on the chosen backend with progress messages, and a cancel message aborts it.
 */
import { serializeError } from '../errors.ts';
import { resampleCpuAsync, sampleCpu } from './cpu.ts';
import type { TensorFromWorker, TensorToWorker } from './protocol.ts';
import type { Tensor } from './semantics.ts';
import type { TensorGpu } from './webgpu.ts';

export interface TensorHandlerDeps {
	/** The GPU backend, created on first use (and reused). */
	gpu: () => Promise<TensorGpu>;
	post: (message: TensorFromWorker, transfer: Transferable[]) => void;
}

export function createTensorHandler(deps: TensorHandlerDeps): (message: TensorToWorker) => Promise<void> {
	const running = new Map<string, AbortController>();
	return async (message) => {
		if (message.kind === 'cancel') {
			running.get(message.id)?.abort();
			return;
		}
		const { id } = message;
		const controller = new AbortController();
		running.set(id, controller);
		const options = { signal: controller.signal, onProgress: (fraction: number) => deps.post({ kind: 'progress', id, fraction }, []) };
		try {
			let result: Tensor;
			if (message.name === 'resample') {
				const { tensor, params, backend } = message.params;
				result = backend === 'cpu' ? await resampleCpuAsync(tensor, params, options) : await (await deps.gpu()).resample(tensor, params, options);
			} else {
				const { tensor, coordinates, params, backend } = message.params;
				result = backend === 'cpu' ? sampleCpu(tensor, coordinates, params, options) : await (await deps.gpu()).sample(tensor, coordinates, params, options);
			}
			deps.post({ kind: 'return', id, result }, [result.data.buffer]);
		} catch (error) {
			deps.post({ kind: 'throw', id, error: serializeError(error) }, []);
		} finally {
			running.delete(id);
		}
	};
}
