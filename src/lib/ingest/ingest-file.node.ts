import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { chunkPages, type PageChunk } from './chunker.ts';
import { nodeExtractor } from './extract.node.ts';
import { hasPages, type Extraction, type ExtractionOptions, type ExtractionStatus } from './types.ts';

/** One file read from disk, extracted and chunked in Node: what `docket ingest` and `docket search` index. */
export interface IngestedFile {
	/** The path as the caller gave it. */
	file: string;
	sha256: string;
	extraction: Extraction;
	chunks: PageChunk[];
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
	error?: string;
}

/**
 * Reads, hashes, extracts and chunks one file. With several passwords, each is tried in turn until one
 * opens the file (a folder of PDFs protected with two or three firm passwords is common).
 */
export async function ingestFile(
	file: string,
	options: { passwords?: readonly string[]; signal?: AbortSignal; ocr?: ExtractionOptions['ocr'] } = {}
): Promise<IngestedFile> {
	const bytes = await readFile(file);
	const sha256 = createHash('sha256').update(bytes).digest('hex');
	const extractor = nodeExtractor();
	const input = { name: basename(file), bytes };
	const common = {
		...(options.signal ? { signal: options.signal } : {}),
		...(options.ocr ? { ocr: options.ocr } : {})
	};
	let extraction = await extractor.extract(input, common);
	for (const password of options.passwords ?? []) {
		if (extraction.status !== 'needs-password') break;
		extraction = await extractor.extract(input, { password, ...common });
	}
	return { file, sha256, extraction, chunks: hasPages(extraction) ? chunkPages(extraction.pages) : [] };
}

export function reportOf({ file, sha256, extraction, chunks }: IngestedFile, ocr = false): IngestReport {
	const report: IngestReport = {
		file,
		sha256,
		status: extraction.status,
		pages: hasPages(extraction) ? extraction.pageCount : 0,
		chunks: chunks.length
	};
	if (ocr) report.ocrPages = hasPages(extraction) ? (extraction.ocr?.pages.length ?? 0) : 0;
	if ('error' in extraction) report.error = extraction.error;
	return report;
}

/** Files named on a command line, with folders expanded (recursively, sorted, hidden entries skipped). */
export async function expandPaths(paths: readonly string[]): Promise<string[]> {
	const out: string[] = [];
	for (const path of paths) {
		if (!(await stat(path)).isDirectory()) {
			out.push(path);
			continue;
		}
		const entries = (await readdir(path, { withFileTypes: true }))
			.filter((e) => !e.name.startsWith('.'))
			.sort((a, b) => a.name.localeCompare(b.name));
		out.push(...(await expandPaths(entries.map((e) => join(path, e.name)))));
	}
	return out;
}
