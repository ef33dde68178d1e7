import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { DocketError, WorkerCrashedError } from '../errors.ts';
import { nodeWorkerEndpoint, startTypeScriptWorker } from '../worker/node.ts';
import { ExtractionPool, poolSize, type ExtractionBackend, type ExtractionJob } from './pool.ts';
import { WorkerExtractor, type ExtractionCalls } from './protocol.ts';
import type { ExtractionOptions } from './types.ts';

const ENTRY = new URL('./pool-worker.node.ts', import.meta.url);

export interface NodeBackendOptions {
	/** The worker's entry module (tests give one that crashes on purpose). */
	entry?: URL;
	/** Heap ceiling of one worker: a file that needs more kills its worker, not the process. */
	maxHeapMb?: number;
}

/** One worker thread running one job at a time; after a crash, the next job starts a new thread. */
export function nodeWorkerBackend(options: NodeBackendOptions = {}): ExtractionBackend {
	const entry = options.entry ?? ENTRY;
	const maxHeapMb = options.maxHeapMb ?? 2048;
	let thread: Worker | undefined;
	const worker = new WorkerExtractor(() => {
		thread = startTypeScriptWorker(entry, { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb }, stdout: false });
		thread.unref();
		return nodeWorkerEndpoint<ExtractionCalls>(thread);
	});
	return {
		async extract(job: ExtractionJob, signal, onProgress) {
			const { range, password, ...input } = job;
			const options: ExtractionOptions = {
				onProgress,
				...(signal ? { signal } : {}),
				...(password === undefined ? {} : { password })
			};
			const reading = worker.extractPages(input, range, options);
			// A busy worker keeps the process alive; an idle one does not hold `docket` open at the end.
			const busy = thread;
			busy?.ref();
			try {
				return await reading;
			} catch (error) {
				if (error instanceof WorkerCrashedError)
					throw new DocketError(
						'worker-crashed',
						`The extraction worker stopped while reading this file (${error.message}).`,
						{
							action: 'The file may be hostile or too complex; other files are not affected.'
						}
					);
				throw error;
			} finally {
				busy?.unref();
			}
		},
		dispose: () => worker.dispose()
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
