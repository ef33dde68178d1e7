import MiniSearch, { type Options, type SearchResult } from 'minisearch';
import { InvalidInputError } from '../errors.ts';
import { containsPhrase, indexTerm, parseQuery, words, type ParsedQuery } from './terms.ts';

/** What the full-text index holds of a chunk. */
export interface IndexedChunk {
	id: string;
	documentId: string;
	page: number;
	text: string;
	/** Character range within the page; lets the index rebuild a page's text without the overlaps. */
	start?: number;
	end?: number;
}

/**
 * How much a passage's page counts beside the passage itself. Chunks are short, so a question's words
 * often spread over a page: ranking passages by their own BM25 alone found the answer page for 65 % of
 * the Free Culture eval questions, adding the page's BM25 (normalised, weight 4) 75 %, as much as
 * page-level BM25, while results stay passages that can be cited and highlighted.
 */
export const PAGE_WEIGHT = 4;

/**
 * Share of chunks above which a query term is too common to be worth searching for (when others remain).
 * On the Free Culture eval 0.1 keeps recall (0.75) and halves query time over 20k chunks; 0.05 lost a question.
 */
export const COMMON_TERM_SHARE = 0.1;

const FORMAT = 2;

export interface TextHit {
	id: string;
	documentId: string;
	page: number;
	/** BM25 score (MiniSearch's variant). */
	score: number;
	/** Folded words of the query that this chunk matched (for highlighting). */
	matched: string[];
}

interface Stored {
	documentId: string;
	page: number;
}

const MINISEARCH_OPTIONS: Options<IndexedChunk> = {
	idField: 'id',
	fields: ['text'],
	storeFields: ['documentId', 'page'],
	// Tokens are produced by `terms.ts`; MiniSearch only sees them joined by spaces.
	tokenize: (text) => words(text),
	processTerm: (term) => indexTerm(term),
	searchOptions: { tokenize: (text) => text.split(' ').filter(Boolean), processTerm: (term) => term },
	autoVacuum: true
};

/** A suggested spelling for one query word. */
export interface Correction {
	word: string;
	suggestion: string;
}

/**
 * BM25 full-text search over a case's chunks (MiniSearch), with the case's vocabulary kept beside it
 * (word → number of chunks holding it) for "did you mean". Serialisable, so a case's index is stored
 * and reloaded rather than rebuilt; chunks can be added and removed one document at a time.
 */
export class FullTextIndex {
	#search: MiniSearch<IndexedChunk>;
	/** Whole pages, id `${documentId}#${page}`. */
	#pages: MiniSearch<IndexedChunk>;
	/** Folded word → chunks containing it. */
	#vocabulary: Map<string, number>;
	/** Index term → chunks containing it (derived from the vocabulary). */
	#termCounts = new Map<string, number>();

	private constructor(
		search: MiniSearch<IndexedChunk>,
		pages: MiniSearch<IndexedChunk>,
		vocabulary: Map<string, number>,
		terms?: Map<string, number>
	) {
		this.#search = search;
		this.#pages = pages;
		this.#vocabulary = vocabulary;
		if (terms) this.#termCounts = terms;
		else
			// An index stored without term counts: words that share a term are summed, an overestimate
			// that only makes the common-term cut a little more eager.
			for (const [word, count] of vocabulary) {
				const term = indexTerm(word);
				if (term !== null) this.#termCounts.set(term, (this.#termCounts.get(term) ?? 0) + count);
			}
	}

	static empty(): FullTextIndex {
		return new FullTextIndex(new MiniSearch(MINISEARCH_OPTIONS), new MiniSearch(MINISEARCH_OPTIONS), new Map());
	}

	static fromJSON(data: string): FullTextIndex {
		const parsed: unknown = JSON.parse(data);
		if (
			typeof parsed !== 'object' ||
			parsed === null ||
			!('format' in parsed) ||
			parsed.format !== FORMAT ||
			!('index' in parsed) ||
			!('pages' in parsed) ||
			!('vocabulary' in parsed)
		)
			throw new InvalidInputError(
				'The stored search index has an unknown format.',
				'It will be rebuilt from the case’s documents.'
			);
		const vocabulary = new Map<string, number>();
		if (Array.isArray(parsed.vocabulary))
			for (const entry of parsed.vocabulary as unknown[])
				if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number')
					vocabulary.set(entry[0], entry[1]);
		const terms = new Map<string, number>();
		if ('terms' in parsed && Array.isArray(parsed.terms))
			for (const entry of parsed.terms as unknown[])
				if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number')
					terms.set(entry[0], entry[1]);
		return new FullTextIndex(
			MiniSearch.loadJSON(JSON.stringify(parsed.index), MINISEARCH_OPTIONS),
			MiniSearch.loadJSON(JSON.stringify(parsed.pages), MINISEARCH_OPTIONS),
			vocabulary,
			terms.size > 0 || vocabulary.size === 0 ? terms : undefined
		);
	}

	toJSON(): string {
		return JSON.stringify({
			format: FORMAT,
			index: this.#search,
			pages: this.#pages,
			vocabulary: [...this.#vocabulary],
			terms: [...this.#termCounts]
		});
	}

	get size(): number {
		return this.#search.documentCount;
	}

	has(chunkId: string): boolean {
		return this.#search.has(chunkId);
	}

	/** How many chunks hold this (folded) word. */
	frequency(word: string): number {
		return this.#vocabulary.get(word) ?? 0;
	}

	/** Adds whole documents: all chunks of a page must arrive in the same call. */
	add(chunks: readonly IndexedChunk[]): void {
		const fresh = chunks.filter((c) => !this.#search.has(c.id));
		this.#search.addAll(fresh);
		for (const page of pagesOf(fresh)) {
			if (this.#pages.has(page.id)) this.#pages.discard(page.id);
			this.#pages.add(page);
		}
		for (const chunk of fresh) {
			const terms = new Set<string>();
			for (const w of new Set(words(chunk.text))) {
				this.#vocabulary.set(w, (this.#vocabulary.get(w) ?? 0) + 1);
				const term = indexTerm(w);
				if (term !== null) terms.add(term);
			}
			for (const term of terms) this.#termCounts.set(term, (this.#termCounts.get(term) ?? 0) + 1);
		}
	}

	/** Removes chunks (their text is needed to keep the vocabulary counts right). */
	remove(chunks: readonly IndexedChunk[]): void {
		const present = chunks.filter((c) => this.#search.has(c.id));
		this.#search.discardAll(present.map((c) => c.id));
		for (const page of pagesOf(present)) if (this.#pages.has(page.id)) this.#pages.discard(page.id);
		for (const chunk of present) {
			const terms = new Set<string>();
			for (const w of new Set(words(chunk.text))) {
				const n = (this.#vocabulary.get(w) ?? 0) - 1;
				if (n > 0) this.#vocabulary.set(w, n);
				else this.#vocabulary.delete(w);
				const term = indexTerm(w);
				if (term !== null) terms.add(term);
			}
			for (const term of terms) {
				const n = (this.#termCounts.get(term) ?? 0) - 1;
				if (n > 0) this.#termCounts.set(term, n);
				else this.#termCounts.delete(term);
			}
		}
	}

	/**
	 * Chunks matching the query, best first (ties by id). Quoted phrases must appear in the chunk; pass
	 * `textOf` to check word order as well, or leave it out to check only that their words all occur.
	 */
	search(
		query: string | ParsedQuery,
		options: { limit?: number; documentIds?: readonly string[]; textOf?: (id: string) => string | undefined } = {}
	): TextHit[] {
		const parsed = typeof query === 'string' ? parseQuery(query) : query;
		const phraseTerms = parsed.phrases.map((p) => p.map(indexTerm).filter((t): t is string => t !== null));
		const all = [...parsed.terms, ...phraseTerms.flat()];
		const prefixes = new Set(parsed.prefixes);
		let terms = [...new Set([...all, ...parsed.prefixes])];
		// Terms in most chunks add almost nothing to BM25 but make every search walk most of the index:
		// leave them out while a more telling term remains (phrase words stay, they are checked anyway).
		// Small indexes are fast anyway, and there a "common" word may be all that matches.
		const common = (t: string) => (this.#termCounts.get(t) ?? 0) > COMMON_TERM_SHARE * this.size;
		const phraseSet = new Set(phraseTerms.flat());
		if (this.size >= 1000 && terms.some((t) => !prefixes.has(t) && this.#termCounts.has(t) && !common(t)))
			terms = terms.filter((t) => prefixes.has(t) || phraseSet.has(t) || !common(t));
		if (terms.length === 0) return [];
		const documents = options.documentIds ? new Set(options.documentIds) : undefined;
		const prefix = prefixes.size > 0 ? (term: string) => prefixes.has(term) : false;
		// The filter callback runs per matching chunk: pass one only when something needs checking.
		const needsFilter = documents !== undefined || phraseTerms.length > 0;
		const results = this.#search.search(terms.join(' '), {
			prefix,
			combineWith: 'OR',
			...(needsFilter
				? {
						filter: (result: SearchResult) =>
							(!documents || documents.has(String(result['documentId']))) &&
							phraseTerms.every((phrase) => phrase.every((t) => result.terms.includes(t)))
					}
				: {})
		});
		const pageScores = new Map<string, number>();
		let pageMax = 1e-9;
		for (const r of this.#pages.search(terms.join(' '), {
			prefix,
			combineWith: 'OR',
			...(documents ? { filter: (result: SearchResult) => documents.has(String(result['documentId'])) } : {})
		})) {
			pageScores.set(String(r.id), r.score);
			pageMax = Math.max(pageMax, r.score);
		}
		let chunkMax = 1e-9;
		for (const r of results) chunkMax = Math.max(chunkMax, r.score);
		const scored = results.map((r) => ({
			r,
			score:
				r.score / chunkMax +
				(PAGE_WEIGHT * (pageScores.get(`${String(r['documentId'])}#${Number(r['page'])}`) ?? 0)) / pageMax
		}));
		const before = (a: { r: SearchResult; score: number }, b: { r: SearchResult; score: number }) =>
			a.score !== b.score ? b.score - a.score : String(a.r.id) < String(b.r.id) ? -1 : 1;
		// With a limit and no phrase to check, only the best `limit` need ordering.
		const checking = options.textOf !== undefined && parsed.phrases.length > 0;
		const ordered =
			options.limit !== undefined && !checking ? best(scored, options.limit, before) : scored.sort(before);
		const hits: TextHit[] = [];
		for (const { r, score } of ordered) {
			if (checking) {
				const text = options.textOf!(String(r.id));
				if (text === undefined || !parsed.phrases.every((p) => containsPhrase(text, p))) continue;
			}
			hits.push({ ...toHit(r), score });
			if (options.limit !== undefined && hits.length >= options.limit) break;
		}
		return hits;
	}

	/**
	 * Query words the case lacks altogether: neither the word nor its index term (so no inflection of it)
	 * occurs in any chunk. Only these are candidates for "did you mean"; a word the case contains, even
	 * once, is never touched, so a query whose words all match is never rewritten.
	 */
	unknownWords(query: string): string[] {
		const out: string[] = [];
		const parsed = parseQuery(query.replace(/["“”]/g, ' '));
		parsed.words.forEach((word, i) => {
			if (word.length < MIN_SUGGEST_LENGTH || /\d/.test(word) || out.includes(word)) return;
			if (this.frequency(word) > 0 || this.#termCounts.has(parsed.terms[i]!)) return;
			out.push(word);
		});
		return out;
	}

	/**
	 * "Did you mean": for each word the case lacks (`unknownWords`) that is not a word of the language
	 * (`isWord`: a misspelling or a misspelt name, not a real word the case happens not to use), the case's
	 * closest spelling, when it is close (`maxEditDistance`) and occurs in at least `SUGGEST_MIN_CHUNKS`
	 * chunks. Returns the corrected query, or undefined when nothing needs correcting.
	 */
	suggest(
		query: string,
		options: { isWord?: (word: string) => boolean } = {}
	): { query: string; corrections: Correction[] } | undefined {
		const corrections: Correction[] = [];
		for (const word of this.unknownWords(query)) {
			if (options.isWord?.(word)) continue;
			const best = this.#closest(word);
			if (best) corrections.push({ word, suggestion: best });
		}
		if (corrections.length === 0) return undefined;
		let corrected = query;
		for (const { word, suggestion } of corrections) {
			const before = corrected;
			corrected = corrected.replace(
				new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(word)}(?![\\p{L}\\p{N}])`, 'giu'),
				(original) => matchCase(original, suggestion)
			);
			// Folded words with diacritics may not appear verbatim; fall back to a token-wise rewrite.
			if (corrected === before) corrected = rewriteFolded(corrected, word, suggestion);
		}
		return { query: corrected, corrections };
	}

	/** The closest word of the vocabulary: fewest edits, then most chunks, then same first letter, then a-z. */
	#closest(word: string): string | undefined {
		const limit = maxEditDistance(word);
		let best: { word: string; rank: [number, number, number] } | undefined;
		for (const [candidate, count] of this.#vocabulary) {
			if (count < SUGGEST_MIN_CHUNKS || Math.abs(candidate.length - word.length) > limit || /\d/.test(candidate))
				continue;
			const distance = editDistance(word, candidate, limit);
			if (distance > limit) continue;
			const rank: [number, number, number] = [distance, -count, candidate[0] === word[0] ? 0 : 1];
			if (!best || before(rank, candidate, best.rank, best.word)) best = { word: candidate, rank };
		}
		return best?.word;
	}
}

function before(a: readonly number[], aWord: string, b: readonly number[], bWord: string): boolean {
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
	return aWord < bWord;
}

/** Shorter words have too many close neighbours to guess from. */
export const MIN_SUGGEST_LENGTH = 4;

/**
 * A suggestion must be much more frequent than the absent word (0 chunks): at least this many chunks, so
 * a one-off OCR slip in the case is never offered as the "right" spelling.
 */
export const SUGGEST_MIN_CHUNKS = 2;

/** Edits allowed between a word and its suggestion: 1 up to 5 letters, 2 up to 8, then 3. */
export function maxEditDistance(word: string): number {
	return word.length <= 5 ? 1 : word.length <= 8 ? 2 : 3;
}

/** The pages the chunks cover, each page's text stitched from its chunks without repeating overlaps. */
function pagesOf(chunks: readonly IndexedChunk[]): IndexedChunk[] {
	const byPage = new Map<string, IndexedChunk[]>();
	for (const c of chunks) {
		const id = `${c.documentId}#${c.page}`;
		const list = byPage.get(id);
		if (list) list.push(c);
		else byPage.set(id, [c]);
	}
	return [...byPage].map(([id, list]) => {
		list.sort((a, b) => (a.start ?? 0) - (b.start ?? 0));
		let text = '';
		let covered = 0;
		for (const c of list) {
			if (c.start === undefined || c.end === undefined) text += `${text ? ' ' : ''}${c.text}`;
			else if (c.end > covered) {
				text += c.text.slice(Math.max(0, covered - c.start));
				covered = c.end;
			}
		}
		return { id, documentId: list[0]!.documentId, page: list[0]!.page, text };
	});
}

function toHit(r: SearchResult): TextHit {
	const stored: Stored = { documentId: String(r['documentId']), page: Number(r['page']) };
	return { id: String(r.id), documentId: stored.documentId, page: stored.page, score: r.score, matched: [...r.terms] };
}

/** The `limit` first items under `before`, in order, without sorting everything. */
function best<T>(items: readonly T[], limit: number, before: (a: T, b: T) => number): T[] {
	const top: T[] = [];
	for (const item of items) {
		if (top.length === limit && before(item, top[limit - 1]!) >= 0) continue;
		let i = Math.min(top.length, limit - 1);
		if (top.length < limit) top.push(item);
		while (i > 0 && before(item, top[i - 1]!) < 0) {
			top[i] = top[i - 1]!;
			i--;
		}
		top[i] = item;
	}
	return top;
}

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions). With `limit`, stops as soon
 * as the distance must exceed it and returns `limit + 1`: the vocabulary scan of "did you mean" stays cheap.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
	if (Math.abs(a.length - b.length) > limit) return limit + 1;
	let previous2: number[] = [];
	let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		const row = [i];
		let rowMin = i;
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			let d = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, previous2[j - 2]! + 1);
			row.push(d);
			rowMin = Math.min(rowMin, d);
		}
		if (rowMin > limit) return limit + 1;
		previous2 = previous;
		previous = row;
	}
	return Math.min(previous[b.length]!, limit + 1);
}

function escapeRegExp(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Keeps the capitalisation the person typed: "Causbey" → "Causby", "SARNOV" → "SARNOFF". */
function matchCase(original: string, suggestion: string): string {
	if (original.length > 1 && original === original.toUpperCase()) return suggestion.toUpperCase();
	if (original[0] !== undefined && original[0] === original[0].toUpperCase())
		return suggestion[0]!.toUpperCase() + suggestion.slice(1);
	return suggestion;
}

function rewriteFolded(query: string, word: string, suggestion: string): string {
	return query.replace(/[\p{L}\p{N}]+/gu, (token) => (words(token)[0] === word ? matchCase(token, suggestion) : token));
}
