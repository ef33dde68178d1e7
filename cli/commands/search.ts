import { readFile, stat } from 'node:fs/promises';
import { formatPage, pageNameFields } from '../../src/lib/ingest/page-label.ts';
import { parseArgs } from 'node:util';
import { expandPaths, ingestAll } from '../../src/lib/ingest/ingest-file.node.ts';
import { nodeExtractionPool } from '../../src/lib/ingest/pool.node.ts';
import { hasPages } from '../../src/lib/ingest/types.ts';
import { decodeImageNode, renderPageNode } from '../../src/lib/ocr/render.node.ts';
import { nodeOcrPool } from '../../src/lib/ocr/tesseract.node.ts';
import { CpuVectorIndex } from '../../src/lib/search/cpu-index.ts';
import { FullTextIndex } from '../../src/lib/search/full-text.ts';
import { type PassageSource, type SearchBackend, type SearchMode } from '../../src/lib/search/hybrid.ts';
import { searchWithOperators, type MessageDocument } from '../../src/lib/search/operators.ts';
import { formatLocation, locationFields } from '../../src/lib/ingest/location.ts';
import type { Embedder } from '../../src/lib/search/types.ts';
import { ModelNeededError, toDocketError } from '../../src/lib/errors.ts';
import { UsageError, type Command } from '../command.ts';
import { fractionProgress, Progress } from '../progress.ts';
import { nodeEmbedder } from './node-embedder.ts';

const MODES: readonly SearchMode[] = ['lexical', 'semantic', 'hybrid'];

/** One result line's shape (DESIGN.md). */
export interface SearchLine {
	query: string;
	suggestion?: string;
	/** `label`: the printed page label, `bates`: the Bates stamp, when the page has them. */
	results: {
		file: string;
		page: number;
		label?: string;
		bates?: string;
		/** Email, Word and HTML: the header block, or the paragraphs the passage spans. */
		block?: 'headers';
		paragraph?: number;
		paragraphEnd?: number;
		score: number;
		text: string;
	}[];
	/** Operators in the query that could not be read. */
	problems?: string[];
}

/**
 * `docket search`, with the embedder semantic and hybrid modes use: by default transformers.js on the CPU
 * over the `--model` folder; tests pass a deterministic one. Without an embedder those modes explain why not.
 */
export function createSearchCommand(
	embedder?: (options: { model: string | undefined; pooling: 'mean' | 'cls' }) => Promise<Embedder>
): Command {
	return {
		name: 'search',
		summary: 'Index files once and run queries on them (lexical, semantic or hybrid)',
		usage: `Usage: docket search --docs FILE|FOLDER… (--query TEXT | --queries FILE) [--k 10] [--mode lexical|semantic|hybrid] [--json]

Extracts and indexes the files once (the app's own extraction, chunking and search code), then runs
each query against them.
  --query TEXT     one query; "quoted phrases" and prefix* work as in the app, and so do
                   from: to: cc: subject: before:YYYY-MM-DD after:YYYY-MM-DD has:attachment
  --queries FILE   one query a line (blank lines skipped)
  --k N            results per query (default 10)
  --mode M         lexical (BM25, default; needs no model), semantic or hybrid (need an embedding model)
  --model DIR      embedding model folder in the hub layout (ORG/NAME/resolve/main/{config.json,
                   tokenizer.json, onnx/model.onnx}), for semantic and hybrid; read from disk only
  --pooling P      mean (default) or cls, as the model card says
  --no-ocr         leave pages without a text layer unread (by default they are read by OCR, offline)
  --json           one JSON line per query: { query, suggestion?, results: [{ file, page, label?, bates?, score, text }] }
                   (label: the page number printed on the page; bates: its Bates stamp)`,
		async run(argv, io) {
			const { values, positionals } = parseArgs({
				args: argv,
				options: {
					docs: { type: 'string', multiple: true },
					'no-ocr': { type: 'boolean' },
					query: { type: 'string' },
					queries: { type: 'string' },
					k: { type: 'string', default: '10' },
					mode: { type: 'string', default: 'lexical' },
					model: { type: 'string' },
					pooling: { type: 'string', default: 'mean' },
					json: { type: 'boolean' }
				},
				allowPositionals: true,
				strict: true
			});
			// `--docs a.pdf b.pdf` leaves b.pdf as a positional: every positional is a document.
			const docs = [...(values.docs ?? []), ...positionals];
			if (docs.length === 0) throw new UsageError('Name the files to search with --docs.');
			if ((values.query === undefined) === (values.queries === undefined))
				throw new UsageError('Give exactly one of --query and --queries.');
			const k = Number(values.k);
			if (!Number.isInteger(k) || k < 1) throw new UsageError('--k must be a whole number of at least 1.');
			const mode = MODES.find((m) => m === values.mode);
			if (!mode) throw new UsageError(`--mode must be one of ${MODES.join(', ')}.`);
			const pooling = values.pooling === 'cls' ? 'cls' : values.pooling === 'mean' ? 'mean' : undefined;
			if (!pooling) throw new UsageError('--pooling must be mean or cls.');
			if (mode !== 'lexical' && !embedder) {
				const error = new ModelNeededError(mode);
				io.stderr(
					`docket search: ${error.message} The command line has no embedding model installed yet; use --mode lexical.`
				);
				return 1;
			}
			const queries =
				values.query !== undefined
					? [values.query]
					: (await readFile(values.queries!, 'utf8'))
							.split(/\r?\n/)
							.map((q) => q.trim())
							.filter(Boolean);

			// The model loads before any extraction, so a wrong --model fails at once.
			let model: Embedder | undefined;
			try {
				model = mode === 'lexical' || !embedder ? undefined : await embedder({ model: values.model, pooling });
			} catch (error) {
				const e = toDocketError(error);
				io.stderr(`docket search: ${e.message}${e.action ? ` ${e.action}` : ''}`);
				return 1;
			}
			const files = [
				...new Set(await expandPaths(docs, (skipped, why) => io.stderr(`docket search: ${skipped}: ${why}`)))
			];
			const chunks: (PassageSource & { file: string })[] = [];
			const messages: MessageDocument[] = [];
			const headerChunk = new Map<string, PassageSource & { file: string }>();
			const sizes = await Promise.all(files.map((f) => stat(f).then((s) => s.size)));
			const progress = io.progress
				? new Progress(io.progress, 'docket search: indexing', {
						files: files.length,
						bytes: sizes.reduce((a, b) => a + b, 0)
					})
				: undefined;
			const pool = nodeExtractionPool();
			const ocr = values['no-ocr']
				? undefined
				: { pool: nodeOcrPool(), render: renderPageNode, decode: decodeImageNode };
			let i = -1;
			for await (const done of ingestAll(files, {
				extractor: pool,
				...(ocr ? { ocr } : {}),
				ahead: pool.size * 4,
				onFileProgress: (file, p) => progress?.pages(file, p.pagesDone)
			})) {
				i++;
				const file = done.file;
				if ('error' in done) {
					pool.close();
					await ocr?.pool.terminate();
					throw done.error;
				}
				const ingested = done.result;
				// Progress counts the files named, not the messages and attachments found inside them.
				if (ingested.parent === undefined)
					progress?.fileDone(
						file,
						sizes[files.indexOf(file)] ?? 0,
						hasPages(ingested.extraction) ? ingested.extraction.pageCount : 0,
						ingested.extraction.status
					);
				if (ingested.duplicateOf !== undefined) continue;
				const message = hasPages(ingested.extraction) ? ingested.extraction.family?.message : undefined;
				messages.push({ id: String(i), ...(message ? { email: message } : {}) });
				if (ingested.extraction.status !== 'indexed') {
					const extraction = ingested.extraction;
					io.stderr(
						`docket search: ${extraction.status === 'no-text' ? 'no text in' : 'skipping'} ${file}: ${extraction.error}`
					);
				}
				for (const c of ingested.chunks)
					chunks.push({
						id: `${i}:${c.ordinal}`,
						documentId: String(i),
						page: c.page,
						start: c.start,
						end: c.end,
						text: c.text,
						...(c.shifts ? { shifts: c.shifts } : {}),
						...pageNameFields(c),
						...locationFields(c),
						file
					});
				// A message's first passage is its header block: what a query of operators alone lists.
				if (ingested.chunks[0]?.block === 'headers')
					headerChunk.set(String(i), chunks[chunks.length - ingested.chunks.length]!);
			}
			pool.close();
			progress?.finish();
			await ocr?.pool.terminate();
			const byId = new Map(chunks.map((c) => [c.id, c]));
			const text = FullTextIndex.empty();
			text.add(chunks);
			const backend: SearchBackend = { text, chunks: (ids) => Promise.resolve(ids.map((id) => byId.get(id))) };
			if (model) {
				const index = new CpuVectorIndex(model.dim);
				const embedding = io.progress ? fractionProgress(io.progress, 'docket search: embedding') : undefined;
				for (let start = 0; start < chunks.length; start += 64) {
					embedding?.update(start / chunks.length);
					const batch = chunks.slice(start, start + 64);
					index.add(
						batch.map((c) => c.id),
						await model.embed(batch.map((c) => c.text))
					);
				}
				embedding?.finish();
				backend.vectors = (q, n) => index.search(q, n);
			}
			for (const query of queries) {
				const response = await searchWithOperators(
					backend,
					query,
					{ k, mode, ...(model ? { embedder: model } : {}) },
					messages,
					(documentId) => Promise.resolve(headerChunk.get(documentId))
				);
				const results = response.results.map((r) => ({
					file: byId.get(r.id)!.file,
					page: r.page,
					...pageNameFields(r),
					...locationFields(r),
					score: r.score,
					text: r.text
				}));
				const line: SearchLine =
					response.suggestion === undefined ? { query, results } : { query, suggestion: response.suggestion, results };
				if (response.problems.length > 0) line.problems = response.problems;
				if (values.json) io.stdout(JSON.stringify(line));
				else {
					io.stdout(`${query}${line.suggestion ? `  (did you mean: ${line.suggestion})` : ''}`);
					for (const r of line.results)
						io.stdout(
							`  ${r.score.toFixed(3)}  ${r.file} ${formatLocation(r) || formatPage(r)}: ${r.text.replace(/\s+/g, ' ').slice(0, 100)}`
						);
				}
			}
			return 0;
		}
	};
}

export const searchCommand = createSearchCommand(({ model, pooling }) => nodeEmbedder(model, pooling));
