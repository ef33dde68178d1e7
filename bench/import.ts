import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Upload } from 'tus-js-client';
import { makePdf } from '../src/lib/ingest/testing/make-pdf.ts';
import { TUS_PATH } from '../src/lib/sync/protocol.ts';
import { apiClient, newUser, openBackend, put } from '../sync-server/testing.ts';
import type { Bench, BenchContext } from './report.ts';

const BIN = new URL('../bin/docket.js', import.meta.url).pathname;

function flag(args: readonly string[], name: string, fallback: number): number {
	const i = args.indexOf(name);
	const value = i >= 0 ? Number(args[i + 1]) : fallback;
	return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** The baseline: the same bytes sent with tus-js-client, 4 at a time, rows made beforehand (not timed). */
async function plainTus(url: string, token: string, files: { name: string; bytes: Buffer }[]): Promise<number> {
	const api = apiClient(url, token);
	const caseId = crypto.randomUUID();
	const docs = files.map((f) => ({ ...f, documentId: crypto.randomUUID() }));
	await api.push(crypto.randomUUID(), [put('cases', caseId, 0, { title: 'plain tus' })]);
	for (let i = 0; i < docs.length; i += 500)
		await api.push(
			crypto.randomUUID(),
			docs.slice(i, i + 500).map((d) => put('documents', d.documentId, 0, { caseId, name: d.name }))
		);
	const start = performance.now();
	let next = 0;
	const worker = async () => {
		while (next < docs.length) {
			const doc = docs[next++]!;
			await new Promise<void>((done, fail) => {
				new Upload(doc.bytes, {
					endpoint: `${url}${TUS_PATH}`,
					headers: { authorization: `Bearer ${token}` },
					metadata: {
						caseId,
						documentId: doc.documentId,
						sha256: createHash('sha256').update(doc.bytes).digest('hex'),
						filename: doc.name
					},
					storeFingerprintForResuming: false,
					onSuccess: () => done(),
					onError: fail
				}).start();
			});
		}
	};
	await Promise.all([worker(), worker(), worker(), worker()]);
	return (performance.now() - start) / 1000;
}

export const importBench: Bench = {
	name: 'import',
	summary:
		'docket ingest FOLDER --server: MB/s and files/s into a local server, beside a plain tus upload of the same bytes (--files N, --kb N)',
	async run(context: BenchContext) {
		const count = flag(context.args, '--files', 120);
		const kb = flag(context.args, '--kb', 256);
		const backend = await openBackend('pglite');
		const scratch = await mkdtemp(join(tmpdir(), 'docket-bench-import-'));
		try {
			const server = await backend.start({ rateLimit: { burst: 1e9, perSecond: 1e9 } });
			const token = await newUser(server, 'bench');
			const folder = join(scratch, 'share');
			await mkdir(folder);
			for (let i = 0; i < count; i++)
				await writeFile(
					join(folder, `file-${i}.pdf`),
					makePdf({
						pages: 4,
						imageBytesPerPage: Math.round((kb * 1024) / 4),
						lines: (p) => [`File ${i} page ${p}.`, `Unique reference ${i * 31 + p}.`]
					})
				);
			const files = await Promise.all(
				(await readdir(folder)).map(async (name) => ({ name, bytes: await readFile(join(folder, name)) }))
			);
			const megabytes = files.reduce((sum, f) => sum + f.bytes.length, 0) / 1024 / 1024;
			context.log(
				`import bench: ${count} PDFs, ${megabytes.toFixed(1)} MB, ${availableParallelism()} cores, load average ${loadavg()
					.map((n) => n.toFixed(1))
					.join(' ')}`
			);
			const baseline = await plainTus(server.url, token, files);
			const start = performance.now();
			await promisify(execFile)(
				process.execPath,
				[
					BIN,
					'ingest',
					folder,
					'--server',
					server.url,
					'--case',
					'bench import',
					'--team-token',
					token,
					'--state',
					join(scratch, 'state.jsonl'),
					'--json'
				],
				{ maxBuffer: 64 * 1024 * 1024 }
			);
			const seconds = (performance.now() - start) / 1000;
			context.log(
				`docket ingest --server: ${seconds.toFixed(2)} s (process start, extraction, rows, chunks, originals); plain tus: ${baseline.toFixed(2)} s (originals only)`
			);
			context.report({
				figure: `docket ingest --server, ${count} files (extract + push rows and chunks + tus, 4 uploads at a time)`,
				value: megabytes / seconds,
				unit: 'MB/s',
				baseline: 'plain tus-js-client upload of the same bytes, 4 at a time',
				baseline_value: megabytes / baseline
			});
			context.report({
				figure: `docket ingest --server, ${count} files`,
				value: count / seconds,
				unit: 'files/s',
				baseline: 'plain tus-js-client upload of the same bytes, 4 at a time',
				baseline_value: count / baseline
			});
		} finally {
			await backend.close();
			await rm(scratch, { recursive: true, force: true });
		}
	}
};
