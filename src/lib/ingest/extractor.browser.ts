import { workerEndpoint } from '../worker/transport.ts';
import { ExtractionPool, poolSize, type ExtractionBackend } from './pool.ts';
import { WorkerExtractor, type ExtractionCalls, type LayoutKind, type LayoutResult } from './protocol.ts';
import type { StoreTarget, StoringExtractor } from './store-extraction.ts';
import type { ExtractionInput, ExtractionOptions } from './types.ts';

/** One module Worker running pdf.js, restarted if it crashes. */
function workerExtractor(index: number | 'ocr'): WorkerExtractor {
	return new WorkerExtractor(() =>
		workerEndpoint<ExtractionCalls>(
			new Worker(new URL('./extraction.worker.ts', import.meta.url), {
				type: 'module',
				name: index === 'ocr' ? 'docket-ocr' : `docket-extraction-${index}`
			})
		)
	);
}

/** The pool's view of one worker: whole files through `extract`, ranges through `extractPages`. */
function workerBackend(worker: WorkerExtractor): ExtractionBackend {
	return {
		extract(job, signal, onProgress) {
			const { range, password, ...input } = job;
			const options: ExtractionOptions = {
				onProgress,
				...(signal ? { signal } : {}),
				...(password === undefined ? {} : { password })
			};
			return range ? worker.extractPages(input, range, options) : worker.extract(input, options);
		},
		dispose: () => worker.dispose()
	};
}

/**
 * The page's extractor: a pool of extraction workers, one per core (at least 2). `extractAndStore` (the
 * app's path: text stays in the worker, which stores it) goes to the least busy worker; `extract` goes
 * through the shared `ExtractionPool`, which also splits big PDFs by page ranges.
 */
export class BrowserExtractionPool implements StoringExtractor {
	readonly size: number;
	readonly #workers: WorkerExtractor[] = [];
	readonly #busy: number[] = [];
	readonly #pool: ExtractionPool;
	#scanWorker: WorkerExtractor | undefined;

	constructor(size = poolSize(globalThis.navigator?.hardwareConcurrency)) {
		this.size = size;
		let next = 0;
		this.#pool = new ExtractionPool({
			size,
			createBackend: () => workerBackend(this.#worker(next++ % size))
		});
	}

	#worker(index: number): WorkerExtractor {
		for (let i = this.#workers.length; i <= index; i++) {
			this.#workers.push(workerExtractor(i));
			this.#busy.push(0);
		}
		return this.#workers[index]!;
	}

	extract(input: ExtractionInput, options?: ExtractionOptions) {
		return this.#pool.extract(input, options);
	}

	/** A message laid out for the viewer, in the least busy worker: the page never parses mail itself. */
	async layOut(kind: LayoutKind, input: ExtractionInput, options?: { signal?: AbortSignal }): Promise<LayoutResult> {
		const index = this.#leastBusy();
		this.#busy[index]!++;
		try {
			return await this.#worker(index).layOut(kind, input, options);
		} finally {
			this.#busy[index]!--;
		}
	}

	#leastBusy(): number {
		let index = 0;
		for (let i = 0; i < this.size; i++) {
			this.#worker(i);
			if (this.#busy[i]! < this.#busy[index]!) index = i;
		}
		return index;
	}

	async extractAndStore(input: ExtractionInput, dbName: string, target: StoreTarget, options?: ExtractionOptions) {
		// Scans are read by one worker of their own, which keeps its OCR engines (one per core) warm; the
		// text workers stay free for text PDFs. The runner sends it at most two files at once (`scan-lane.ts`), whose pages share the engines.
		if (target.ocr === 'now') {
			this.#scanWorker ??= workerExtractor('ocr');
			return this.#scanWorker.extractAndStore(input, dbName, target, options);
		}
		const index = this.#leastBusy();
		this.#busy[index]!++;
		try {
			return await this.#worker(index).extractAndStore(input, dbName, target, options);
		} finally {
			this.#busy[index]!--;
		}
	}
}

export function browserExtractor(): BrowserExtractionPool {
	return new BrowserExtractionPool();
}
