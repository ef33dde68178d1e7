/**
 * The embedding contract every engine meets (web-llm in the AI worker, transformers.js as the fallback, a
 * fixture model in tests), so ingestion and search never know which one produced a vector.
 */

export type EmbeddingBackend = 'web-llm' | 'webgpu' | 'wasm' | 'cpu';

export interface Embedder {
	/** The id vectors are stored under: vectors of two ids never meet in one search. */
	readonly modelId: string;
	readonly dim: number;
	readonly backend: EmbeddingBackend;
	/** One unit-length vector per text, in order. */
	embed(texts: readonly string[]): Promise<Float32Array[]>;
	dispose(): Promise<void>;
}

/** Scales `vector` to unit length in place; a zero vector stays zero (an empty text has no direction). */
export function normalise(vector: Float32Array): Float32Array {
	let sum = 0;
	for (const x of vector) sum += x * x;
	const norm = Math.sqrt(sum);
	if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / norm;
	return vector;
}

/** Rows of a row-major `[rows, dim]` matrix, each copied so callers may keep them past the next call. */
export function splitRows(data: ArrayLike<number>, rows: number, dim: number): Float32Array[] {
	if (data.length !== rows * dim) throw new Error(`Expected ${rows}×${dim} values, got ${data.length}.`);
	const out: Float32Array[] = [];
	for (let r = 0; r < rows; r++) out.push(Float32Array.from({ length: dim }, (_, i) => data[r * dim + i]!));
	return out;
}

/** Embeds `texts` in batches of `batchSize`, so one huge document never asks the GPU for everything at once. */
export async function embedInBatches(
	embedder: Pick<Embedder, 'embed'>,
	texts: readonly string[],
	batchSize: number
): Promise<Float32Array[]> {
	if (batchSize < 1) throw new RangeError('batchSize must be at least 1.');
	const out: Float32Array[] = [];
	for (let i = 0; i < texts.length; i += batchSize) out.push(...(await embedder.embed(texts.slice(i, i + batchSize))));
	return out;
}
