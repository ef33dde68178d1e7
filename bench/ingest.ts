import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chunkPages } from '../src/lib/ingest/chunker.ts';
import { nodeExtractor } from '../src/lib/ingest/extract.node.ts';
import { nodePdfPlatform } from '../src/lib/ingest/pdf-platform.node.ts';
import { corpusFiles, CORPUS_MISSING } from '../src/lib/ingest/testing/corpus.ts';
import { makePdf } from '../src/lib/ingest/testing/make-pdf.ts';
import { hasPages } from '../src/lib/ingest/types.ts';
import type { Bench, BenchContext } from './report.ts';

interface Input {
	name: string;
	bytes: Uint8Array;
	password?: string;
}

/** Docket's whole path: sniff, extract every page (states, passwords, text cleanup), chunk. */
async function docketPass(inputs: readonly Input[]): Promise<number> {
	const extractor = nodeExtractor();
	let pages = 0;
	for (const input of inputs) {
		const result = await extractor.extract(input, input.password === undefined ? {} : { password: input.password });
		if (hasPages(result)) {
			chunkPages(result.pages);
			pages += result.pageCount;
		}
	}
	return pages;
}

const PDFJS_DIR = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

/**
 * The least any pdf.js text extraction can do: open, getTextContent on each page, join the strings. It
 * gets pdf.js's own Node loading of CMaps, standard fonts and wasm (folder paths), so both passes read
 * the same text; without them pdf.js skips that work and returns wrong or missing text for some files.
 */
async function barePass(inputs: readonly Input[]): Promise<number> {
	const pdfjs = await nodePdfPlatform().loadPdfjs();
	let pages = 0;
	for (const input of inputs) {
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
			pages += doc.numPages;
		} catch {
			// Files pdf.js cannot open count no pages, as in Docket's pass.
		} finally {
			await task.destroy();
		}
	}
	return pages;
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
	const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, 'memory-child', pass, String(pages), String(megabytes)], {
		maxBuffer: 1024 * 1024
	});
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
	summary: 'Pages/s over the corpus vs bare pdf.js getTextContent; peak memory on a 20 MB, 1,000-page PDF (--rounds N, --pages N, --mb N)',
	async run(context: BenchContext) {
		const rounds = flag(context.args, '--rounds', 3);
		const files = corpusFiles();
		if (!files) context.log(`ingest · corpus throughput ${CORPUS_MISSING}`);
		else {
			const inputs: Input[] = files.map((f) => ({ name: f.file, bytes: readFileSync(f.path), ...(f.password === undefined ? {} : { password: f.password }) }));
			// Warm both paths (module load, JIT, font and CMap caches), then alternate so drift hits both.
			await docketPass(inputs.slice(0, 5));
			await barePass(inputs.slice(0, 5));
			let docket: Timing = { pages: 0, seconds: Infinity, cpuSeconds: Infinity };
			let bare: Timing = { pages: 0, seconds: Infinity, cpuSeconds: Infinity };
			let docketCpu = Infinity;
			let bareCpu = Infinity;
			for (let r = 0; r < rounds; r++) {
				const d = await timed(() => docketPass(inputs));
				const b = await timed(() => barePass(inputs));
				if (d.seconds < docket.seconds) docket = d;
				if (b.seconds < bare.seconds) bare = b;
				docketCpu = Math.min(docketCpu, d.cpuSeconds);
				bareCpu = Math.min(bareCpu, b.cpuSeconds);
				context.log(
					`round ${r + 1}: docket ${d.pages} pages in ${d.seconds.toFixed(2)} s (${d.cpuSeconds.toFixed(2)} s CPU), bare pdf.js ${b.pages} pages in ${b.seconds.toFixed(2)} s (${b.cpuSeconds.toFixed(2)} s CPU)`
				);
			}
			context.report({
				figure: `corpus pages per second (${files.length} files, ${docket.pages} pages, best of ${rounds})`,
				value: docket.pages / docket.seconds,
				unit: 'pages/s',
				baseline: 'bare pdf.js getTextContent loop',
				baseline_value: bare.pages / bare.seconds
			});
			context.report({
				figure: `corpus pages per CPU second (best of ${rounds})`,
				value: docket.pages / docketCpu,
				unit: 'pages/CPU-s',
				baseline: 'bare pdf.js getTextContent loop',
				baseline_value: bare.pages / bareCpu
			});
		}

		const pages = flag(context.args, '--pages', 1000);
		const megabytes = flag(context.args, '--mb', 20);
		const big = bigPdf(pages, megabytes);
		context.log(`generated PDF: ${pages} pages, ${(big.length / 1024 / 1024).toFixed(1)} MB; measuring each pass in a fresh process`);
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
