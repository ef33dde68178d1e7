import { parseArgs } from 'node:util';
import { expandPaths, ingestFile, reportOf } from '../../src/lib/ingest/ingest-file.node.ts';
import { renderPageNode } from '../../src/lib/ocr/render.node.ts';
import { nodeOcrPool } from '../../src/lib/ocr/tesseract.node.ts';
import { UsageError, type Command } from '../command.ts';

export const ingestCommand: Command = {
	name: 'ingest',
	summary: 'Extract and chunk PDFs, text and Markdown files, one report per file',
	usage: `Usage: docket ingest FILE|FOLDER… [--password P]… [--no-ocr] [--json]

Reads each file (folders: every file inside, recursively) with the same code the app uses, and reports
its state: indexed, needs-password, no-text, damaged or unsupported.
  --password P   password for protected PDFs; repeat it to try several
  --no-ocr       leave pages without a text layer unread (by default they are read by OCR, offline)
  --json         one JSON line per file: { file, sha256, status, pages, chunks, ocrPages?, error? }

Exit status 0 when every file was reported, whatever its state; 1 when a file could not be read.`,
	async run(argv, io) {
		const { values, positionals } = parseArgs({
			args: argv,
			options: {
				password: { type: 'string', multiple: true },
				'no-ocr': { type: 'boolean' },
				json: { type: 'boolean' }
			},
			allowPositionals: true,
			strict: true
		});
		if (positionals.length === 0) throw new UsageError('Name at least one file or folder.');
		let unreadable = 0;
		let files: string[] = [];
		for (const path of positionals) {
			try {
				files.push(...(await expandPaths([path])));
			} catch (error) {
				unreadable++;
				io.stderr(`docket ingest: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
			}
		}
		files = [...new Set(files)];
		const ocr = values['no-ocr'] ? undefined : { pool: nodeOcrPool(), render: renderPageNode };
		try {
			for (const file of files) {
				try {
					const ingested = await ingestFile(file, { passwords: values.password ?? [], ...(ocr ? { ocr } : {}) });
					const report = reportOf(ingested, ocr !== undefined);
					if (values.json) io.stdout(JSON.stringify(report));
					else
						io.stdout(
							`${report.status.padEnd(14)} ${String(report.pages).padStart(5)} pages ${String(report.chunks).padStart(6)} chunks  ${file}${report.ocrPages ? `  (${report.ocrPages} pages by OCR)` : ''}${report.error ? `  — ${report.error}` : ''}`
						);
				} catch (error) {
					unreadable++;
					io.stderr(`docket ingest: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
				}
			}
		} finally {
			await ocr?.pool.terminate();
		}
		return unreadable === 0 ? 0 : 1;
	}
};
