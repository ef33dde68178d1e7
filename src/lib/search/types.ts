/**
 * Boundaries of the search module. The model layer (another module) provides real embedders; anything
 * with this shape works, so tests and the CLI can pass a deterministic one.
 */
export interface Embedder {
	/** Vectors of different models never mix: the index is keyed by this id. */
	readonly modelId: string;
	readonly dim: number;
	/** One unit-length vector per text. */
	embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** One vector-search result. */
export interface VectorHit {
	/** The chunk the vector belongs to. */
	id: string;
	/** Cosine similarity, computed in float64 from the stored float32 values. */
	score: number;
}

export interface VectorSearchIndex {
	readonly dim: number;
	readonly size: number;
	/** Exact top-k by cosine; ties by ascending id (see `compareHits`). */
	search(query: Float32Array, k: number): Promise<VectorHit[]>;
}
