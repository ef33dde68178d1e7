// The GPU project has no IndexedDB setup; the vector store test needs one.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeGpu, nodeShaderSource } from '../gpu/node.ts';
import { f32Margin, GpuVectorIndex } from './gpu-index.ts';
import { clusteredVectors, flatten, randomVectors } from './testing.ts';
import { bruteForceTopK, normalize } from './topk.ts';

const dim = 40;
let index: GpuVectorIndex | undefined;

describe('GpuVectorIndex (WGSL on SwiftShader) is exact against a float64 brute force', () => {
	beforeAll(async () => {
		index = await GpuVectorIndex.create(await nodeGpu(), nodeShaderSource, dim);
	});
	afterAll(() => index?.destroy());

	it('handles an empty index and k = 0', async () => {
		const query = randomVectors(1, dim, 1)[0]!;
		expect(await index!.search(query, 10)).toEqual([]);
		index!.add(['only'], [query]);
		expect(await index!.search(query, 0)).toEqual([]);
	});

	for (const [name, make] of [
		['random', () => randomVectors(1500, dim, 3)],
		['clustered', () => clusteredVectors(1500, dim, 4, 5, 0.02)]
	] as const) {
		it(`${name} data, several levels of the top-k tournament, batched queries`, async () => {
			const gpu = await GpuVectorIndex.create(await nodeGpu(), nodeShaderSource, dim);
			try {
				const vectors = make();
				const ids = vectors.map((_, i) => `c${String(i).padStart(5, '0')}`);
				// Added in two parts, so the shard grows on the device.
				gpu.add(ids.slice(0, 700), vectors.slice(0, 700));
				gpu.add(ids.slice(700), vectors.slice(700));
				const flat = flatten(vectors, dim);
				const queries = [
					...randomVectors(3, dim, 7),
					normalize(Array.from(vectors[10]!, (x, j) => x + (j % 2) * 0.01))
				];
				for (const k of [1, 10, 64]) {
					const got = await gpu.searchBatch(queries, k);
					got.forEach((hits, q) => expect(hits).toEqual(bruteForceTopK(flat, ids, dim, queries[q]!, k)));
					// The filter must prune: far fewer rows re-ranked than scored.
					expect(gpu.lastCandidates).toBeLessThan((vectors.length * queries.length) / 2);
				}
			} finally {
				gpu.destroy();
			}
		});
	}

	it('resolves ties by ascending id and returns everything when k exceeds the index', async () => {
		const gpu = await GpuVectorIndex.create(await nodeGpu(), nodeShaderSource, dim);
		try {
			const base = randomVectors(300, dim, 9);
			const twin = base[42]!;
			const vectors = [...base, twin, twin, twin];
			const ids = [...base.map((_, i) => `m${String(i).padStart(3, '0')}`), 'z', 'a', 'b'];
			gpu.add(ids, vectors);
			const got = await gpu.search(twin, 3);
			expect(got.map((h) => h.id)).toEqual(['a', 'b', 'm042']);
			const all = await gpu.search(twin, 1000);
			expect(all).toEqual(bruteForceTopK(flatten(vectors, dim), ids, dim, twin, 1000));
		} finally {
			gpu.destroy();
		}
	});

	it('uses a margin that covers f32 rounding of a dot product', () => {
		expect(f32Margin(384)).toBeGreaterThan(384 * 2 ** -24);
		expect(f32Margin(384)).toBeLessThan(1e-4);
	});
});

describe('CaseVectorStore with the GPU path', () => {
	it('serves searches from the GPU with the same answer as the CPU path', async () => {
		const { freshDatabase } = await import('../testing/db.ts');
		const { CaseVectorStore } = await import('./vector-store.ts');
		const db = await freshDatabase();
		const vectors = randomVectors(400, dim, 31);
		await db.vectors.bulkPut(
			vectors.map((vector, i) => ({
				id: `v${i}:m`,
				chunkId: `v${String(i).padStart(3, '0')}`,
				caseId: 'c',
				documentId: 'd',
				modelId: 'm',
				dim,
				vector
			}))
		);
		const gpuStore = new CaseVectorStore(db, { gpu: { gpu: await nodeGpu(), shaders: nodeShaderSource } });
		const cpuStore = new CaseVectorStore(db);
		const query = randomVectors(1, dim, 32)[0]!;
		const fromGpu = await gpuStore.search('c', 'm', query, 10);
		expect(gpuStore.lastBackend).toBe('gpu');
		expect(fromGpu).toEqual(await cpuStore.search('c', 'm', query, 10));
		await gpuStore.close();
		await db.delete();
	});
});
