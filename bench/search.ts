import { nodeGpu, nodeShaderSource } from '../src/lib/gpu/node.ts';
import { CpuVectorIndex } from '../src/lib/search/cpu-index.ts';
import { FullTextIndex } from '../src/lib/search/full-text.ts';
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
		sizes: custom ? custom.slice('--sizes='.length).split(',').map(Number) : sizes,
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
		const queries = Array.from({ length: 8 }, (_, q) => normalize(Array.from(data[Math.floor(rand() * n)]!, (x, j) => x + ((q + j) % 5) * 0.02)));
		let q = 0;
		const next = () => queries[q++ % queries.length]!;

		const naive = await sample(() => naiveTopK(flat, ids, next(), K), { iterations: Math.max(5, Math.round(iterations / (n >= 1_000_000 ? 4 : 1))), warmup: 1 });
		const naiveP50 = percentile(naive, 50);
		context.report({ figure: `naive float loop top-${K} p50 @${label}`, value: naiveP50, unit: 'ms', baseline: 'itself', baseline_value: naiveP50 });

		const cpu = new CpuVectorIndex(DIM);
		const built = performance.now();
		cpu.add(ids, data);
		context.log(`  CPU index built in ${(performance.now() - built).toFixed(0)} ms (WebAssembly SIMD: ${cpu.simd})`);
		// The exactness claim, checked on the benchmark's own data.
		const check = next();
		const exact = JSON.stringify(cpu.searchSync(check, K)) === JSON.stringify(bruteForceTopK(flat, ids, DIM, check, K));
		const cpuTimes = await sample(() => cpu.searchSync(next(), K), { iterations: iterations * 2, warmup: 3 });
		context.log(`  CPU path re-ranked ${cpu.lastCandidates} candidates; equals float64 brute force: ${exact}`);
		context.report({ figure: `CPU int8+rerank top-${K} p50 @${label}`, value: percentile(cpuTimes, 50), unit: 'ms', baseline: `naive float loop p50 @${label}`, baseline_value: naiveP50 });
		context.report({ figure: `CPU int8+rerank top-${K} p95 @${label}`, value: percentile(cpuTimes, 95), unit: 'ms', baseline: `naive float loop p50 @${label}`, baseline_value: naiveP50 });

		if (gpu) {
			let index: GpuVectorIndex | undefined;
			try {
				index = await GpuVectorIndex.create(gpu, nodeShaderSource, DIM);
				index.add(ids, data);
				const gpuExact = JSON.stringify(await index.search(check, K)) === JSON.stringify(bruteForceTopK(flat, ids, DIM, check, K));
				const g = index;
				const gpuTimes = await sample(() => g.search(next(), K), { iterations: Math.max(5, Math.round(iterations / (n >= 1_000_000 ? 4 : 1))), warmup: 2 });
				context.log(`  GPU path re-ranked ${index.lastCandidates} candidates; equals float64 brute force: ${gpuExact}`);
				context.report({ figure: `GPU top-${K} p50 @${label}`, value: percentile(gpuTimes, 50), unit: 'ms', baseline: `naive float loop p50 @${label}`, baseline_value: naiveP50 });
				context.report({ figure: `GPU top-${K} p95 @${label}`, value: percentile(gpuTimes, 95), unit: 'ms', baseline: `naive float loop p50 @${label}`, baseline_value: naiveP50 });
			} catch (error) {
				context.log(`  GPU path unavailable: ${error instanceof Error ? error.message : String(error)}`);
			} finally {
				index?.destroy();
			}
		}
	}
}

/** Synthetic passages with a Zipf-like word distribution, so BM25's posting lists look like real text. */
function syntheticChunks(n: number): { id: string; documentId: string; page: number; text: string }[] {
	const rand = random(11);
	const syllables = ['ka', 'lo', 'mi', 'ter', 'an', 'su', 'ri', 'po', 'den', 'la', 'vi', 'cor', 'tu', 'ne', 'sa', 'gol'];
	const vocabulary = Array.from({ length: 20_000 }, (_, i) => {
		let w = '';
		let x = i + 7;
		while (x > 0 || w.length < 4) {
			w += syllables[x % syllables.length];
			x = Math.floor(x / syllables.length);
		}
		return w;
	});
	const word = () => vocabulary[Math.min(vocabulary.length - 1, Math.floor(Math.exp(rand() * Math.log(vocabulary.length))) - 1)]!;
	return Array.from({ length: n }, (_, i) => ({
		id: `c${i}`,
		documentId: `d${Math.floor(i / 300)}`,
		page: 1 + (Math.floor(i / 3) % 100),
		text: Array.from({ length: 150 }, word).join(' ')
	}));
}

async function fullText(context: BenchContext, iterations: number): Promise<void> {
	const n = 100_000;
	context.log(`· BM25 over ${n / 1000}k synthetic chunks of 150 words`);
	const chunks = syntheticChunks(n);
	const start = performance.now();
	const index = FullTextIndex.empty();
	// One document (300 chunks) per call, as ingestion adds them.
	for (let i = 0; i < chunks.length; i += 300) index.add(chunks.slice(i, i + 300));
	context.log(`  indexed in ${((performance.now() - start) / 1000).toFixed(1)} s`);
	const queryTerms = chunks.slice(0, 50).map((c) => c.text.split(' ').slice(3, 6).join(' '));
	let q = 0;
	// Baseline: scanning every chunk's text for the query words, what a search without an index does.
	const scan = await sample(
		() => {
			const terms = queryTerms[q++ % queryTerms.length]!.split(' ');
			let hits = 0;
			for (const c of chunks) if (terms.some((t) => c.text.includes(t))) hits++;
			return hits;
		},
		{ iterations: Math.max(5, Math.round(iterations / 2)), warmup: 1 }
	);
	const scanP50 = percentile(scan, 50);
	const bm25 = await sample(() => index.search(queryTerms[q++ % queryTerms.length]!, { limit: 10 }), { iterations, warmup: 2 });
	context.report({ figure: 'BM25 top-10 p50 @100k chunks', value: percentile(bm25, 50), unit: 'ms', baseline: 'substring scan p50 @100k chunks', baseline_value: scanP50 });
	context.report({ figure: 'BM25 top-10 p95 @100k chunks', value: percentile(bm25, 95), unit: 'ms', baseline: 'substring scan p50 @100k chunks', baseline_value: scanP50 });
}

export const searchBench: Bench = {
	name: 'search',
	summary: 'Vector top-10 (GPU, CPU, naive) at 10k/100k [--1m] × 384 dims; BM25 over 100k chunks',
	async run(context) {
		const { sizes, gpu, iterations } = parseArgs(context.args);
		context.log('Options: --1m adds 1M vectors (≈4 GB of memory, several minutes); --no-gpu; --sizes=N,N; --iterations=N');
		await vectors(context, sizes, gpu, iterations);
		if (!context.args.includes('--no-bm25')) await fullText(context, iterations);
	}
};
