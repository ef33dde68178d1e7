// The entry of one Node ingestion worker (worker_threads): it runs the shared extraction core on Node's
// pdf.js and answers the pool over `pool-messages.ts`. The message handling stays in this file only, so
// it can move onto a shared worker transport without touching the core.
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../errors.ts';
import { createExtractor } from './extract.ts';
import { nodePdfPlatform } from './pdf-platform.node.ts';
import { PROGRESS_EVERY_MS, type PoolRequest, type PoolResponse } from './pool-messages.ts';

const port = parentPort;
if (!port) throw new Error('pool-worker.node.ts runs only as a worker thread.');
const extractor = createExtractor(nodePdfPlatform());
const running = new Map<string, AbortController>();
const send = (message: PoolResponse) => port.postMessage(message);

port.on('message', (message: PoolRequest) => {
	if (message.type === 'cancel') {
		running.get(message.id)?.abort();
		return;
	}
	const { id, job } = message;
	const controller = new AbortController();
	running.set(id, controller);
	let last = 0;
	const { range, password, ...input } = job;
	extractor
		.extractPages(input, {
			signal: controller.signal,
			...(range === undefined ? {} : { range }),
			...(password === undefined ? {} : { password }),
			onProgress: (progress) => {
				const now = Date.now();
				if (progress.pagesDone !== 0 && now - last < PROGRESS_EVERY_MS) return;
				last = now;
				send({ type: 'progress', id, progress });
			}
		})
		.then(
			(result) => send({ type: 'result', id, result }),
			(error: unknown) => send({ type: 'error', id, error: serializeError(error) })
		)
		.finally(() => running.delete(id));
});
