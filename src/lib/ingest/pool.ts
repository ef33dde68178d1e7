import { CancelledError, DocketError } from '../errors.ts';
import type { PagesResult } from './extract.ts';
import { finishPdf, joinPdfPages, type PageRange, type PdfPages } from './pdf.ts';
import type { Extraction, ExtractionInput, ExtractionOptions, ExtractionProgress, Extractor } from './types.ts';

/**
 * The ingestion pool: files (and, for big PDFs, page ranges of one file) spread over several extraction
 * workers. It knows workers only through `ExtractionBackend`, so the same scheduling serves Node
 * (`worker_threads`, `pool.node.ts`) and the browser (module Workers, `extractor.browser.ts`).
 */

/** One unit of work for a worker: a whole file, or the pages `range` of a PDF. */
export interface ExtractionJob extends ExtractionInput {
	range?: PageRange;
	password?: string;
	findImageText?: boolean;
}

/** One worker, running one job at a time. A crashed worker rejects its job and restarts on the next. */
export interface ExtractionBackend {
	extract(
		job: ExtractionJob,
		signal: AbortSignal | undefined,
		onProgress: (progress: ExtractionProgress) => void
	): Promise<PagesResult>;
	dispose(): void;
}

export interface PoolOptions {
	/** Workers; `poolSize(cores)` gives the machine's. */
	size: number;
	createBackend: () => ExtractionBackend;
	/** Pages a probe reads before the rest of a file is split; also the smallest range worth a worker. */
	rangePages?: number;
}

/** The pool size for a machine with `cores` logical cores: one worker each, at least 2. */
export function poolSize(cores: number | undefined): number {
	return Math.max(2, Math.min(32, Math.floor(cores ?? 2)));
}

const DEFAULT_RANGE_PAGES = 64;

interface Task {
	job: ExtractionJob;
	file: FileRun;
	/** Picks the range when a worker takes the job, once the queue behind it is known. */
	start: (() => PageRange | undefined) | undefined;
	resolve: (result: PagesResult) => void;
	reject: (error: unknown) => void;
}

/** One file's progress across its ranges. */
interface FileRun {
	signal: AbortSignal | undefined;
	done: Map<number, number>;
	report: ((progress: ExtractionProgress) => void) | undefined;
}

/** Splits pages `first..last` into `parts` contiguous ranges of at least `min` pages. */
export function splitRange(first: number, last: number, parts: number, min: number): PageRange[] {
	const total = last - first + 1;
	if (total <= 0) return [];
	const count = Math.max(1, Math.min(parts, Math.floor(total / min)));
	const ranges: PageRange[] = [];
	for (let i = 0, start = first; i < count; i++) {
		const size = Math.floor(total / count) + (i < total % count ? 1 : 0);
		ranges.push({ first: start, last: start + size - 1 });
		start += size;
	}
	return ranges;
}

/**
 * An `Extractor` over a pool of workers. While more files wait than there are workers, each worker reads
 * whole files (no overhead); when workers would idle, a PDF is first probed for `rangePages` pages and
 * the rest is split across all workers, ahead of other files, so one 2,000-page file does not leave the
 * other workers idle. The joined result is what one worker reading the whole file returns.
 */
export class ExtractionPool implements Extractor {
	readonly size: number;
	readonly #createBackend: () => ExtractionBackend;
	readonly #rangePages: number;
	readonly #idle: ExtractionBackend[] = [];
	readonly #all: ExtractionBackend[] = [];
	readonly #queue: Task[] = [];
	/** Files waiting for their first job, to decide between reading whole files and splitting. */
	#waitingFiles = 0;
	#closed = false;

	constructor(options: PoolOptions) {
		this.size = Math.max(1, Math.floor(options.size));
		this.#createBackend = options.createBackend;
		this.#rangePages = Math.max(1, options.rangePages ?? DEFAULT_RANGE_PAGES);
	}

	async extract(input: ExtractionInput, options: ExtractionOptions = {}): Promise<Extraction> {
		const { signal } = options;
		signal?.throwIfAborted();
		if (this.#closed) throw new DocketError('cancelled', 'The extraction pool was closed.');
		const file: FileRun = { signal, done: new Map(), report: options.onProgress };
		const base: ExtractionJob = {
			name: input.name,
			bytes: input.bytes,
			...(input.mimeType === undefined ? {} : { mimeType: input.mimeType }),
			...(options.password === undefined ? {} : { password: options.password }),
			...(options.findImageText ? { findImageText: true } : {})
		};
		this.#waitingFiles++;
		let waiting = true;
		const first = await this.#run(base, file, () => {
			waiting = false;
			this.#waitingFiles--;
			// Enough whole files to keep every worker busy: read this one whole, without a probe.
			return this.#waitingFiles >= this.size ? undefined : { first: 1, last: this.#rangePages };
		}).finally(() => {
			if (waiting) this.#waitingFiles--;
		});
		if (first.status !== 'pages') return first;
		if (first.last >= first.pageCount) return finishPdf(first);
		const rest = splitRange(first.last + 1, first.pageCount, this.size, this.#rangePages);
		// Each goes to the front of the queue, so queue them last first: they then start in page order.
		const queued = [...rest].reverse().map((range) => this.#run({ ...base, range }, file, undefined, true));
		const parts = (await Promise.all(queued)).reverse();
		const pages: PdfPages[] = [first];
		for (const part of parts) {
			// The file opened for the probe, so a range cannot need a password; anything else is a bug.
			if (part.status !== 'pages') return part;
			pages.push(part);
		}
		return finishPdf(joinPdfPages(pages));
	}

	/** Stops every worker; queued and running jobs reject. */
	close(): void {
		this.#closed = true;
		for (const task of this.#queue.splice(0))
			task.reject(new DocketError('cancelled', 'The extraction pool was closed.'));
		for (const backend of this.#all) backend.dispose();
		this.#all.length = 0;
		this.#idle.length = 0;
	}

	/**
	 * Queues one job. `rangeAtStart` picks the range when a worker takes it (the queue then says whether
	 * to split); `front` puts a file's later ranges ahead of new files, so started files finish first.
	 */
	#run(
		job: ExtractionJob,
		file: FileRun,
		rangeAtStart?: () => PageRange | undefined,
		front = false
	): Promise<PagesResult> {
		return new Promise<PagesResult>((resolve, reject) => {
			const task: Task = { job, file, start: rangeAtStart, resolve, reject };
			const onAbort = () => {
				const at = this.#queue.indexOf(task);
				if (at >= 0) {
					this.#queue.splice(at, 1);
					reject(new CancelledError('Extraction'));
				}
			};
			file.signal?.addEventListener('abort', onAbort, { once: true });
			const settle =
				<T>(fn: (value: T) => void) =>
				(value: T) => {
					file.signal?.removeEventListener('abort', onAbort);
					fn(value);
				};
			task.resolve = settle(resolve);
			task.reject = settle(reject);
			if (front) this.#queue.unshift(task);
			else this.#queue.push(task);
			// After the caller's other synchronous calls: files added together are seen together.
			queueMicrotask(() => this.#pump());
		});
	}

	#pump(): void {
		while (this.#queue.length > 0 && !this.#closed) {
			const backend = this.#idle.pop() ?? (this.#all.length < this.size ? this.#spawn() : undefined);
			if (!backend) return;
			const task = this.#queue.shift()!;
			let job = task.job;
			if (task.start) {
				const range = task.start();
				job = range === undefined ? job : { ...job, range };
			}
			const jobRange = job.range;
			const key = jobRange?.first ?? 1;
			// Each job gets its own copy of the bytes: a worker may take (transfer) what it is given.
			const sent: ExtractionJob = { ...job, bytes: new Uint8Array(job.bytes) };
			backend
				.extract(sent, task.file.signal, (progress) => {
					task.file.done.set(key, progress.pagesDone);
					let pagesDone = 0;
					for (const n of task.file.done.values()) pagesDone += n;
					task.file.report?.({ pagesDone, pageCount: progress.pageCount });
				})
				.then(task.resolve, task.reject)
				.finally(() => {
					if (this.#closed) return;
					this.#idle.push(backend);
					this.#pump();
				});
		}
	}

	#spawn(): ExtractionBackend {
		const backend = this.#createBackend();
		this.#all.push(backend);
		return backend;
	}
}
