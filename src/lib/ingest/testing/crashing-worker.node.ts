// A pool worker for tests: it is the real worker, but crashes its thread (an uncaught error, as a pdf.js
// bug or a hostile file would) on any file whose name starts with "crash".
import '../pool-worker.node.ts';
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', (message: unknown) => {
	const name =
		typeof message === 'object' && message !== null && 'params' in message
			? (message as { params?: { name?: unknown } }).params?.name
			: undefined;
	if (typeof name === 'string' && name.startsWith('crash'))
		setTimeout(() => {
			throw new Error('hostile file');
		}, 0);
});
