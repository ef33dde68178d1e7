/** A tensor thread's entry in Node (see threads.node.ts). */
import { parentPort } from 'node:worker_threads';
import { serveThread, type ThreadReply, type ThreadRequest } from './cpu-thread-protocol.ts';

const port = parentPort;
if (!port) throw new Error('cpu-thread.node.ts runs as a worker thread.');
serveThread({
	postMessage: (message: ThreadReply, transfer) => port.postMessage(message, transfer),
	onMessage: (listener: (message: ThreadRequest) => void) => port.on('message', listener)
});
