/** Tensor threads in the browser: workers started from the tensor worker, one per core (at least two). */
import { threadClient, type ThreadReply, type ThreadRequest } from './cpu-thread-protocol.ts';
import { TensorThreadPool, type TensorThread } from './cpu-threads.ts';

export function startBrowserTensorThread(): TensorThread {
	const worker = new Worker(new URL('./cpu-thread.worker.ts', import.meta.url), { type: 'module' });
	const client = threadClient(
		{
			postMessage: (message: ThreadRequest, transfer) => worker.postMessage(message, transfer),
			onMessage: (listener: (message: ThreadReply) => void) =>
				worker.addEventListener('message', (event: MessageEvent<ThreadReply>) => listener(event.data))
		},
		() => worker.terminate()
	);
	worker.addEventListener('error', (event) => client.die(event.message || 'the thread failed to start'));
	return client;
}

export function browserTensorThreadPool(size = Math.max(2, navigator.hardwareConcurrency || 2)): TensorThreadPool {
	return new TensorThreadPool(startBrowserTensorThread, size);
}
