import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DocketError, deserializeError } from '../errors.ts';
import type { PagesResult } from './extract.ts';
import { ExtractionPool, poolSize, type ExtractionBackend, type ExtractionJob } from './pool.ts';
import type { PoolRequest, PoolResponse } from './pool-messages.ts';
import type { ExtractionProgress } from './types.ts';

const ENTRY = new URL('./pool-worker.node.ts', import.meta.url);

export interface NodeBackendOptions {
	/** The worker's entry module (tests give one that crashes on purpose). */
	entry?: URL;
	/** Heap ceiling of one worker: a file that needs more kills its worker, not the process. */
	maxHeapMb?: number;
}

/**
 * Starts a worker thread on a TypeScript entry: the CLI runs under tsx's in-process loader, which worker
 * threads do not inherit, so the worker registers it before importing the entry.
 */
function startWorker(entry: URL, maxHeapMb: number): Worker {
	const tsx = import.meta.resolve('tsx/esm/api');
	const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
	return new Worker(boot, { eval: true, resourceLimits: { maxOldGenerationSizeMb: maxHeapMb }, stdout: false });
}

/** One worker thread running one job at a time; after a crash, the next job starts a new thread. */
export function nodeWorkerBackend(options: NodeBackendOptions = {}): ExtractionBackend {
	const entry = options.entry ?? ENTRY;
	const maxHeapMb = options.maxHeapMb ?? 2048;
	let worker: Worker | undefined;
	let current:
		| {
				id: string;
				thread: Worker;
				resolve: (result: PagesResult) => void;
				reject: (error: unknown) => void;
				onProgress: (p: ExtractionProgress) => void;
		  }
		| undefined;

	const ensure = (): Worker => {
		if (worker) return worker;
		const started = startWorker(entry, maxHeapMb);
		started.unref();
		started.on('message', (message: PoolResponse) => {
			if (!current || message.id !== current.id) return;
			if (message.type === 'progress') current.onProgress(message.progress);
			else if (message.type === 'result') current.resolve(message.result);
			else current.reject(deserializeError(message.error));
		});
		const died = (reason: string) => {
			if (worker === started) worker = undefined;
			// 'error' and then 'exit' both come; by then the next job may run on a new thread.
			if (current?.thread !== started) return;
			current.reject(
				new DocketError('worker-crashed', `The extraction worker stopped while reading this file (${reason}).`, {
					action: 'The file may be hostile or too complex; other files are not affected.'
				})
			);
		};
		started.on('error', (error) => died(error.message));
		started.on('exit', (code) => died(`exit code ${code}`));
		worker = started;
		return started;
	};

	return {
		extract(job: ExtractionJob, signal, onProgress) {
			signal?.throwIfAborted();
			const thread = ensure();
			const id = crypto.randomUUID();
			return new Promise<PagesResult>((resolve, reject) => {
				const onAbort = () => thread.postMessage({ type: 'cancel', id } satisfies PoolRequest);
				signal?.addEventListener('abort', onAbort, { once: true });
				// A busy worker keeps the process alive; an idle one does not hold `docket` open at the end.
				thread.ref();
				const done = () => {
					thread.unref();
					signal?.removeEventListener('abort', onAbort);
					current = undefined;
				};
				current = {
					id,
					thread,
					onProgress,
					resolve: (result) => {
						done();
						resolve(result);
					},
					reject: (error) => {
						done();
						reject(error);
					}
				};
				// The job's bytes are the pool's copy: move them rather than copy again.
				const buffer = job.bytes.buffer;
				const transfer =
					buffer instanceof ArrayBuffer && job.bytes.byteOffset === 0 && job.bytes.byteLength === buffer.byteLength
						? [buffer]
						: [];
				thread.postMessage({ type: 'extract', id, job } satisfies PoolRequest, transfer);
			});
		},
		dispose() {
			const thread = worker;
			worker = undefined;
			current?.reject(new DocketError('cancelled', 'The extraction pool was closed.'));
			void thread?.terminate();
		}
	};
}

/** The pool `docket ingest` uses: one worker thread per core (at least 2). */
export function nodeExtractionPool(options: NodeBackendOptions & { size?: number; rangePages?: number } = {}) {
	return new ExtractionPool({
		size: options.size ?? poolSize(availableParallelism()),
		createBackend: () => nodeWorkerBackend(options),
		...(options.rangePages === undefined ? {} : { rangePages: options.rangePages })
	});
}
