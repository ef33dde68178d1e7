import { normalize } from './topk.ts';
import type { Embedder } from './types.ts';

/** A seeded PRNG (mulberry32), so test and benchmark data are the same on every run. */
export function random(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function gaussian(rand: () => number): number {
	return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** `n` unit vectors spread evenly over the sphere. */
export function randomVectors(n: number, dim: number, seed: number): Float32Array[] {
	const rand = random(seed);
	return Array.from({ length: n }, () => normalize(Array.from({ length: dim }, () => gaussian(rand))));
}

/**
 * `n` unit vectors in `clusters` tight groups, like the embeddings of a case's chunks: many scores
 * close together near the top, which is where an approximate scan would go wrong.
 */
export function clusteredVectors(
	n: number,
	dim: number,
	clusters: number,
	seed: number,
	spread = 0.05
): Float32Array[] {
	const rand = random(seed);
	const centres = randomVectors(clusters, dim, seed + 1);
	return Array.from({ length: n }, () => {
		const c = centres[Math.floor(rand() * clusters)]!;
		return normalize(Array.from(c, (x) => x + spread * gaussian(rand)));
	});
}

/** Flattens vectors into one array of `n · dim` values. */
export function flatten(vectors: readonly Float32Array[], dim: number): Float32Array {
	const out = new Float32Array(vectors.length * dim);
	vectors.forEach((v, i) => out.set(v, i * dim));
	return out;
}

/**
 * A deterministic embedder for tests and for the CLI when no model is installed: hashed bag of words
 * (words and their 4-letter prefixes) projected onto `dim` dimensions, so texts sharing words land close.
 * It understands no meaning; it exists so hybrid search, the answer machine and the index can be tested
 * end to end without a model.
 */
export class HashingEmbedder implements Embedder {
	readonly modelId: string;
	constructor(readonly dim = 64) {
		this.modelId = `test/hashing-${dim}`;
	}
	embed(texts: readonly string[]): Promise<Float32Array[]> {
		return Promise.resolve(texts.map((text) => this.#embedOne(text)));
	}
	#embedOne(text: string): Float32Array {
		const v = new Float64Array(this.dim);
		const words =
			text
				.toLowerCase()
				.normalize('NFKD')
				.match(/[\p{L}\p{N}]+/gu) ?? [];
		for (const word of words) {
			for (const token of word.length > 4 ? [word, word.slice(0, 4)] : [word]) {
				let h = 2166136261;
				for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 16777619);
				const index = (h >>> 0) % this.dim;
				v[index] = v[index]! + ((h & 0x80000000) !== 0 ? -1 : 1);
			}
		}
		return normalize(v);
	}
}
