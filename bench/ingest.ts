import { execFile } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chunkPages } from '../src/lib/ingest/chunker.ts';
import { nodeExtractor } from '../src/lib/ingest/extract.node.ts';
import { nodePdfPlatform } from '../src/lib/ingest/pdf-platform.node.ts';
import { nodeExtractionPool } from '../src/lib/ingest/pool.node.ts';
import { poolSize } from '../src/lib/ingest/pool.ts';
import { corpusFiles, CORPUS_MISSING } from '../src/lib/ingest/testing/corpus.ts';
import { makePdf } from '../src/lib/ingest/testing/make-pdf.ts';
import { hasPages } from '../src/lib/ingest/types.ts';
import { mailFigures } from './ingest-mail.ts';
import type { Bench, BenchContext } from './report.ts';

interface Input {
	name: string;
	bytes: Uint8Array;
	password?: string;
}

/** Docket's whole path for one file: sniff, extract every page (states, passwords, text cleanup), chunk. */
async function docketOne(input: Input): Promise<number> {
	const result = await nodeExtractor().extract(input, input.password === undefined ? {} : { password: input.password });
	if (!hasPages(result)) return 0;
	chunkPages(result.pages);
	return result.pageCount;
}

async function docketPass(inputs: readonly Input[]): Promise<number> {
	let pages = 0;
	for (const input of inputs) pages += await docketOne(input);
	return pages;
}

const PDFJS_DIR = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

/**
 * The least any pdf.js text extraction can do: open, getTextContent on each page, join the strings. It
 * gets pdf.js's own Node loading of CMaps, standard fonts and wasm (folder paths), so both passes read
 * the same text; without them pdf.js skips that work and returns wrong or missing text for some files.
 */
async function bareOne(input: Input): Promise<number> {
	const pdfjs = await nodePdfPlatform().loadPdfjs();
	const task = pdfjs.getDocument({
		data: new Uint8Array(input.bytes),
		verbosity: 0,
		cMapUrl: `${PDFJS_DIR}/cmaps/`,
		standardFontDataUrl: `${PDFJS_DIR}/standard_fonts/`,
		wasmUrl: `${PDFJS_DIR}/wasm/`,
		...(input.password === undefined ? {} : { password: input.password })
	});
	try {
		const doc = await task.promise;
		for (let n = 1; n <= doc.numPages; n++) {
			const page = await doc.getPage(n);
			const content = await page.getTextContent();
			content.items.map((item) => ('str' in item ? item.str : '')).join('');
			page.cleanup();
		}
		return doc.numPages;
	} catch {
		// Files pdf.js cannot open count no pages, as in Docket's pass.
		return 0;
	} finally {
		await task.destroy();
	}
}

async function barePass(inputs: readonly Input[]): Promise<number> {
	let pages = 0;
	for (const input of inputs) pages += await bareOne(input);
	return pages;
}

/**
 * Docket's pool over a whole folder, wall clock from a cold start (worker threads started, pdf.js loaded
 * in each): every file extracted (split by page ranges where workers would idle) and chunked.
 */
async function poolPass(inputs: readonly Input[]): Promise<number> {
	const pool = nodeExtractionPool();
	try {
		const results = await Promise.all(
			inputs.map((input) => pool.extract(input, input.password === undefined ? {} : { password: input.password }))
		);
		let pages = 0;
		for (const result of results)
			if (hasPages(result)) {
				chunkPages(result.pages);
				pages += result.pageCount;
			}
		return pages;
	} finally {
		pool.close();
	}
}

/** The pool against the bare single-thread loop over one folder, best wall time of `rounds` each, alternating. */
async function poolFigures(context: BenchContext, label: string, inputs: readonly Input[], rounds: number) {
	let pool = Infinity;
	let bare = Infinity;
	let pages = 0;
	for (let r = 0; r < rounds; r++) {
		const order = r % 2 === 0 ? (['pool', 'bare'] as const) : (['bare', 'pool'] as const);
		for (const which of order) {
			const t = await timed(() => (which === 'pool' ? poolPass(inputs) : barePass(inputs)));
			if (which === 'pool') {
				pool = Math.min(pool, t.seconds);
				pages = t.pages;
			} else bare = Math.min(bare, t.seconds);
			context.log(
				`${label} round ${r + 1}: ${which} ${t.seconds.toFixed(2)} s wall, ${t.pages} pages (load average ${loadavg()[0]!.toFixed(1)})`
			);
		}
	}
	context.report({
		figure: `${label}: pages per wall second, worker pool of ${poolSize(availableParallelism())} on ${availableParallelism()} cores, start-up included (best of ${rounds})`,
		value: pages / pool,
		unit: 'pages/s',
		baseline: 'bare single-thread pdf.js getTextContent loop',
		baseline_value: pages / bare
	});
}

interface Timing {
	pages: number;
	/** Wall-clock seconds. */
	seconds: number;
	/** CPU seconds of this process: less disturbed than wall time on a machine shared with other work. */
	cpuSeconds: number;
}

async function timed(pass: () => Promise<number>): Promise<Timing> {
	const start = performance.now();
	const cpuStart = process.cpuUsage();
	const pages = await pass();
	const cpu = process.cpuUsage(cpuStart);
	return { pages, seconds: (performance.now() - start) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/**
 * Peak resident memory of a fresh Node process that generates the PDF and runs one pass over it, so
 * neither pass inherits the other's heap. Returns MiB (getrusage maxrss).
 */
async function peakMemory(pass: 'docket' | 'bare', pages: number, megabytes: number): Promise<number> {
	const script = fileURLToPath(import.meta.url);
	const { stdout } = await promisify(execFile)(
		process.execPath,
		['--import', 'tsx', script, 'memory-child', pass, String(pages), String(megabytes)],
		{
			maxBuffer: 1024 * 1024
		}
	);
	const peak = Number(stdout.trim().split('\n').pop());
	if (!Number.isFinite(peak)) throw new Error(`Memory child printed ${stdout}`);
	return peak;
}

function bigPdf(pages: number, megabytes: number): Uint8Array {
	return makePdf({ pages, imageBytesPerPage: Math.round((megabytes * 1024 * 1024) / pages) });
}

function flag(args: readonly string[], name: string, fallback: number): number {
	const i = args.indexOf(name);
	const value = i >= 0 ? Number(args[i + 1]) : fallback;
	return Number.isFinite(value) && value > 0 ? value : fallback;
}

export const ingestBench: Bench = {
	name: 'ingest',
	summary:
		'Worker pool vs bare pdf.js loop over the corpus folder and 8 copies of freeculture.pdf (wall); pages/s per file; peak memory on a 20 MB, 1,000-page PDF; messages/s of a generated mailbox (--rounds N, --pages N, --mb N, --messages N, --pool-only, --mail-only)',
	async run(context: BenchContext) {
		const rounds = flag(context.args, '--rounds', 3);
		await mailFigures(context, flag(context.args, '--messages', 1000), rounds);
		if (context.args.includes('--mail-only')) return;
		const files = corpusFiles();
		if (files) {
			const corpus: Input[] = files.map((f) => ({
				name: f.file,
				bytes: readFileSync(f.path),
				...(f.password === undefined ? {} : { password: f.password })
			}));
			context.log(
				`machine: ${availableParallelism()} cores, load average ${loadavg()
					.map((n) => n.toFixed(1))
					.join(' ')}`
			);
			await barePass(corpus.slice(0, 3));
			await poolFigures(context, `corpus folder (${corpus.length} files)`, corpus, rounds);
			const free = files.find((f) => f.file === 'freeculture.pdf');
			if (free) {
				const bytes = readFileSync(free.path);
				const copies = Array.from({ length: 8 }, (_, i) => ({ name: `freeculture-copy-${i + 1}.pdf`, bytes }));
				await poolFigures(context, '8 renamed copies of freeculture.pdf', copies, rounds);
			}
		}
		if (context.args.includes('--pool-only')) return;
		if (!files) context.log(`ingest · corpus throughput ${CORPUS_MISSING}`);
		else {
			const inputs: Input[] = files.map((f) => ({
				name: f.file,
				bytes: readFileSync(f.path),
				...(f.password === undefined ? {} : { password: f.password })
			}));
			// Warm both paths (module load, JIT, font and CMap caches). Then each file runs through both,
			// alternating which goes first, and each file keeps its best time per pass: this machine's other
			// work lands in bursts, and a whole-corpus pass timed at once catches a different burst each round.
			await docketPass(inputs.slice(0, 5));
			await barePass(inputs.slice(0, 5));
			const best = { docket: new Map<string, Timing>(), bare: new Map<string, Timing>() };
			const keep = (map: Map<string, Timing>, name: string, t: Timing) => {
				const old = map.get(name);
				map.set(name, {
					pages: t.pages,
					seconds: Math.min(old?.seconds ?? Infinity, t.seconds),
					cpuSeconds: Math.min(old?.cpuSeconds ?? Infinity, t.cpuSeconds)
				});
			};
			for (let r = 0; r < rounds; r++) {
				const round = { docket: 0, bare: 0 };
				for (const [i, input] of inputs.entries()) {
					const docketFirst = (r + i) % 2 === 0;
					const first = await timed(() => (docketFirst ? docketOne(input) : bareOne(input)));
					const second = await timed(() => (docketFirst ? bareOne(input) : docketOne(input)));
					const [d, b] = docketFirst ? [first, second] : [second, first];
					keep(best.docket, input.name, d);
					keep(best.bare, input.name, b);
					round.docket += d.seconds;
					round.bare += b.seconds;
				}
				context.log(
					`round ${r + 1}: docket ${round.docket.toFixed(2)} s, bare pdf.js ${round.bare.toFixed(2)} s (wall, whole corpus)`
				);
			}
			const total = (map: Map<string, Timing>) =>
				[...map.values()].reduce(
					(sum, t) => ({
						pages: sum.pages + t.pages,
						seconds: sum.seconds + t.seconds,
						cpuSeconds: sum.cpuSeconds + t.cpuSeconds
					}),
					{ pages: 0, seconds: 0, cpuSeconds: 0 }
				);
			const docket = total(best.docket);
			const bare = total(best.bare);
			context.report({
				figure: `corpus pages per second (${files.length} files, ${docket.pages} pages, each file best of ${rounds}, passes interleaved)`,
				value: docket.pages / docket.seconds,
				unit: 'pages/s',
				baseline: 'bare pdf.js getTextContent loop',
				baseline_value: bare.pages / bare.seconds
			});
			context.report({
				figure: `corpus pages per CPU second (each file best of ${rounds})`,
				value: docket.pages / docket.cpuSeconds,
				unit: 'pages/CPU-s',
				baseline: 'bare pdf.js getTextContent loop',
				baseline_value: bare.pages / bare.cpuSeconds
			});
		}

		const pages = flag(context.args, '--pages', 1000);
		const megabytes = flag(context.args, '--mb', 20);
		const big = bigPdf(pages, megabytes);
		context.log(
			`generated PDF: ${pages} pages, ${(big.length / 1024 / 1024).toFixed(1)} MB; measuring each pass in a fresh process`
		);
		const bareMb = await peakMemory('bare', pages, megabytes);
		const docketMb = await peakMemory('docket', pages, megabytes);
		context.report({
			figure: `peak RSS of a process ingesting a ${pages}-page ${(big.length / 1024 / 1024).toFixed(0)} MB PDF`,
			value: docketMb,
			unit: 'MiB',
			baseline: 'bare pdf.js getTextContent loop',
			baseline_value: bareMb
		});
	}
};

// The child process of `peakMemory`: node --import tsx bench/ingest.ts memory-child PASS PAGES MB
if (process.argv[2] === 'memory-child' && fileURLToPath(import.meta.url) === process.argv[1]) {
	const [, , , pass, pages, megabytes] = process.argv;
	const input: Input = { name: 'big.pdf', bytes: bigPdf(Number(pages), Number(megabytes)) };
	await (pass === 'bare' ? barePass([input]) : docketPass([input]));
	process.stdout.write(`${process.resourceUsage().maxRSS / 1024}\n`);
}
