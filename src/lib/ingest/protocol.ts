import type { DocketDatabase } from '../db/database.ts';
import type { PagesResult, RangeExtractor } from './extract.ts';
import type { PageRange } from './pdf.ts';
import { DocketError, deserializeError, serializeError, type SerializedError } from '../errors.ts';
import { storeExtraction, type StoredExtraction, type StoreTarget } from './store-extraction.ts';
import type {
	Extraction,
	ExtractionInput,
	ExtractionOptions,
	ExtractionProgress,
	Extractor,
	NeedsPasswordExtraction
} from './types.ts';

/**
 * The extraction worker's protocol, imported by both sides (STYLE.md habit 1): a map from request name to
 * its params and result, the message unions built from it, a typed client with UUID ids, an inactivity
 * timeout, and every pending call rejected when the worker dies. Errors travel as data and are rebuilt
 * as DocketErrors.
 */
export interface ExtractionRequests {
	extract: { params: ExtractionInput & { password?: string }; result: Extraction };
	/** A page range of a PDF for the ingestion pool (`pool.ts`): its pages, joined by the pool. */
	pages: { params: ExtractionInput & { password?: string; range: PageRange }; result: PagesResult };
	/**
	 * Extracts, then chunks and stores the result in the worker's own connection to database `dbName`, so
	 * the page never receives (or writes) the text. A file that needs its password stores nothing.
	 */
	index: {
		params: ExtractionInput & { password?: string; dbName: string; target: StoreTarget };
		result: NeedsPasswordExtraction | StoredExtraction;
	};
	/** Stops the extraction that request `id` started; it then rejects with a cancelled error. */
	cancel: { params: { id: string }; result: null };
}
export type RequestName = keyof ExtractionRequests;

export type RequestMessage = {
	[K in RequestName]: { type: 'request'; id: string; name: K; params: ExtractionRequests[K]['params'] };
}[RequestName];

export type ResultMessage = {
	[K in RequestName]: { type: 'result'; id: string; name: K; result: ExtractionRequests[K]['result'] };
}[RequestName];

export type ResponseMessage =
	| ResultMessage
	| { type: 'error'; id: string; error: SerializedError }
	| { type: 'progress'; id: string; progress: ExtractionProgress };

/** The part of a Worker or MessagePort both sides use, so tests can run the protocol over a MessageChannel. */
export interface Port<In, Out> {
	postMessage(message: Out, transfer?: Transferable[]): void;
	addEventListener(type: 'message', listener: (event: MessageEvent<In>) => void): void;
}

/** At most this often a progress message crosses to the page: each one is main-thread work there. */
const PROGRESS_EVERY_MS = 100;

/**
 * The worker side: answers requests with the given extractor (pdf.js in the worker thread). With
 * `database`, it also serves `index`, storing results through its own Dexie connection.
 */
export function serveExtraction(
	port: Port<RequestMessage, ResponseMessage>,
	extractor: ServedExtractor,
	database?: (name: string) => DocketDatabase
): void {
	const running = new Map<string, AbortController>();
	port.addEventListener('message', (event) => {
		const message = event.data;
		if (message.name === 'cancel') {
			running.get(message.params.id)?.abort();
			port.postMessage({ type: 'result', id: message.id, name: 'cancel', result: null });
			return;
		}
		const controller = new AbortController();
		running.set(message.id, controller);
		const { password, name, bytes, mimeType } = message.params;
		let lastProgress = 0;
		const options: ExtractionOptions = {
			signal: controller.signal,
			onProgress: (progress) => {
				// The first (page count known) and last always go; in between, a few a second are plenty.
				const now = Date.now();
				if (
					progress.pagesDone !== 0 &&
					progress.pagesDone !== progress.pageCount &&
					now - lastProgress < PROGRESS_EVERY_MS
				)
					return;
				lastProgress = now;
				port.postMessage({ type: 'progress', id: message.id, progress });
			},
			...(password === undefined ? {} : { password })
		};
		const input: ExtractionInput = { name, bytes, ...(mimeType === undefined ? {} : { mimeType }) };
		const work: Promise<ResultMessage> =
			message.name === 'pages'
				? pagesOf(extractor, input, { ...options, range: message.params.range }).then((result) => ({
						type: 'result',
						id: message.id,
						name: 'pages',
						result
					}))
				: message.name === 'extract'
					? extractor
							.extract(input, options)
							.then((result) => ({ type: 'result', id: message.id, name: 'extract', result }))
					: indexIn(database, message.params.dbName, message.params.target, extractor, input, options).then(
							(result) => ({
								type: 'result',
								id: message.id,
								name: 'index',
								result
							})
						);
		work
			.then(
				(result) => port.postMessage(result),
				(error: unknown) => port.postMessage({ type: 'error', id: message.id, error: serializeError(error) })
			)
			.finally(() => running.delete(message.id));
	});
}

/** An extractor that may also read page ranges (the shared core can; test doubles need not). */
type ServedExtractor = Extractor & { extractPages?: RangeExtractor['extractPages'] };

async function pagesOf(
	extractor: ServedExtractor,
	input: ExtractionInput,
	options: ExtractionOptions & { range: PageRange }
): Promise<PagesResult> {
	if (!extractor.extractPages) throw new DocketError('internal', 'This extraction worker cannot read page ranges.');
	return extractor.extractPages(input, options);
}

async function indexIn(
	database: ((name: string) => DocketDatabase) | undefined,
	dbName: string,
	target: StoreTarget,
	extractor: Extractor,
	input: ExtractionInput,
	options: ExtractionOptions
): Promise<NeedsPasswordExtraction | StoredExtraction> {
	if (!database) throw new DocketError('internal', 'This extraction worker has no database to store into.');
	const extraction = await extractor.extract(input, options);
	if (extraction.status === 'needs-password') return extraction;
	const document = await storeExtraction(database(dbName), target, extraction, options.signal);
	return { status: 'stored', extractionStatus: extraction.status, document };
}

/** A started worker as the client sees it; `connect` makes a new one after a crash. */
export interface WorkerConnection {
	port: Port<ResponseMessage, RequestMessage>;
	onDeath(listener: (reason: string) => void): void;
	terminate?(): void;
}

interface Pending {
	onResult: (message: ResultMessage) => void;
	onProgress: (progress: ExtractionProgress) => void;
	reject: (error: DocketError) => void;
	/** Restarted by every progress message: a long file is fine as long as pages keep coming. */
	timer: ReturnType<typeof setTimeout> | undefined;
}

export interface ExtractionClientOptions {
	/** Milliseconds without any reply or progress before a call fails. */
	timeoutMs?: number;
}

/**
 * The page side: an `Extractor` that runs in a worker. `connect` makes (or remakes, after a crash) the
 * worker; it returns the port and a way to hear that it died.
 */
export class ExtractionClient implements Extractor {
	readonly #connect: () => WorkerConnection;
	readonly #timeoutMs: number;
	readonly #pending = new Map<string, Pending>();
	#port: Port<ResponseMessage, RequestMessage> | undefined;
	#terminate: (() => void) | undefined;

	constructor(connect: () => WorkerConnection, options: ExtractionClientOptions = {}) {
		this.#connect = connect;
		this.#timeoutMs = options.timeoutMs ?? 120_000;
	}

	extract(input: ExtractionInput, options: ExtractionOptions = {}): Promise<Extraction> {
		return this.#call(
			input,
			options,
			(id, params) => ({ type: 'request', id, name: 'extract', params }),
			(message) => (message.name === 'extract' ? message.result : undefined)
		);
	}

	/** The pages `range` of a PDF (see the `pages` request), for the ingestion pool to join. */
	extractPages(input: ExtractionInput, range: PageRange, options: ExtractionOptions = {}): Promise<PagesResult> {
		return this.#call(
			input,
			options,
			(id, params) => ({ type: 'request', id, name: 'pages', params: { ...params, range } }),
			(message) => (message.name === 'pages' ? message.result : undefined)
		);
	}

	/** Extracts and stores in the worker (see the `index` request); the page gets no text back. */
	extractAndStore(
		input: ExtractionInput,
		dbName: string,
		target: StoreTarget,
		options: ExtractionOptions = {}
	): Promise<NeedsPasswordExtraction | StoredExtraction> {
		return this.#call(
			input,
			options,
			(id, params) => ({ type: 'request', id, name: 'index', params: { ...params, dbName, target } }),
			(message) => (message.name === 'index' ? message.result : undefined)
		);
	}

	async #call<T>(
		input: ExtractionInput,
		options: ExtractionOptions,
		request: (id: string, params: ExtractionInput & { password?: string }) => RequestMessage,
		accept: (message: ResultMessage) => T | undefined
	): Promise<T> {
		options.signal?.throwIfAborted();
		const id = crypto.randomUUID();
		const port = this.#ensurePort();
		return new Promise<T>((resolve, reject) => {
			const onAbort = () =>
				port.postMessage({ type: 'request', id: crypto.randomUUID(), name: 'cancel', params: { id } });
			options.signal?.addEventListener('abort', onAbort, { once: true });
			const settle = () => {
				options.signal?.removeEventListener('abort', onAbort);
				const pending = this.#pending.get(id);
				if (pending?.timer !== undefined) clearTimeout(pending.timer);
				this.#pending.delete(id);
			};
			const pending: Pending = {
				onResult: (message) => {
					settle();
					const result = accept(message);
					if (result !== undefined) resolve(result);
					else reject(new DocketError('internal', 'The extraction worker answered with the wrong kind of result.'));
				},
				onProgress: (progress) => {
					this.#arm(id);
					options.onProgress?.(progress);
				},
				reject: (error) => {
					settle();
					reject(error);
				},
				timer: undefined
			};
			this.#pending.set(id, pending);
			this.#arm(id);
			// The bytes move to the worker rather than being copied; the caller must not reuse them.
			const { password } = options;
			const params = {
				name: input.name,
				bytes: input.bytes,
				...(input.mimeType === undefined ? {} : { mimeType: input.mimeType }),
				...(password === undefined ? {} : { password })
			};
			port.postMessage(request(id, params), transferable(input.bytes));
		});
	}

	/** Stops the worker; pending calls reject. A later call starts a new one. */
	dispose(): void {
		this.#terminate?.();
		this.#fail(new DocketError('cancelled', 'The extraction worker was stopped.'));
	}

	#arm(id: string): void {
		const pending = this.#pending.get(id);
		if (!pending) return;
		if (pending.timer !== undefined) clearTimeout(pending.timer);
		pending.timer = setTimeout(
			() =>
				pending.reject(
					new DocketError('timeout', `Extraction made no progress for ${Math.round(this.#timeoutMs / 1000)} seconds.`, {
						action: 'Retry the file; if it stalls again, the file may be too complex for this computer.'
					})
				),
			this.#timeoutMs
		);
	}

	#ensurePort(): Port<ResponseMessage, RequestMessage> {
		if (this.#port) return this.#port;
		const connection = this.#connect();
		const { port } = connection;
		this.#port = port;
		this.#terminate = () => connection.terminate?.();
		port.addEventListener('message', (event) => {
			const message = event.data;
			const pending = this.#pending.get(message.id);
			if (!pending) return;
			if (message.type === 'progress') pending.onProgress(message.progress);
			else if (message.type === 'error') pending.reject(deserializeError(message.error));
			else pending.onResult(message);
		});
		connection.onDeath((reason) => {
			if (this.#port === port) this.#port = undefined;
			this.#fail(
				new DocketError('worker-crashed', `The extraction worker stopped (${reason}).`, {
					action: 'Retry the file; a new worker starts automatically.'
				})
			);
		});
		return port;
	}

	#fail(error: DocketError): void {
		for (const pending of [...this.#pending.values()]) pending.reject(error);
	}
}

function transferable(bytes: Uint8Array): Transferable[] {
	const buffer = bytes.buffer;
	// Only a whole, ordinary ArrayBuffer can move; a view into a shared or larger buffer is copied instead.
	return buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength
		? [buffer]
		: [];
}
