import type { VectorHit } from './types.ts';

/**
 * The one ordering of search results: higher score first; equal scores by ascending id (UTF-16 code
 * unit order, i.e. plain `<` on strings). Ids are chunk ids, so the order does not depend on the order
 * vectors were added in, and every path (GPU, CPU, brute force) returns the same list.
 */
export function compareHits(a: VectorHit, b: VectorHit): number {
	if (a.score !== b.score) return b.score - a.score;
	return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Dot product in float64, in index order. Every path re-ranks with this exact function. */
export function dot64(a: ArrayLike<number>, aOffset: number, b: ArrayLike<number>, dim: number): number {
	let s = 0;
	for (let j = 0; j < dim; j++) s += a[aOffset + j]! * b[j]!;
	return s;
}

/** Scales to unit length in float64 and rounds back to float32; a zero vector stays zero. */
export function normalize(v: ArrayLike<number>): Float32Array {
	let norm = 0;
	for (let j = 0; j < v.length; j++) norm += v[j]! * v[j]!;
	norm = Math.sqrt(norm);
	const out = new Float32Array(v.length);
	if (norm > 0) for (let j = 0; j < v.length; j++) out[j] = v[j]! / norm;
	return out;
}

/**
 * Stored vectors are meant to be unit length already; re-normalising them would change their bits (and
 * so the scores) slightly, so only vectors that are clearly off are scaled.
 */
export function unitOrNormalized(v: Float32Array): Float32Array {
	let norm = 0;
	for (let j = 0; j < v.length; j++) norm += v[j]! * v[j]!;
	return Math.abs(Math.sqrt(norm) - 1) <= 1e-4 ? v : normalize(v);
}

/**
 * The reference: every score in float64, sorted by `compareHits`. Tests compare both fast paths with
 * it; it is also the answer for very small cases.
 */
export function bruteForceTopK(
	vectors: Float32Array,
	ids: readonly string[],
	dim: number,
	query: Float32Array,
	k: number
): VectorHit[] {
	const hits: VectorHit[] = ids.map((id, i) => ({ id, score: dot64(vectors, i * dim, query, dim) }));
	hits.sort(compareHits);
	return hits.slice(0, Math.max(0, k));
}

/** Keeps the `k` largest numbers seen (a min-heap); `min` is the k-th largest once `k` are in. */
export class LargestK {
	readonly #heap: Float64Array;
	#size = 0;
	constructor(readonly k: number) {
		this.#heap = new Float64Array(Math.max(1, k));
	}
	get full(): boolean {
		return this.#size >= this.k;
	}
	/** The k-th largest value so far, or -Infinity until k values arrived. */
	get min(): number {
		return this.full && this.k > 0 ? this.#heap[0]! : -Infinity;
	}
	push(value: number): void {
		const heap = this.#heap;
		if (this.k <= 0) return;
		if (this.#size < this.k) {
			let i = this.#size++;
			while (i > 0) {
				const parent = (i - 1) >> 1;
				if (heap[parent]! <= value) break;
				heap[i] = heap[parent]!;
				i = parent;
			}
			heap[i] = value;
			return;
		}
		if (value <= heap[0]!) return;
		let i = 0;
		const n = this.#size;
		for (;;) {
			const l = 2 * i + 1;
			if (l >= n) break;
			const r = l + 1;
			const c = r < n && heap[r]! < heap[l]! ? r : l;
			if (heap[c]! >= value) break;
			heap[i] = heap[c]!;
			i = c;
		}
		heap[i] = value;
	}
}
