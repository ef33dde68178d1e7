/**
 * The extraction worker's protocol, imported by both sides: its calls, their handlers (over any Extractor,
 * pdf.js in the worker thread), and the page's Extractor over the transport (src/lib/worker/transport.ts).
 */
import type { DocketDatabase } from '../db/database.ts';
import type { FileStore } from '../db/file-store.ts';
import { WorkerSetupError } from '../errors.ts';
import {
	Client,
	defineProtocol,
	serve,
	wholeBuffer,
	type ClientEndpoint,
	type Handlers,
	type ServerEndpoint
} from '../worker/transport.ts';
import { ocrPageCount, wantsOcr, type NeedsOcr } from '../ocr/job.ts';
import type { ScanReader } from '../ocr/scan-reader.ts';
import type { PagesResult, RangeExtractor } from './extract.ts';
import type { PageRange } from './pdf.ts';
import type { StoredExtraction, StoreTarget } from './store-extraction.ts';
import type {
	Extraction,
	ExtractionInput,
	ExtractionOptions,
	ExtractionProgress,
	Extractor,
	NeedsPasswordExtraction
} from './types.ts';

type ExtractParams = ExtractionInput & { password?: string; findImageText?: boolean };

/** A message, Word or HTML document laid out as the viewer shows it (`MessageView`): text, header block, paragraphs. */
export interface LaidOutText {
	text: string;
	headerEnd: number;
	paragraphs: number[];
}

/** What `layout` answers: the text, or why the file could not be read (a damaged message, say). */
export type LayoutResult = { page: LaidOutText } | { error: string };

export type ExtractionCalls = {
	extract: { params: ExtractParams; result: Extraction; progress: ExtractionProgress };
	/** A page range of a PDF for the ingestion pool (`pool.ts`): its pages, joined by the pool; without a range, the finished file. */
	pages: { params: ExtractParams & { range?: PageRange }; result: PagesResult; progress: ExtractionProgress };
	/**
	 * Extracts, then chunks and stores the result in the worker's own connection to database `dbName`, so
	 * the page never receives (or writes) the text. A file that needs its password stores nothing.
	 */
	index: {
		params: ExtractParams & { dbName: string; target: StoreTarget };
		result: NeedsPasswordExtraction | StoredExtraction | NeedsOcr;
		progress: ExtractionProgress;
	};
	/**
	 * Reads a message, Word or HTML file and answers only its laid-out text (a teammate's message, whose
	 * page row this computer never stored): the parse runs here, and the attachments' bytes stay here.
	 */
	layout: { params: ExtractionInput & { kind: LayoutKind }; result: LayoutResult };
};

export type LayoutKind = 'email' | 'docx' | 'html';

/** Lays out a message, Word or HTML file for the viewer (the worker's `layout` call; tests call it directly). */
export async function layOutForViewer(kind: LayoutKind, input: ExtractionInput): Promise<LayoutResult> {
	const { extractFamily } = await import('./email/extract-family.ts');
	const result = await extractFamily(kind, input);
	const page = 'pages' in result ? result.pages[0] : undefined;
	if (page) return { page: { text: page.text, headerEnd: page.headerEnd ?? 0, paragraphs: page.paragraphs ?? [] } };
	return { error: 'error' in result ? result.error : 'Docket could not read this file.' };
}

export const extractionProtocol = defineProtocol<ExtractionCalls>({
	worker: 'extraction',
	// Without progress for this long, a call fails; a long file is fine as long as pages keep coming.
	defaultTimeoutMs: 120_000,
	// The bytes move to the worker rather than being copied; the caller must not reuse them.
	transfer: {
		extract: { params: (p) => wholeBuffer(p.bytes) },
		pages: { params: (p) => wholeBuffer(p.bytes) },
		index: { params: (p) => wholeBuffer(p.bytes) },
		layout: { params: (p) => wholeBuffer(p.bytes) }
	}
});

/** At most this often a progress message crosses to the page: each one is main-thread work there. */
const PROGRESS_EVERY_MS = 100;

function throttled(report: (progress: ExtractionProgress) => void): (progress: ExtractionProgress) => void {
	let last = 0;
	return (progress) => {
		// The first (page count known) and last always go; in between, a few a second are plenty.
		const now = Date.now();
		if (progress.pagesDone !== 0 && progress.pagesDone !== progress.pageCount && now - last < PROGRESS_EVERY_MS) return;
		last = now;
		report(progress);
	};
}

function split(params: ExtractParams, options: ExtractionOptions): [ExtractionInput, ExtractionOptions] {
	const { password, findImageText, name, bytes, mimeType } = params;
	return [
		{ name, bytes, ...(mimeType === undefined ? {} : { mimeType }) },
		{ ...options, ...(password === undefined ? {} : { password }), ...(findImageText ? { findImageText } : {}) }
	];
}

/** The worker's handlers. With `database`, `index` stores results through the worker's own Dexie connection. */
export function extractionHandlers(
	extractor: ServedExtractor,
	database?: (name: string) => DocketDatabase,
	scans?: ScanReader,
	/** The store for originals found inside files (attachments), in the kind the page uses. */
	fileStore?: (db: DocketDatabase, kind: FileStore['kind'] | undefined) => Promise<FileStore>
): Handlers<ExtractionCalls> {
	return {
		extract: (params, { signal, progress }) =>
			extractor.extract(...split(params, { signal, onProgress: throttled(progress) })),
		async pages(params, { signal, progress }) {
			if (!extractor.extractPages) throw new WorkerSetupError('an extractor that reads page ranges');
			const [input, options] = split(params, { signal, onProgress: throttled(progress) });
			// A whole file is finished here too: its text cleanup is most of the work past pdf.js, and the
			// pool's caller is one thread for every worker.
			if (!params.range) return extractor.extract(input, options);
			return extractor.extractPages(input, { ...options, range: params.range });
		},
		async index(params, { signal, progress }) {
			if (!database) throw new WorkerSetupError('a database to store into');
			const [input, options] = split(params, { signal, onProgress: throttled(progress) });
			const db = database(params.dbName);
			// OCR (ocr/job.ts): `later` reads the text layer and hands a scan back; `now` reads it by OCR.
			const mode = scans ? params.target.ocr : undefined;
			const ocr = mode === 'now' ? await scans?.optionsFor(db, params.target) : undefined;
			const extraction = await extractor.extract(
				input,
				ocr ? { ...options, ocr } : mode === 'later' ? { ...options, findImageText: true } : options
			);
			if (extraction.status === 'needs-password') return extraction;
			if (mode === 'later' && wantsOcr(extraction)) return { status: 'needs-ocr', pages: ocrPageCount(extraction) };
			const files = fileStore ? await fileStore(db, params.target.fileStore) : undefined;
			// The database layer loads on first use: a Node pool worker only reads, and never stores.
			const { storeExtraction } = await import('./store-extraction.ts');
			const document = await storeExtraction(db, params.target, extraction, signal, files);
			return { status: 'stored', extractionStatus: extraction.status, document };
		},
		layout: ({ kind, ...input }) => layOutForViewer(kind, input)
	};
}

/** What a worker serves: an Extractor, and page ranges where the platform reads them (`extract.ts`). */
export type ServedExtractor = Extractor & { extractPages?: RangeExtractor['extractPages'] };

export function serveExtraction(
	endpoint: ServerEndpoint<ExtractionCalls>,
	extractor: ServedExtractor,
	database?: (name: string) => DocketDatabase,
	scans?: ScanReader,
	fileStore?: (db: DocketDatabase, kind: FileStore['kind'] | undefined) => Promise<FileStore>
): void {
	serve(extractionProtocol, endpoint, extractionHandlers(extractor, database, scans, fileStore));
}

/**
 * The page's Extractor over a worker. `connect` makes (or remakes, after a crash) the worker's endpoint.
 */
export class WorkerExtractor implements Extractor {
	readonly client: Client<ExtractionCalls>;

	constructor(connect: () => ClientEndpoint<ExtractionCalls>, options: { timeoutMs?: number } = {}) {
		this.client = new Client(
			options.timeoutMs === undefined
				? extractionProtocol
				: { ...extractionProtocol, defaultTimeoutMs: options.timeoutMs },
			connect
		);
	}

	extract(input: ExtractionInput, options: ExtractionOptions = {}): Promise<Extraction> {
		return this.client.call('extract', params(input, options), callOptions(options));
	}

	/** Pages `range` of a PDF (default: all of the file), for the pool to join (`pool.ts`). */
	extractPages(input: ExtractionInput, range?: PageRange, options: ExtractionOptions = {}): Promise<PagesResult> {
		return this.client.call('pages', { ...params(input, options), ...(range ? { range } : {}) }, callOptions(options));
	}

	/** Extracts and stores in the worker (see the `index` call); the page gets no text back. */
	extractAndStore(
		input: ExtractionInput,
		dbName: string,
		target: StoreTarget,
		options: ExtractionOptions = {}
	): Promise<NeedsPasswordExtraction | StoredExtraction | NeedsOcr> {
		return this.client.call('index', { ...params(input, options), dbName, target }, callOptions(options));
	}

	/** Lays out a message, Word or HTML file in the worker (see the `layout` call). */
	layOut(kind: LayoutKind, input: ExtractionInput, options: { signal?: AbortSignal } = {}): Promise<LayoutResult> {
		return this.client.call('layout', { name: input.name, bytes: input.bytes, kind }, callOptions(options));
	}

	/** Stops the worker; pending calls reject. A later call starts a new one. */
	dispose(): void {
		this.client.terminate();
	}
}

function params(input: ExtractionInput, { password }: ExtractionOptions): ExtractParams {
	return {
		name: input.name,
		bytes: input.bytes,
		...(input.mimeType === undefined ? {} : { mimeType: input.mimeType }),
		...(password === undefined ? {} : { password })
	};
}

function callOptions({ signal, onProgress }: ExtractionOptions) {
	return { ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) };
}
