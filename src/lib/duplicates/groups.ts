/**
 * Near-duplicate groups from stored MinHash signatures. Locality-sensitive hashing (bands of rows)
 * proposes candidate pairs without comparing every pair; each candidate is then checked on its full
 * signature against the Jaccard threshold, and linked pairs are joined into groups (union–find).
 */
import { estimateSimilarity } from './minhash.ts';

export interface SignedDocument {
	id: string;
	signature: Uint32Array;
}

export interface SimilarPair {
	a: string;
	b: string;
	/** Estimated Jaccard similarity of their shingle sets, 0–1. */
	similarity: number;
}

export interface DuplicateGroup {
	/** Document ids, in input order. */
	members: string[];
	/** The pairs that linked the group, most similar first. */
	pairs: SimilarPair[];
	/** The least similarity among the linking pairs: the figure to show for the group. */
	similarity: number;
}

export interface GroupOptions {
	/** Least estimated Jaccard similarity for two documents to count as near-duplicates (default 0.8). */
	threshold?: number;
}

export const DEFAULT_THRESHOLD = 0.8;

/**
 * Rows per band for a signature length and threshold: the most rows (fewest false candidates) whose
 * LSH threshold (1/b)^(1/r) lies well below the Jaccard threshold, so true pairs are rarely missed
 * (with 128 and 0.8: 32 bands of 4, a pair at J = 0.8 becomes a candidate with probability > 0.9999).
 */
export function rowsPerBand(length: number, threshold: number): number {
	for (let rows = length; rows >= 1; rows--) {
		if (length % rows !== 0) continue;
		const bands = length / rows;
		if (Math.pow(1 / bands, 1 / rows) <= threshold - 0.15) return rows;
	}
	return 1;
}

class UnionFind {
	private parent = new Map<string, string>();
	find(x: string): string {
		let root = x;
		while (this.parent.get(root) !== undefined && this.parent.get(root) !== root) root = this.parent.get(root)!;
		this.parent.set(x, root);
		return root;
	}
	union(a: string, b: string): void {
		const ra = this.find(a);
		const rb = this.find(b);
		if (ra !== rb) this.parent.set(rb, ra);
	}
}

/** Groups of two or more near-duplicate documents, largest first. Documents without a signature are skipped. */
export function groupNearDuplicates(docs: readonly SignedDocument[], options: GroupOptions = {}): DuplicateGroup[] {
	const threshold = options.threshold ?? DEFAULT_THRESHOLD;
	if (!(threshold > 0 && threshold <= 1))
		throw new RangeError(`The similarity threshold must be above 0 and at most 1 (got ${threshold}).`);
	if (docs.length < 2) return [];
	const length = docs[0]!.signature.length;
	for (const d of docs)
		if (d.signature.length !== length)
			throw new RangeError(`Document ${d.id} has a signature of ${d.signature.length}, not ${length}: recompute it.`);
	const rows = rowsPerBand(length, threshold);
	const buckets = new Map<string, number[]>();
	docs.forEach((d, i) => {
		for (let start = 0; start < length; start += rows) {
			const key = `${start}:${d.signature.subarray(start, start + rows).join(',')}`;
			const bucket = buckets.get(key);
			if (bucket) bucket.push(i);
			else buckets.set(key, [i]);
		}
	});
	const seen = new Set<string>();
	const pairs: SimilarPair[] = [];
	const uf = new UnionFind();
	for (const bucket of buckets.values()) {
		for (let x = 0; x < bucket.length; x++)
			for (let y = x + 1; y < bucket.length; y++) {
				const i = bucket[x]!;
				const j = bucket[y]!;
				const key = `${i}:${j}`;
				if (seen.has(key)) continue;
				seen.add(key);
				const similarity = estimateSimilarity(docs[i]!.signature, docs[j]!.signature);
				if (similarity < threshold) continue;
				pairs.push({ a: docs[i]!.id, b: docs[j]!.id, similarity });
				uf.union(docs[i]!.id, docs[j]!.id);
			}
	}
	const linked = new Set(pairs.flatMap((p) => [p.a, p.b]));
	const byRoot = new Map<string, DuplicateGroup>();
	for (const d of docs) {
		if (!linked.has(d.id)) continue;
		const root = uf.find(d.id);
		const group = byRoot.get(root) ?? { members: [], pairs: [], similarity: 1 };
		group.members.push(d.id);
		byRoot.set(root, group);
	}
	for (const p of pairs) {
		const group = byRoot.get(uf.find(p.a))!;
		group.pairs.push(p);
		group.similarity = Math.min(group.similarity, p.similarity);
	}
	const groups = [...byRoot.values()].filter((g) => g.members.length >= 2);
	for (const g of groups) g.pairs.sort((p, q) => q.similarity - p.similarity);
	return groups.sort((g, h) => h.members.length - g.members.length || h.similarity - g.similarity);
}
