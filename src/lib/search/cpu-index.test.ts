import { describe, expect, it } from 'vitest';
import { CpuVectorIndex } from './cpu-index.ts';
import { JsInt8Scanner, scanInt8Js, WasmInt8Scanner } from './int8-scan.ts';
import { clusteredVectors, flatten, random, randomVectors } from './testing.ts';
import { bruteForceTopK, LargestK, normalize } from './topk.ts';

function build(vectors: Float32Array[], dim: number, scanner?: JsInt8Scanner) {
	const ids = vectors.map((_, i) => `chunk-${String(i).padStart(6, '0')}`);
	const index = new CpuVectorIndex(dim, scanner ? { scanner } : {});
	index.add(ids, vectors);
	return { index, ids, flat: flatten(vectors, dim) };
}

describe('int8 scan', () => {
	it('WebAssembly SIMD and the JavaScript loop give identical integers', () => {
		const wasm = WasmInt8Scanner.create();
		expect(wasm).toBeDefined();
		if (!wasm) return;
		const rand = random(7);
		const stride = 48;
		const n = 333;
		const a = wasm.vectors(n, stride);
		const data = Int8Array.from({ length: n * stride }, () => Math.round((rand() * 2 - 1) * 127));
		a.set(data);
		const query = Int16Array.from({ length: stride }, () => Math.round((rand() * 2 - 1) * 32767));
		const expected = new Int32Array(n);
		scanInt8Js(data, query, n, expected);
		expect(Array.from(wasm.scan(query, n))).toEqual(Array.from(expected));
		// Extreme values: the int32 sums must not overflow at the documented limits.
		a.fill(-127);
		const extreme = new Int16Array(stride).fill(-32767);
		expect(wasm.scan(extreme, 1)[0]).toBe(127 * 32767 * stride);
	});
});

describe('CpuVectorIndex is exact against a float64 brute force', () => {
	const dim = 48;
	for (const [name, vectors] of [
		['random', randomVectors(3000, dim, 1)],
		['clustered', clusteredVectors(3000, dim, 6, 2, 0.02)]
	] as const) {
		it(`${name} data, k = 1, 10, 50 (recall@k = 1.0, same order and scores)`, () => {
			const { index, ids, flat } = build([...vectors], dim);
			const queries = [
				...randomVectors(5, dim, 99),
				...vectors.slice(0, 5).map((v) => normalize(Array.from(v, (x, j) => x + (j % 3) * 0.01)))
			];
			for (const query of queries)
				for (const k of [1, 10, 50]) {
					const got = index.searchSync(query, k);
					expect(got).toEqual(bruteForceTopK(flat, ids, dim, query, k));
				}
			// The int8 scan must actually prune: far fewer re-ranked than stored.
			index.searchSync(queries[0]!, 10);
			expect(index.lastCandidates).toBeLessThan(vectors.length / 2);
		});
	}

	it('resolves ties by ascending id, whatever the insertion order', () => {
		const base = randomVectors(50, dim, 5);
		const twin = base[3]!;
		// Five identical copies under ids inserted out of order, plus the rest.
		const vectors = [...base, twin, twin, twin, twin];
		const ids = [...base.map((_, i) => `m-${i}`), 'z-dup', 'a-dup', 'k-dup', 'b-dup'];
		const index = new CpuVectorIndex(dim);
		index.add(ids, vectors);
		const got = index.searchSync(twin, 4);
		expect(got.map((h) => h.id)).toEqual(['a-dup', 'b-dup', 'k-dup', 'm-3']);
		expect(new Set(got.map((h) => h.score)).size).toBe(1);
		expect(got).toEqual(bruteForceTopK(flatten(vectors, dim), ids, dim, twin, 4));
	});

	it('handles an empty index, k = 0 and k larger than the index', () => {
		const empty = new CpuVectorIndex(dim);
		expect(empty.searchSync(randomVectors(1, dim, 3)[0]!, 10)).toEqual([]);
		const { index, ids, flat } = build(randomVectors(7, dim, 4), dim);
		const query = randomVectors(1, dim, 8)[0]!;
		expect(index.searchSync(query, 0)).toEqual([]);
		const all = index.searchSync(query, 100);
		expect(all).toHaveLength(7);
		expect(all).toEqual(bruteForceTopK(flat, ids, dim, query, 100));
	});

	it('the JavaScript fallback scanner returns the same results', () => {
		const vectors = clusteredVectors(500, dim, 3, 11, 0.03);
		const simd = build(vectors, dim);
		const js = build(vectors, dim, new JsInt8Scanner());
		expect(js.index.simd).toBe(false);
		const query = randomVectors(1, dim, 12)[0]!;
		expect(js.index.searchSync(query, 10)).toEqual(simd.index.searchSync(query, 10));
	});

	it('grows incrementally and keeps earlier vectors intact', () => {
		const vectors = randomVectors(400, dim, 21);
		const ids = vectors.map((_, i) => `c${String(i).padStart(4, '0')}`);
		const index = new CpuVectorIndex(dim);
		for (let start = 0; start < 400; start += 37)
			index.add(ids.slice(start, start + 37), vectors.slice(start, start + 37));
		const query = randomVectors(1, dim, 22)[0]!;
		expect(index.searchSync(query, 10)).toEqual(bruteForceTopK(flatten(vectors, dim), ids, dim, query, 10));
	});

	it('rejects vectors and queries of another dimension', () => {
		const index = new CpuVectorIndex(dim);
		expect(() => index.add(['x'], [new Float32Array(dim + 1)])).toThrow(/dimensional/);
		expect(() => index.searchSync(new Float32Array(3), 1)).toThrow(/dimensions/);
	});

	it('LargestK keeps the k largest values', () => {
		const heap = new LargestK(3);
		for (const v of [5, 1, 9, 3, 7, 2]) heap.push(v);
		expect(heap.min).toBe(5);
		expect(new LargestK(3).min).toBe(-Infinity);
	});
});
