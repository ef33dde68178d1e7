/**
 * The few messages between a tensor thread and its pool: a task in, its result (or error) out. Both the
 * Node and the browser thread use them; `ThreadPort` is what either side's port looks like.
 */
import { deserializeError, serializeError, type SerializedError } from '../errors.ts';
import { runThreadTask, type TensorThread, type ThreadTask } from './cpu-threads.ts';

export type ThreadRequest = { id: number; task: ThreadTask };
export type ThreadReply = { id: number; result: Float32Array } | { id: number; error: SerializedError };

export interface ThreadPort<In, Out> {
	postMessage(message: Out, transfer: ArrayBuffer[]): void;
	onMessage(listener: (message: In) => void): void;
}

/** The thread's side: runs each task and answers with its result, moved rather than copied. */
export function serveThread(port: ThreadPort<ThreadRequest, ThreadReply>): void {
	port.onMessage(({ id, task }) => {
		try {
			const result = runThreadTask(task);
			port.postMessage({ id, result }, result.buffer instanceof ArrayBuffer ? [result.buffer] : []);
		} catch (error) {
			port.postMessage({ id, error: serializeError(error) }, []);
		}
	});
}

/** The pool's side of one thread; `onDeath` is wired by the platform to the thread's error/exit events. */
export function threadClient(
	port: ThreadPort<ThreadReply, ThreadRequest>,
	terminate: () => void
): TensorThread & { die(reason: string): void } {
	const pending = new Map<number, { resolve: (r: Float32Array) => void; reject: (e: Error) => void }>();
	let next = 0;
	let dead: string | undefined;
	const die = (reason: string) => {
		dead ??= reason;
		for (const { reject } of pending.values()) reject(new Error(`A tensor thread stopped: ${reason}`));
		pending.clear();
	};
	port.onMessage((reply) => {
		const entry = pending.get(reply.id);
		if (!entry) return;
		pending.delete(reply.id);
		if ('error' in reply) entry.reject(deserializeError(reply.error));
		else entry.resolve(reply.result);
	});
	return {
		run(task, transfer) {
			if (dead !== undefined) return Promise.reject(new Error(`A tensor thread stopped: ${dead}`));
			const id = next++;
			return new Promise((resolve, reject) => {
				pending.set(id, { resolve, reject });
				port.postMessage({ id, task }, transfer);
			});
		},
		terminate() {
			die('terminated');
			terminate();
		},
		die
	};
}
