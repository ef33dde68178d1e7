import { ExtractionPool, poolSize, type ExtractionBackend } from './pool.ts';
import { ExtractionClient } from './protocol.ts';
import type { StoreTarget, StoringExtractor } from './store-extraction.ts';
import type { ExtractionInput, ExtractionOptions } from './types.ts';

/** One module Worker running pdf.js, restarted if it crashes. */
function workerClient(index: number): ExtractionClient {
	return new ExtractionClient(() => {
		const worker = new Worker(new URL('./extraction.worker.ts', import.meta.url), {
			type: 'module',
			name: `docket-extraction-${index}`
		});
		return {
			port: worker,
			onDeath(listener) {
				worker.addEventListener('error', (event) => listener(event.message || 'it crashed'));
				worker.addEventListener('messageerror', () => listener('a message could not be read'));
			},
			terminate: () => worker.terminate()
		};
	});
}

/** The pool's view of one worker: whole files through `extract`, ranges through `extractPages`. */
function clientBackend(client: ExtractionClient): ExtractionBackend {
	return {
		extract(job, signal, onProgress) {
			const { range, password, ...input } = job;
			const options: ExtractionOptions = {
				onProgress,
				...(signal ? { signal } : {}),
				...(password === undefined ? {} : { password })
			};
			return range ? client.extractPages(input, range, options) : client.extract(input, options);
		},
		dispose: () => client.dispose()
	};
}

/**
 * The page's extractor: a pool of extraction workers, one per core (at least 2). `extractAndStore` (the
 * app's path: text stays in the worker, which stores it) goes to the least busy worker; `extract` goes
 * through the shared `ExtractionPool`, which also splits big PDFs by page ranges.
 */
export class BrowserExtractionPool implements StoringExtractor {
	readonly size: number;
	readonly #clients: ExtractionClient[] = [];
	readonly #busy: number[] = [];
	readonly #pool: ExtractionPool;

	constructor(size = poolSize(globalThis.navigator?.hardwareConcurrency)) {
		this.size = size;
		let next = 0;
		this.#pool = new ExtractionPool({
			size,
			createBackend: () => clientBackend(this.#client(next++ % size))
		});
	}

	#client(index: number): ExtractionClient {
		for (let i = this.#clients.length; i <= index; i++) {
			this.#clients.push(workerClient(i));
			this.#busy.push(0);
		}
		return this.#clients[index]!;
	}

	extract(input: ExtractionInput, options?: ExtractionOptions) {
		return this.#pool.extract(input, options);
	}

	async extractAndStore(input: ExtractionInput, dbName: string, target: StoreTarget, options?: ExtractionOptions) {
		let index = 0;
		for (let i = 0; i < this.size; i++) {
			this.#client(i);
			if (this.#busy[i]! < this.#busy[index]!) index = i;
		}
		this.#busy[index]!++;
		try {
			return await this.#client(index).extractAndStore(input, dbName, target, options);
		} finally {
			this.#busy[index]!--;
		}
	}
}

export function browserExtractor(): BrowserExtractionPool {
	return new BrowserExtractionPool();
}
