import { InvalidInputError } from '../errors.ts';
import { createInt8Scanner, paddedDim, queryScaleLimit, type Int8Scanner } from './int8-scan.ts';
import { compareHits, dot64, LargestK, unitOrNormalized } from './topk.ts';
import type { VectorHit, VectorSearchIndex } from './types.ts';

/** Relative and absolute slack on every error bound, far above float64 rounding in the bound itself. */
const RELATIVE_SLACK = 1e-9;
const ABSOLUTE_SLACK = 1e-12;

/**
 * Exact top-k cosine on the CPU: an int8 scan finds the candidates, float64 re-ranks them.
 *
 * Each vector v is stored as int8 q with a scale s (v ≈ s·q) next to its float32 values. The query x is
 * quantised to int16 the same way (x ≈ t·p). The scan gives s·t·(q·p) for every vector, and
 *
 *   v·x − s·t·(q·p) = (v − s·q)·x + s·q·(x − t·p)
 *   |…| ≤ ‖v − s·q‖·‖x‖ + ‖s·q‖·‖x − t·p‖           (Cauchy–Schwarz, both norms stored or computed exactly)
 *
 * so every vector's true score lies in [approx − bound, approx + bound]. Let L be the k-th largest lower
 * bound: at least k vectors score ≥ L, so every member of the true top-k (ties included) scores ≥ L and
 * its upper bound reaches L. Re-ranking every vector whose upper bound reaches L with the float64 dot
 * product therefore returns exactly the brute-force answer; on typical data that is a few times k vectors.
 */
export class CpuVectorIndex implements VectorSearchIndex {
	readonly dim: number;
	readonly stride: number;
	#ids: string[] = [];
	#floats = new Float32Array(0);
	#int8: Int8Array;
	#scale = new Float64Array(0);
	/** ‖v − s·q‖₂, rounded up slightly. */
	#residual = new Float64Array(0);
	/** ‖s·q‖₂. */
	#quantNorm = new Float64Array(0);
	#upper = new Float64Array(0);
	readonly #scanner: Int8Scanner;
	/** How many vectors the last search re-ranked; exposed for tests and the benchmark. */
	lastCandidates = 0;

	constructor(dim: number, options: { scanner?: Int8Scanner } = {}) {
		if (!Number.isInteger(dim) || dim <= 0)
			throw new InvalidInputError(`A vector index needs a positive dimension, not ${dim}.`);
		this.dim = dim;
		this.stride = paddedDim(dim);
		this.#scanner = options.scanner ?? createInt8Scanner();
		this.#int8 = this.#scanner.vectors(0, this.stride);
	}

	get size(): number {
		return this.#ids.length;
	}

	get simd(): boolean {
		return this.#scanner.simd;
	}

	get ids(): readonly string[] {
		return this.#ids;
	}

	/** The stored float32 vectors, `size · dim` values. */
	get floats(): Float32Array {
		return this.#floats.subarray(0, this.size * this.dim);
	}

	#reserve(count: number): void {
		const capacity = this.#scale.length;
		if (count <= capacity) return;
		const next = Math.max(count, Math.ceil(capacity * 1.5), 64);
		const grow = <T extends Float64Array | Float32Array>(old: T, make: (n: number) => T, per: number): T => {
			const out = make(next * per);
			out.set(old);
			return out;
		};
		this.#floats = grow(this.#floats, (n) => new Float32Array(n), this.dim);
		this.#scale = grow(this.#scale, (n) => new Float64Array(n), 1);
		this.#residual = grow(this.#residual, (n) => new Float64Array(n), 1);
		this.#quantNorm = grow(this.#quantNorm, (n) => new Float64Array(n), 1);
		this.#upper = new Float64Array(next);
		this.#int8 = this.#scanner.vectors(next, this.stride);
	}

	/** Adds vectors (scaled to unit length if they are not already). Ids must be unique. */
	add(ids: readonly string[], vectors: readonly Float32Array[]): void {
		if (ids.length !== vectors.length) throw new InvalidInputError('Each vector needs exactly one id.');
		this.#reserve(this.size + ids.length);
		const { dim, stride } = this;
		for (let n = 0; n < ids.length; n++) {
			const raw = vectors[n]!;
			if (raw.length !== dim)
				throw new InvalidInputError(`A ${raw.length}-dimensional vector cannot join a ${dim}-dimensional index.`);
			const v = unitOrNormalized(raw);
			const i = this.size;
			this.#floats.set(v, i * dim);
			let max = 0;
			for (let j = 0; j < dim; j++) max = Math.max(max, Math.abs(v[j]!));
			const s = max / 127;
			let residual = 0;
			let quant = 0;
			const base = i * stride;
			for (let j = 0; j < stride; j++) {
				const q = j < dim && s > 0 ? Math.max(-127, Math.min(127, Math.round(v[j]! / s))) : 0;
				this.#int8[base + j] = q;
				if (j < dim) {
					const e = v[j]! - s * q;
					residual += e * e;
					quant += q * q;
				}
			}
			this.#scale[i] = s;
			this.#residual[i] = Math.sqrt(residual) * (1 + RELATIVE_SLACK);
			this.#quantNorm[i] = s * Math.sqrt(quant) * (1 + RELATIVE_SLACK);
			this.#ids.push(ids[n]!);
		}
	}

	async search(query: Float32Array, k: number): Promise<VectorHit[]> {
		return Promise.resolve(this.searchSync(query, k));
	}

	/** Exact float64 scores of the given rows, ordered by `compareHits`, first k. */
	rerank(rows: Iterable<number>, x: Float32Array, k: number): VectorHit[] {
		const hits: VectorHit[] = [];
		for (const i of rows) hits.push({ id: this.#ids[i]!, score: dot64(this.#floats, i * this.dim, x, this.dim) });
		hits.sort(compareHits);
		return hits.slice(0, k);
	}

	searchSync(query: Float32Array, k: number): VectorHit[] {
		const { dim, stride, size } = this;
		if (query.length !== dim)
			throw new InvalidInputError(`The query has ${query.length} dimensions; this index holds ${dim}.`);
		k = Math.floor(k);
		if (size === 0 || k <= 0) return [];
		const x = unitOrNormalized(query);
		if (k >= size) {
			this.lastCandidates = size;
			return this.rerank(range(size), x, k);
		}
		let max = 0;
		let xNorm = 0;
		for (let j = 0; j < dim; j++) {
			max = Math.max(max, Math.abs(x[j]!));
			xNorm += x[j]! * x[j]!;
		}
		xNorm = Math.sqrt(xNorm) * (1 + RELATIVE_SLACK);
		const t = max / queryScaleLimit(dim);
		const p = new Int16Array(stride);
		let queryError = 0;
		if (t > 0)
			for (let j = 0; j < dim; j++) {
				p[j] = Math.round(x[j]! / t);
				const e = x[j]! - t * p[j]!;
				queryError += e * e;
			}
		queryError = Math.sqrt(queryError) * (1 + RELATIVE_SLACK);

		const dots = this.#scanner.scan(p, size);
		const lower = new LargestK(k);
		const upper = this.#upper;
		const scale = this.#scale;
		const residual = this.#residual;
		const quantNorm = this.#quantNorm;
		for (let i = 0; i < size; i++) {
			const approx = scale[i]! * t * dots[i]!;
			const bound = (residual[i]! * xNorm + quantNorm[i]! * queryError) * (1 + RELATIVE_SLACK) + ABSOLUTE_SLACK;
			lower.push(approx - bound);
			upper[i] = approx + bound;
		}
		const threshold = lower.min;
		const candidates: number[] = [];
		for (let i = 0; i < size; i++) if (upper[i]! >= threshold) candidates.push(i);
		this.lastCandidates = candidates.length;
		return this.rerank(candidates, x, k);
	}
}

function* range(n: number): Iterable<number> {
	for (let i = 0; i < n; i++) yield i;
}
