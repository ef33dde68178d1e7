/**
 * Tensor threads in Node: `worker_threads` running `cpu-thread.node.ts`. The library is TypeScript run by
 * tsx, so each thread registers tsx's loader before importing its entry; a thread holds the process open
 * only while it has work.
 */
import { availableParallelism } from 'node:os';
import { nodeWorkerEndpoint, startTypeScriptWorker } from '../worker/node.ts';
import { threadClient, type TensorThreadCalls } from './cpu-thread-protocol.ts';
import { TensorThreadPool, type TensorThread } from './cpu-threads.ts';

export function startNodeTensorThread(): TensorThread {
	const worker = startTypeScriptWorker(new URL('./cpu-thread.node.ts', import.meta.url));
	let busy = 0;
	worker.unref();
	const thread = threadClient(nodeWorkerEndpoint<TensorThreadCalls>(worker));
	return {
		async run(task) {
			if (busy++ === 0) worker.ref();
			try {
				return await thread.run(task);
			} finally {
				if (--busy === 0) worker.unref();
			}
		},
		terminate: () => thread.terminate()
	};
}

/** One thread per core, at least two. */
export function nodeTensorThreadPool(size = Math.max(2, availableParallelism())): TensorThreadPool {
	return new TensorThreadPool(startNodeTensorThread, size);
}
