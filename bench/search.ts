import { existsSync, readFileSync } from 'node:fs';
import { nodeGpu, nodeShaderSource } from '../src/lib/gpu/node.ts';
import { ingestFile } from '../src/lib/ingest/ingest-file.node.ts';
import { CpuVectorIndex } from '../src/lib/search/cpu-index.ts';
import MiniSearch, { type Options } from 'minisearch';
import { COMMON_TERM_SHARE, FullTextIndex, PAGE_WEIGHT, type IndexedChunk } from '../src/lib/search/full-text.ts';
import { indexTerm, parseQuery, words } from '../src/lib/search/terms.ts';
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

/**
 * The last release's BM25 (MiniSearch 7, chunks and whole pages, same tokens, same common-term cut and page
 * weight), kept here as the baseline the new index is measured against in the same run.
 */
class MiniSearchBaseline {
	readonly #options: Options<IndexedChunk> = {
		idField: 'id',
		fields: ['text'],
		storeFields: ['documentId', 'page'],
		tokenize: (text) => words(text),
		processTerm: (term) => indexTerm(term),
		searchOptions: { tokenize: (text) => text.split(' ').filter(Boolean), processTerm: (term) => term }
	};
	readonly #chunks = new MiniSearch<IndexedChunk>(this.#options);
	readonly #pages = new MiniSearch<IndexedChunk>(this.#options);
	readonly #counts = new Map<string, number>();

	add(chunks: readonly IndexedChunk[]): void {
		this.#chunks.addAll(chunks);
		const byPage = new Map<string, IndexedChunk[]>();
		for (const c of chunks)
			byPage.set(`${c.documentId}#${c.page}`, [...(byPage.get(`${c.documentId}#${c.page}`) ?? []), c]);
		for (const [id, list] of byPage) {
			let text = '';
			let covered = 0;
			for (const c of list.sort((x, y) => (x.start ?? 0) - (y.start ?? 0)))
				if (c.start === undefined || c.end === undefined) text += ` ${c.text}`;
				else if (c.end > covered) {
					text += c.text.slice(Math.max(0, covered - c.start));
					covered = c.end;
				}
			this.#pages.add({ id, documentId: list[0]!.documentId, page: list[0]!.page, text });
		}
		for (const c of chunks)
			for (const t of new Set(words(c.text).map(indexTerm)))
				if (t !== null) this.#counts.set(t, (this.#counts.get(t) ?? 0) + 1);
	}

	search(query: string, limit: number): string[] {
		const parsed = parseQuery(query);
		let terms = [...new Set(parsed.terms)];
		const size = this.#chunks.documentCount;
		const common = (t: string) => (this.#counts.get(t) ?? 0) > COMMON_TERM_SHARE * size;
		if (size >= 1000 && terms.some((t) => this.#counts.has(t) && !common(t))) terms = terms.filter((t) => !common(t));
		if (terms.length === 0) return [];
		const results = this.#chunks.search(terms.join(' '), { combineWith: 'OR' });
		const pages = new Map<string, number>();
		let pageMax = 1e-9;
		for (const r of this.#pages.search(terms.join(' '), { combineWith: 'OR' })) {
			pages.set(String(r.id), r.score);
			pageMax = Math.max(pageMax, r.score);
		}
		let chunkMax = 1e-9;
		for (const r of results) chunkMax = Math.max(chunkMax, r.score);
		return results
			.map((r) => ({
				id: String(r.id),
				score:
					r.score / chunkMax +
					(PAGE_WEIGHT * (pages.get(`${String(r['documentId'])}#${Number(r['page'])}`) ?? 0)) / pageMax
			}))
			.sort((a, b) => (a.score !== b.score ? b.score - a.score : a.id < b.id ? -1 : 1))
			.slice(0, limit)
			.map((r) => r.id);
	}
}

/** Adds one document per call, as ingestion does; returns the seconds it took. */
function build(chunks: readonly IndexedChunk[], add: (list: IndexedChunk[]) => void): number {
	const start = performance.now();
	let from = 0;
	while (from < chunks.length) {
		let to = from + 1;
		while (to < chunks.length && chunks[to]!.documentId === chunks[from]!.documentId) to++;
		add(chunks.slice(from, to));
		from = to;
	}
	return (performance.now() - start) / 1000;
}

async function fullText(context: BenchContext, n: number, iterations: number): Promise<void> {
	const { chunks, queries, source } = await passages(n);
	const label = n >= 1000 ? `${n / 1000}k` : String(n);
	context.log(`· BM25 over ${chunks.length} chunks (${source}), ${queries.length} queries`);
	// Each index is timed with only itself in memory: the other's heap (MiniSearch's is several hundred MB at
	// 100k) would otherwise put its garbage collection into these figures.
	let index: FullTextIndex | undefined = FullTextIndex.empty();
	const seconds = build(chunks, (list) => index!.add(list));
	const ours = queries.map((query) => JSON.stringify(index!.search(query, { limit: 10 }).map((h) => h.id)));
	let q = 0;
	const after = await sample(() => index!.search(queries[q++ % queries.length]!, { limit: 10 }), {
		iterations,
		warmup: 2
	});
	index = undefined;
	let baseline: MiniSearchBaseline | undefined = new MiniSearchBaseline();
	const baselineSeconds = build(chunks, (list) => baseline!.add(list));
	context.log(`  indexed in ${seconds.toFixed(1)} s (MiniSearch baseline: ${baselineSeconds.toFixed(1)} s)`);
	// Same data, same scoring: the rankings should agree (ties may order differently only by id rules).
	const same = queries.filter((query, i) => JSON.stringify(baseline!.search(query, 10)) === ours[i]).length;
	context.log(`  same top-10 as the MiniSearch baseline for ${same} of ${queries.length} queries`);
	q = 0;
	const before = await sample(() => baseline!.search(queries[q++ % queries.length]!, 10), {
		iterations,
		warmup: 2
	});
	baseline = undefined;
	for (const p of [50, 95] as const)
		context.report({
			figure: `BM25 top-10 p${p} @${label} chunks`,
			value: percentile(after, p),
			unit: 'ms',
			baseline: `MiniSearch (last release) p${p}`,
			baseline_value: percentile(before, p)
		});
}

export const searchBench: Bench = {
	name: 'search',
	summary: 'Vector top-10 (GPU, CPU, naive) at 10k/100k [--1m] × 384 dims; BM25 over 10k/100k chunks beside MiniSearch',
	async run(context) {
		const { sizes, gpu, iterations } = parseArgs(context.args);
		context.log(
			'Options: --1m adds 1M vectors (≈4 GB of memory, several minutes); --no-gpu; --sizes=N,N (0: none); --iterations=N; --bm25-chunks=N,N (default 10000,100000; 0: none)'
		);
		await vectors(context, sizes, gpu, iterations);
		const bm25 = context.args.find((a) => a.startsWith('--bm25-chunks='))?.slice('--bm25-chunks='.length);
		for (const n of bm25 ? bm25.split(',').map(Number) : [10_000, 100_000])
			if (n > 0) await fullText(context, n, Math.max(iterations, 40));
	}
};
