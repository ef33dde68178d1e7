import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { expandPaths, ingestAll, reportOf } from '../../src/lib/ingest/ingest-file.node.ts';
import { nodeExtractionPool } from '../../src/lib/ingest/pool.node.ts';
import { hasPages } from '../../src/lib/ingest/types.ts';
import { bulkImport } from '../bulk-import.ts';
import { decodeImageNode, renderPageNode } from '../../src/lib/ocr/render.node.ts';
import { nodeOcrPool } from '../../src/lib/ocr/tesseract.node.ts';
import { UsageError, type Command } from '../command.ts';
import { Progress } from '../progress.ts';

export const ingestCommand: Command = {
	name: 'ingest',
	summary:
		'Extract and chunk PDFs, text, Markdown, email and Word files, one report per file; or import a folder to the team server',
	usage: `Usage: docket ingest FILE|FOLDER… [--password P]… [--no-ocr] [--json]
       docket ingest FOLDER --server URL --case NAME (--team-token T | --email E) [--state FILE] [--json]

Reads each file (folders: every file inside, recursively) with the same code the app uses, in a pool of
worker threads (one per core), and reports its state: indexed, needs-password, no-text, damaged or
unsupported. Progress goes to stderr: a status line on a terminal, one line per file otherwise.
  --password P     password for protected PDFs; repeat it to try several
  --no-ocr         leave pages without a text layer unread (by default they are read by OCR, offline)
  --json           one JSON line per file: { file, sha256, status, pages, chunks, ocrPages?, error?, kind? }

Email (.eml, .msg, .mbox), Word (.docx) and HTML files are read too. A mailbox's messages and a message's
attachments get lines of their own, named "PARENT › NAME", with "parent": PARENT; a message's line also
has from, to, date, subject and attachments. Bytes met twice (one attachment on twenty messages) are
extracted once; later lines say "duplicateOf": the first.

With --server, imports into the team server: finds or creates case NAME, extracts every file here,
pushes the documents and their chunks through sync and uploads each original (4 at a time). Files the
server already has in that case (same SHA-256) are skipped; a second run after Ctrl-C or a crash resumes
without sending anything twice. Messages and mailboxes are split as above: each message and attachment
is a document of its own (with "parent"), and bytes met twice go up once.
  --server URL     the team server
  --case NAME      the case's title on the server (created if missing)
  --team-token T   an access token (docket server user add); or DOCKET_TOKEN
  --email E        sign in as E; the password comes from DOCKET_PASSWORD or a prompt
  --state FILE     where the resumable state lives (default: under ~/.local/state/docket/)

Exit status 0 when every file was reported, whatever its state; 1 when a file could not be read.`,
	async run(argv, io) {
		const { values, positionals } = parseArgs({
			args: argv,
			options: {
				password: { type: 'string', multiple: true },
				json: { type: 'boolean' },
				'no-ocr': { type: 'boolean' },
				server: { type: 'string' },
				case: { type: 'string' },
				'team-token': { type: 'string' },
				email: { type: 'string' },
				state: { type: 'string' }
			},
			allowPositionals: true,
			strict: true
		});
		if (positionals.length === 0) throw new UsageError('Name at least one file or folder.');
		if (values.server !== undefined) {
			if (!values.case) throw new UsageError('--server needs --case NAME.');
			return bulkImport(
				{
					paths: positionals,
					server: values.server,
					caseName: values.case,
					...(values['team-token'] !== undefined ? { token: values['team-token'] } : {}),
					...(values.email !== undefined ? { email: values.email } : {}),
					...(values.state !== undefined ? { statePath: values.state } : {}),
					passwords: values.password ?? [],
					json: values.json === true
				},
				io
			);
		}
		for (const flag of ['case', 'team-token', 'email', 'state'] as const)
			if (values[flag] !== undefined) throw new UsageError(`--${flag} goes with --server URL.`);

		let unreadable = 0;
		let files: string[] = [];
		for (const path of positionals) {
			try {
				files.push(
					...(await expandPaths([path], (skipped, why) => {
						unreadable++;
						io.stderr(`docket ingest: ${skipped}: ${why}`);
					}))
				);
			} catch (error) {
				unreadable++;
				io.stderr(`docket ingest: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
			}
		}
		files = [...new Set(files)];
		const sizes = new Map<string, number>();
		for (const file of files)
			sizes.set(
				file,
				await stat(file).then(
					(s) => s.size,
					() => 0
				)
			);
		const progress = io.progress
			? new Progress(io.progress, 'docket ingest', {
					files: files.length,
					bytes: [...sizes.values()].reduce((a, b) => a + b, 0)
				})
			: undefined;
		const pool = nodeExtractionPool();
		const ocr = values['no-ocr'] ? undefined : { pool: nodeOcrPool(), render: renderPageNode, decode: decodeImageNode };
		try {
			for await (const done of ingestAll(files, {
				passwords: values.password ?? [],
				extractor: pool,
				...(ocr ? { ocr } : {}),
				ahead: pool.size * 4,
				onFileProgress: (file, p) => progress?.pages(file, p.pagesDone)
			})) {
				if ('error' in done) {
					unreadable++;
					progress?.fileDone(done.file, sizes.get(done.file) ?? 0, 0, 'unreadable');
					io.stderr(
						`docket ingest: cannot read ${done.file}: ${done.error instanceof Error ? done.error.message : String(done.error)}`
					);
					continue;
				}
				const report = reportOf(done.result, ocr !== undefined);
				// Progress counts the files named; what came out of them (messages, attachments) has its own lines.
				if (done.result.parent === undefined)
					progress?.fileDone(
						done.file,
						sizes.get(done.file) ?? 0,
						hasPages(done.result.extraction) ? done.result.extraction.pageCount : 0,
						report.status
					);
				if (values.json) io.stdout(JSON.stringify(report));
				else
					io.stdout(
						`${report.status.padEnd(14)} ${String(report.pages).padStart(5)} pages ${String(report.chunks).padStart(6)} chunks  ${done.file}${report.ocrPages ? `  (${report.ocrPages} pages by OCR)` : ''}${report.duplicateOf ? `  (same as ${report.duplicateOf})` : ''}${report.error ? `  — ${report.error}` : ''}`
					);
			}
		} finally {
			pool.close();
			await ocr?.pool.terminate();
			progress?.finish();
		}
		return unreadable === 0 ? 0 : 1;
	}
};
