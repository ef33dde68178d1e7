import { existsSync, readFileSync } from 'node:fs';
import { nodeGpu, nodeShaderSource } from '../src/lib/gpu/node.ts';
import { ingestFile } from '../src/lib/ingest/ingest-file.node.ts';
import { CpuVectorIndex } from '../src/lib/search/cpu-index.ts';
import { FullTextIndex, type IndexedChunk } from '../src/lib/search/full-text.ts';
import { GpuVectorIndex } from '../src/lib/search/gpu-index.ts';
import { clusteredVectors, random } from '../src/lib/search/testing.ts';
import { bruteForceTopK, compareHits, normalize } from '../src/lib/search/topk.ts';
import type { VectorHit } from '../src/lib/search/types.ts';
import { percentile, sample, type Bench, type BenchContext } from './report.ts';

const DIM = 384;
const K = 10;

/** The baseline: one float loop over every vector, then a full sort, as a first implementation would. */
function naiveTopK(vectors: Float32Array, ids: readonly string[], query: Float32Array, k: number): VectorHit[] {
	const hits: VectorHit[] = new Array<VectorHit>(ids.length);
	for (let i = 0; i < ids.length; i++) {
		let s = 0;
		const o = i * DIM;
		for (let j = 0; j < DIM; j++) s += vectors[o + j]! * query[j]!;
		hits[i] = { id: ids[i]!, score: s };
	}
	return hits.sort(compareHits).slice(0, k);
}

function parseArgs(args: string[]): { sizes: number[]; gpu: boolean; iterations: number } {
	const sizes = args.includes('--1m') ? [10_000, 100_000, 1_000_000] : [10_000, 100_000];
	const custom = args.find((a) => a.startsWith('--sizes='));
	return {
		sizes: custom
			? custom
					.slice('--sizes='.length)
					.split(',')
					.map(Number)
					.filter((n) => n > 0)
			: sizes,
		gpu: !args.includes('--no-gpu'),
		iterations: Number(args.find((a) => a.startsWith('--iterations='))?.slice('--iterations='.length) ?? 20)
	};
}

async function vectors(context: BenchContext, sizes: number[], useGpu: boolean, iterations: number): Promise<void> {
	const gpu = useGpu ? await nodeGpu().catch(() => undefined) : undefined;
	for (const n of sizes) {
		const label = n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`;
		context.log(`· ${label} vectors of ${DIM} dims (clustered), top-${K}`);
		const data = clusteredVectors(n, DIM, 64, n, 0.05);
		const ids = data.map((_, i) => `chunk-${String(i).padStart(8, '0')}`);
		const flat = new Float32Array(n * DIM);
		data.forEach((v, i) => flat.set(v, i * DIM));
		const rand = random(7);
		const queries = Array.from({ length: 8 }, (_, q) =>
			normalize(Array.from(data[Math.floor(rand() * n)]!, (x, j) => x + ((q + j) % 5) * 0.02))
		);
		let q = 0;
		const next = () => queries[q++ % queries.length]!;

		const naive = await sample(() => naiveTopK(flat, ids, next(), K), {
			iterations: Math.max(5, Math.round(iterations / (n >= 1_000_000 ? 4 : 1))),
			warmup: 1
		});
		const naiveP50 = percentile(naive, 50);
		context.report({
			figure: `naive float loop top-${K} p50 @${label}`,
			value: naiveP50,
			unit: 'ms',
			baseline: 'itself',
			baseline_value: naiveP50
		});

		const cpu = new CpuVectorIndex(DIM);
		const built = performance.now();
		cpu.add(ids, data);
		context.log(`  CPU index built in ${(performance.now() - built).toFixed(0)} ms (WebAssembly SIMD: ${cpu.simd})`);
		// The exactness claim, checked on the benchmark's own data.
		const check = next();
		const exact = JSON.stringify(cpu.searchSync(check, K)) === JSON.stringify(bruteForceTopK(flat, ids, DIM, check, K));
		const cpuTimes = await sample(() => cpu.searchSync(next(), K), { iterations: iterations * 2, warmup: 3 });
		context.log(`  CPU path re-ranked ${cpu.lastCandidates} candidates; equals float64 brute force: ${exact}`);
		context.report({
			figure: `CPU int8+rerank top-${K} p50 @${label}`,
			value: percentile(cpuTimes, 50),
			unit: 'ms',
			baseline: `naive float loop p50 @${label}`,
			baseline_value: naiveP50
		});
		context.report({
			figure: `CPU int8+rerank top-${K} p95 @${label}`,
			value: percentile(cpuTimes, 95),
			unit: 'ms',
			baseline: `naive float loop p50 @${label}`,
			baseline_value: naiveP50
		});

		if (gpu) {
			let index: GpuVectorIndex | undefined;
			try {
				index = await GpuVectorIndex.create(gpu, nodeShaderSource, DIM);
				index.add(ids, data);
				const gpuExact =
					JSON.stringify(await index.search(check, K)) === JSON.stringify(bruteForceTopK(flat, ids, DIM, check, K));
				const g = index;
				const gpuTimes = await sample(() => g.search(next(), K), {
					iterations: Math.max(5, Math.round(iterations / (n >= 1_000_000 ? 4 : 1))),
					warmup: 2
				});
				context.log(`  GPU path re-ranked ${index.lastCandidates} candidates; equals float64 brute force: ${gpuExact}`);
				context.report({
					figure: `GPU top-${K} p50 @${label}`,
					value: percentile(gpuTimes, 50),
					unit: 'ms',
					baseline: `naive float loop p50 @${label}`,
					baseline_value: naiveP50
				});
				context.report({
					figure: `GPU top-${K} p95 @${label}`,
					value: percentile(gpuTimes, 95),
					unit: 'ms',
					baseline: `naive float loop p50 @${label}`,
					baseline_value: naiveP50
				});
			} catch (error) {
				context.log(`  GPU path unavailable: ${error instanceof Error ? error.message : String(error)}`);
			} finally {
				index?.destroy();
			}
		}
	}
}

const BOOK = '../shared/corpus/pdfs/freeculture.pdf';
const QUESTIONS = '../shared/eval/freeculture-qa.json';

/**
 * Realistic passages: a real book's chunks (Free Culture, from the corpus) repeated under new document
 * ids until there are `n`, so term statistics are those of real prose; queries are the eval questions.
 * Without the corpus, generated text with a Zipf-like vocabulary stands in.
 */
async function passages(n: number): Promise<{ chunks: IndexedChunk[]; queries: string[]; source: string }> {
	if (existsSync(BOOK) && existsSync(QUESTIONS)) {
		const book = await ingestFile(BOOK);
		const qa = JSON.parse(readFileSync(QUESTIONS, 'utf8')) as {
			questions: { question: string }[];
			misspellings: { query: string }[];
		};
		const chunks: IndexedChunk[] = [];
		for (let copy = 0; chunks.length < n; copy++)
			for (const c of book.chunks) {
				if (chunks.length >= n) break;
				chunks.push({
					id: `b${copy}:${c.ordinal}`,
					documentId: `book-${copy}`,
					page: c.page,
					start: c.start,
					end: c.end,
					text: c.text
				});
			}
		return {
			chunks,
			queries: [...qa.questions.map((q) => q.question), ...qa.misspellings.map((m) => m.query)],
			source: `${BOOK} repeated`
		};
	}
	const rand = random(11);
	const vocabulary = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}`);
	// Zipf: the r-th word with probability ∝ 1/r (inverse CDF of a log-uniform rank).
	const word = () =>
		vocabulary[Math.min(vocabulary.length - 1, Math.floor(Math.exp(rand() * Math.log(vocabulary.length))) - 1)]!;
	const chunks = Array.from({ length: n }, (_, i) => ({
		id: `c${i}`,
		documentId: `d${Math.floor(i / 300)}`,
		page: 1 + (Math.floor(i / 3) % 100),
		text: Array.from({ length: 150 }, word).join(' ')
	}));
	return {
		chunks,
		queries: chunks.slice(0, 20).map((c) => c.text.split(' ').slice(3, 9).join(' ')),
		source: 'generated text'
	};
}

async function fullText(context: BenchContext, n: number, iterations: number): Promise<void> {
	const { chunks, queries, source } = await passages(n);
	context.log(`· BM25 over ${chunks.length} chunks (${source})`);
	const start = performance.now();
	const index = FullTextIndex.empty();
	// One document per call, as ingestion adds them.
	let from = 0;
	while (from < chunks.length) {
		let to = from + 1;
		while (to < chunks.length && chunks[to]!.documentId === chunks[from]!.documentId) to++;
		index.add(chunks.slice(from, to));
		from = to;
	}
	context.log(`  indexed in ${((performance.now() - start) / 1000).toFixed(1)} s`);
	let q = 0;
	// Baseline: scanning every chunk's text for the query's words, what a search without an index does.
	const scan = await sample(
		() => {
			const terms = queries[q++ % queries.length]!.toLowerCase()
				.split(/\W+/)
				.filter((t) => t.length > 3);
			let hits = 0;
			for (const c of chunks) {
				const text = c.text.toLowerCase();
				if (terms.some((t) => text.includes(t))) hits++;
			}
			return hits;
		},
		{ iterations: Math.max(5, Math.round(iterations / 2)), warmup: 1 }
	);
	const scanP50 = percentile(scan, 50);
	const bm25 = await sample(() => index.search(queries[q++ % queries.length]!, { limit: 10 }), {
		iterations,
		warmup: 2
	});
	context.report({
		figure: `BM25 top-10 p50 @${chunks.length} chunks`,
		value: percentile(bm25, 50),
		unit: 'ms',
		baseline: 'substring scan p50',
		baseline_value: scanP50
	});
	context.report({
		figure: `BM25 top-10 p95 @${chunks.length} chunks`,
		value: percentile(bm25, 95),
		unit: 'ms',
		baseline: 'substring scan p50',
		baseline_value: scanP50
	});
}

export const searchBench: Bench = {
	name: 'search',
	summary: 'Vector top-10 (GPU, CPU, naive) at 10k/100k [--1m] × 384 dims; BM25 over 100k chunks',
	async run(context) {
		const { sizes, gpu, iterations } = parseArgs(context.args);
		context.log(
			'Options: --1m adds 1M vectors (≈4 GB of memory, several minutes); --no-gpu; --sizes=N,N (0: none); --iterations=N; --bm25-chunks=N (0: none)'
		);
		await vectors(context, sizes, gpu, iterations);
		const bm25 = Number(
			context.args.find((a) => a.startsWith('--bm25-chunks='))?.slice('--bm25-chunks='.length) ?? 100_000
		);
		if (bm25 > 0) await fullText(context, bm25, iterations);
	}
};
