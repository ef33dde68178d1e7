/** Tensor threads in the browser: workers started from the tensor worker, one per core (at least two). */
import { workerEndpoint } from '../worker/transport.ts';
import { threadClient, type TensorThreadCalls } from './cpu-thread-protocol.ts';
import { TensorThreadPool, type TensorThread } from './cpu-threads.ts';

export function startBrowserTensorThread(): TensorThread {
	return threadClient(
		workerEndpoint<TensorThreadCalls>(
			new Worker(new URL('./cpu-thread.worker.ts', import.meta.url), { type: 'module', name: 'docket-tensor-thread' })
		)
	);
}

export function browserTensorThreadPool(size = Math.max(2, navigator.hardwareConcurrency || 2)): TensorThreadPool {
	return new TensorThreadPool(startBrowserTensorThread, size);
}
