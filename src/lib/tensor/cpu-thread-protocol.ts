/**
 * The tensor threads' protocol on the shared transport (src/lib/worker/transport.ts): one call, a task in
 * and its result out, both moved rather than copied. The Node and the browser thread both serve it.
 */
import { Client, defineProtocol, wholeBuffer, type ClientEndpoint, type Handlers } from '../worker/transport.ts';
import { runThreadTask, type TensorThread, type ThreadTask } from './cpu-threads.ts';

export type TensorThreadCalls = {
	run: { params: ThreadTask; result: Float32Array };
};

function taskBuffers(task: ThreadTask): Transferable[] {
	return wholeBuffer(task.kind === 'xy' ? task.planes : task.kind === 'zoom' ? task.xy : task.e);
}

export const tensorThreadProtocol = defineProtocol<TensorThreadCalls>({
	worker: 'tensor',
	// A slab of a large volume can take minutes on a slow machine; cancelling stops the thread instead.
	defaultTimeoutMs: Infinity,
	transfer: { run: { params: taskBuffers, result: wholeBuffer } }
});

export const tensorThreadHandlers: Handlers<TensorThreadCalls> = { run: (task) => runThreadTask(task) };

/** The pool's side of one thread, over whatever endpoint the platform starts it with. */
export function threadClient(endpoint: ClientEndpoint<TensorThreadCalls>): TensorThread {
	const client = new Client(tensorThreadProtocol, endpoint);
	return {
		run: (task) => client.call('run', task),
		terminate: () => client.terminate()
	};
}
