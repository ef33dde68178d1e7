import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { chunkPages, type PageChunk } from './chunker.ts';
import { DocketError, OcrUnavailableError } from '../errors.ts';
import { formatAddress } from './email/thread.ts';
import { nodeExtractor } from './extract.node.ts';
import { wantsOcr } from '../ocr/job.ts';
import { ingestChildren } from './ingest-family.node.ts';
import {
	hasPages,
	type Extraction,
	type ExtractionOptions,
	type ExtractionProgress,
	type ExtractionStatus,
	type Extractor
} from './types.ts';

/** One file read from disk, extracted and chunked in Node: what `docket ingest` and `docket search` index. */
export interface IngestedFile {
	/** The path as the caller gave it. */
	file: string;
	sha256: string;
	extraction: Extraction;
	chunks: PageChunk[];
	/** For a file found inside another (an attachment, a mailbox's message): that file's label. */
	parent?: string;
	/** The same bytes were met before under this label: reported, not extracted again. */
	duplicateOf?: string;
	/** Why OCR could not read what it was to read (the engine failed); the text layer, if any, stands. */
	ocrError?: string;
}

/** The line `docket ingest --json` prints (DESIGN.md). */
export interface IngestReport {
	file: string;
	sha256: string;
	status: ExtractionStatus;
	pages: number;
	chunks: number;
	/** Pages whose text was read by OCR (present when OCR was on). */
	ocrPages?: number;
	/** Why OCR could not read this file's scans or images (its engine failed). */
	ocrError?: string;
	error?: string;
	/** What the bytes are (pdf, email, mbox, docx, …), when read. */
	kind?: string;
	/** The file this one came out of (a message, a mailbox), when it was inside another. */
	parent?: string;
	duplicateOf?: string;
	/** A message's sender, recipients, date (ISO) and subject. */
	from?: string;
	to?: string[];
	date?: string;
	subject?: string;
	/** A message's attachments, by name. */
	attachments?: string[];
}

export interface IngestOptions {
	passwords?: readonly string[];
	signal?: AbortSignal;
	/** Default: the in-process extractor; `docket ingest` passes its worker pool. */
	extractor?: Extractor;
	onProgress?: (progress: ExtractionProgress) => void;
	/** Reads pages without a text layer by OCR (`docket ingest` and `search` do, unless `--no-ocr`). */
	ocr?: ExtractionOptions['ocr'];
}

/**
 * Reads, hashes, extracts and chunks one file. With several passwords, each is tried in turn until one
 * opens the file (a folder of PDFs protected with two or three firm passwords is common). A worker that
 * crashes on the file makes it `damaged`; the next file gets a new worker.
 */
export async function ingestFile(file: string, options: IngestOptions = {}): Promise<IngestedFile> {
	const bytes = await readFile(file);
	const sha256 = createHash('sha256').update(bytes).digest('hex');
	return ingestBytes(file, bytes, sha256, options);
}

export async function ingestBytes(
	file: string,
	bytes: Uint8Array,
	sha256: string,
	options: IngestOptions = {}
): Promise<IngestedFile> {
	const extractor = options.extractor ?? nodeExtractor();
	const input = { name: basename(file), bytes };
	const base = {
		...(options.signal ? { signal: options.signal } : {}),
		...(options.onProgress ? { onProgress: options.onProgress } : {})
	};
	// The first pass notes images on text pages that may hold text, for OCR to read after it.
	const first = options.ocr ? { ...base, findImageText: true } : base;
	let extraction: Extraction;
	let password: string | undefined;
	let ocrError: string | undefined;
	try {
		extraction = await extractor.extract(input, first);
		for (const candidate of options.passwords ?? []) {
			if (extraction.status !== 'needs-password') break;
			extraction = await extractor.extract(input, { password: candidate, ...first });
			password = candidate;
		}
		// OCR runs here, beside the pool: its engines are this process's, and only files with pages
		// without text, or images on text pages, pay for it (their text pages are read again, which
		// costs little beside OCR).
		if (
			options.ocr &&
			hasPages(extraction) &&
			(extraction.kind === 'pdf' || extraction.kind === 'image') &&
			(extraction.pagesWithoutText.length > 0 || wantsOcr(extraction))
		)
			try {
				extraction = await nodeExtractor().extract(input, {
					...base,
					ocr: options.ocr,
					...(password === undefined ? {} : { password })
				});
				if (hasPages(extraction) && extraction.ocrSkipped) ocrError = extraction.ocrSkipped.reason;
			} catch (error) {
				// The engine failed, not the file: what the first pass read stands, and the line says why.
				if (!(error instanceof OcrUnavailableError)) throw error;
				ocrError = error.userMessage;
			}
	} catch (error) {
		if (!(error instanceof DocketError) || error.code !== 'worker-crashed') throw error;
		extraction = {
			status: 'damaged',
			kind: 'pdf',
			error:
				'Docket’s PDF reader crashed on this file, so it may be malformed or hostile. Open it in another PDF reader to check it, or get a fresh copy.',
			detail: error.message
		};
	}
	return {
		file,
		sha256,
		extraction,
		chunks: hasPages(extraction) ? chunkPages(extraction.pages) : [],
		...(ocrError === undefined ? {} : { ocrError })
	};
}

/**
 * Ingests many files through `extractor` (a pool), a few ahead of the one being reported so every worker
 * stays busy while memory stays bounded, and yields them in the order given. A file that cannot be read
 * yields its error instead.
 */
export async function* ingestAll(
	files: readonly string[],
	options: IngestOptions & { ahead: number; onFileProgress?: (file: string, progress: ExtractionProgress) => void }
): AsyncGenerator<{ file: string; result: IngestedFile } | { file: string; error: unknown }> {
	const inFlight: Promise<{ file: string; result: IngestedFile } | { file: string; error: unknown }>[] = [];
	let next = 0;
	const start = () => {
		const file = files[next++]!;
		const { onFileProgress, ahead: _ahead, ...rest } = options;
		inFlight.push(
			ingestFile(file, { ...rest, ...(onFileProgress ? { onProgress: (p) => onFileProgress(file, p) } : {}) }).then(
				(result) => ({ file, result }),
				(error: unknown) => ({ file, error })
			)
		);
	};
	while (next < files.length && inFlight.length < options.ahead) start();
	// Bytes met inside files (attachments) in this run, by hash: each is extracted once.
	const seen = new Map<string, string>();
	const { onFileProgress: _p, ahead: _a, ...childOptions } = options;
	const ingestChild = (label: string, bytes: Uint8Array, sha256: string) =>
		ingestBytes(label, bytes, sha256, childOptions);
	while (inFlight.length > 0) {
		const done = await inFlight.shift()!;
		if (next < files.length) start();
		yield done;
		if ('result' in done) {
			try {
				for await (const child of ingestChildren(done.result, ingestChild, seen))
					yield { file: child.file, result: child };
			} catch (error) {
				yield { file: done.file, error };
			}
		}
	}
}

export function reportOf(ingested: IngestedFile, ocr = false): IngestReport {
	const { file, sha256, extraction, chunks } = ingested;
	const report: IngestReport = {
		file,
		sha256,
		status: extraction.status,
		pages: hasPages(extraction) ? extraction.pageCount : 0,
		chunks: chunks.length
	};
	if (ocr) report.ocrPages = hasPages(extraction) ? (extraction.ocr?.pages.length ?? 0) : 0;
	if ('error' in extraction) report.error = extraction.error;
	if (ingested.ocrError !== undefined) report.ocrError = ingested.ocrError;
	if (extraction.status !== 'unsupported') report.kind = extraction.kind;
	if (ingested.parent !== undefined) report.parent = ingested.parent;
	if (ingested.duplicateOf !== undefined) {
		report.duplicateOf = ingested.duplicateOf;
		delete report.kind;
	}
	const message = hasPages(extraction) ? extraction.family?.message : undefined;
	if (message) {
		if (message.from) report.from = formatAddress(message.from);
		report.to = message.to.map(formatAddress);
		if (message.date !== undefined) report.date = new Date(message.date).toISOString();
		report.subject = message.subject;
		report.attachments = message.attachments.map((a) => a.name);
	}
	return report;
}

/**
 * Files named on a command line, with folders expanded (recursively, sorted, hidden entries skipped).
 * An entry inside a folder that cannot be read (a broken link, a folder without permission, a pipe or
 * device, a link back into a folder already being read) is reported to `skip` and the rest is read:
 * one bad entry never costs the whole folder. A path named on the command line that cannot be read
 * throws, as before, so the caller says so.
 */
export async function expandPaths(
	paths: readonly string[],
	skip: (path: string, reason: string) => void = () => undefined
): Promise<string[]> {
	const out: string[] = [];
	const seen = new Set<string>();
	const walk = async (path: string, named: boolean): Promise<void> => {
		let info: Awaited<ReturnType<typeof stat>>;
		try {
			info = await stat(path);
		} catch (error) {
			if (named) throw error;
			return skip(path, reasonOf(error));
		}
		if (info.isFile()) {
			out.push(path);
			return;
		}
		if (!info.isDirectory()) return skip(path, 'not a regular file (a pipe, socket or device); left out');
		// By device and inode: a link to a folder above (or beside) is read once, never in a loop.
		const key = `${info.dev}:${info.ino}`;
		if (seen.has(key)) return skip(path, 'a link to a folder already read; left out');
		seen.add(key);
		let entries;
		try {
			entries = await readdir(path, { withFileTypes: true });
		} catch (error) {
			if (named) throw error;
			return skip(path, reasonOf(error));
		}
		for (const entry of entries.filter((e) => !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name)))
			await walk(join(path, entry.name), false);
	};
	for (const path of paths) await walk(path, true);
	return out;
}

function reasonOf(error: unknown): string {
	const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
	if (code === 'ENOENT') return 'a link to something that is not there; left out';
	if (code === 'EACCES' || code === 'EPERM') return 'no permission to read it; left out';
	if (code === 'ELOOP') return 'a link that loops back on itself; left out';
	return `${error instanceof Error ? error.message : String(error)}; left out`;
}
