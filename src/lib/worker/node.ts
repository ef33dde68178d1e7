/**
 * Node's worker threads as transport endpoints (the CLI's extraction pool): `worker_threads.Worker` on the
 * caller's side, `parentPort` inside the thread. Node delivers message data directly (no MessageEvent), and
 * a thread that throws, or exits, is dead.
 */
import { Worker, type MessagePort, type TransferListItem, type WorkerOptions } from 'node:worker_threads';
import type { CallMap, ClientEndpoint, EventMap, NoEvents, ServerEndpoint } from './transport.ts';

/** Node moves ArrayBuffers and ports of its own kind; anything else in a list is copied. */
function nodeTransfer(list: Transferable[]): TransferListItem[] {
	return list.filter((item): item is ArrayBuffer => item instanceof ArrayBuffer);
}

/** The caller's side of a thread; `terminate` ends it (and the client rejects what was pending). */
export function nodeWorkerEndpoint<C extends CallMap, E extends EventMap = NoEvents>(
	worker: Worker
): ClientEndpoint<C, E> {
	return {
		postMessage: (message, transfer) => worker.postMessage(message, nodeTransfer(transfer)),
		listen(onMessage, onDeath) {
			// The thread runs the same protocol module; what it sends is trusted to match it.
			const message = (data: Parameters<typeof onMessage>[0]) => onMessage(data);
			const error = (err: Error) => onDeath(err.message || 'it crashed');
			const messageError = () => onDeath('a message could not be read');
			const exit = (code: number) => onDeath(`it exited (code ${code})`);
			worker.on('message', message);
			worker.on('error', error);
			worker.on('messageerror', messageError);
			worker.on('exit', exit);
			return () => {
				worker.off('message', message);
				worker.off('error', error);
				worker.off('messageerror', messageError);
				worker.off('exit', exit);
			};
		},
		terminate: () => void worker.terminate()
	};
}

/** Inside a thread: `parentPort` as the endpoint `serve` answers on. */
export function parentPortEndpoint<C extends CallMap, E extends EventMap = NoEvents>(
	port: MessagePort
): ServerEndpoint<C, E> {
	return {
		postMessage: (message, transfer) => port.postMessage(message, nodeTransfer(transfer)),
		listen(onMessage, onDeath) {
			const message = (data: Parameters<typeof onMessage>[0]) => onMessage(data);
			const close = () => onDeath('the caller closed the port');
			port.on('message', message);
			port.on('close', close);
			return () => {
				port.off('message', message);
				port.off('close', close);
			};
		}
	};
}

/**
 * Starts a TypeScript module as a worker thread. The library runs under tsx's in-process loader, which
 * worker threads do not inherit, so the thread registers it before importing its entry.
 */
export function startTypeScriptWorker(entry: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
	const loader = import.meta.resolve('tsx/esm/api');
	const boot = `import(${JSON.stringify(loader)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
	return new Worker(boot, { ...options, eval: true });
}
