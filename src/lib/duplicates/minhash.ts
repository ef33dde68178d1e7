/**
 * MinHash signatures over word shingles: a fixed-size summary of a document from which the Jaccard
 * similarity of two documents' shingle sets is estimated by the share of equal entries (Broder 1997).
 * Computed once per document at ingestion and stored; grouping (groups.ts) then never rereads texts.
 *
 * The k "permutations" are one 32-bit hash of each shingle re-mixed with k seeds (murmur3's finaliser),
 * the usual substitute for true random permutations; the standard error of the estimate is about
 * √(J(1−J)/k), so ±0.035 at J = 0.5 with the default 128.
 */

export interface MinHashOptions {
	/** Words per shingle (default 3: with k words, one changed word changes at most k shingles). */
	shingleWords?: number;
	/** Signature length (default 128). */
	permutations?: number;
}

export const DEFAULT_SHINGLE_WORDS = 3;
export const DEFAULT_PERMUTATIONS = 128;

/** Words for comparison: NFKC, lower case, letters and digits only (punctuation and layout ignored). */
export function wordsOf(text: string): string[] {
	return (
		text
			.normalize('NFKC')
			.toLowerCase()
			.match(/[\p{L}\p{N}]+/gu) ?? []
	);
}

/** FNV-1a over UTF-16 code units: a fast, well-spread 32-bit hash of a shingle. */
function fnv1a(s: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < s.length; i++) {
		h ^= s.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}

/** murmur3's 32-bit finaliser: turns (hash xor seed) into an independent-looking value per seed. */
function mix(h: number): number {
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35);
	h ^= h >>> 16;
	return h >>> 0;
}

/** Fixed seeds, so signatures computed on different devices and days compare. */
function seeds(count: number): Uint32Array {
	const out = new Uint32Array(count);
	let state = 0x9e3779b9;
	for (let i = 0; i < count; i++) {
		state = mix(state + 0x6d2b79f5);
		out[i] = state;
	}
	return out;
}

const seedCache = new Map<number, Uint32Array>();

/** The distinct shingle hashes of a text; a text shorter than one shingle is one shingle of all its words. */
export function shingleHashes(text: string, shingleWords = DEFAULT_SHINGLE_WORDS): Set<number> {
	const words = wordsOf(text);
	const out = new Set<number>();
	if (words.length === 0) return out;
	const last = Math.max(0, words.length - shingleWords);
	for (let i = 0; i <= last; i++) out.add(fnv1a(words.slice(i, i + shingleWords).join(' ')));
	return out;
}

/**
 * The MinHash signature of a text, or undefined for a text with no words (it resembles nothing; two
 * blank scans are not "duplicates" worth grouping).
 */
export function minhashSignature(text: string, options: MinHashOptions = {}): Uint32Array | undefined {
	const permutations = options.permutations ?? DEFAULT_PERMUTATIONS;
	const shingles = shingleHashes(text, options.shingleWords ?? DEFAULT_SHINGLE_WORDS);
	if (shingles.size === 0) return undefined;
	let s = seedCache.get(permutations);
	if (!s) {
		s = seeds(permutations);
		seedCache.set(permutations, s);
	}
	const signature = new Uint32Array(permutations).fill(0xffffffff);
	for (const h of shingles)
		for (let i = 0; i < permutations; i++) {
			const v = mix(h ^ s[i]!);
			if (v < signature[i]!) signature[i] = v;
		}
	return signature;
}

/** Estimated Jaccard similarity of two signatures of the same length. */
export function estimateSimilarity(a: Uint32Array, b: Uint32Array): number {
	if (a.length !== b.length || a.length === 0)
		throw new RangeError(`Signatures of different lengths (${a.length} and ${b.length}) cannot be compared.`);
	let same = 0;
	for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
	return same / a.length;
}

/** Exact Jaccard similarity of two shingle sets (tests and checks of the estimate). */
export function jaccard(a: ReadonlySet<number>, b: ReadonlySet<number>): number {
	if (a.size === 0 && b.size === 0) return 0;
	let both = 0;
	for (const x of a) if (b.has(x)) both++;
	return both / (a.size + b.size - both);
}
