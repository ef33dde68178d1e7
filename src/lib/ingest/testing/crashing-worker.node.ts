// A pool worker for tests: it is the real worker, but crashes its thread (an uncaught error, as a pdf.js
// bug or a hostile file would) on any file whose name starts with "crash".
import '../pool-worker.node.ts';
import { parentPort } from 'node:worker_threads';
import type { PoolRequest } from '../pool-messages.ts';

parentPort?.on('message', (message: PoolRequest) => {
	if (message.type === 'extract' && message.job.name.startsWith('crash'))
		setTimeout(() => {
			throw new Error('hostile file');
		}, 0);
});
