import Fuse from 'fuse.js';
import MiniSearch, { type Options, type SearchResult } from 'minisearch';
import { InvalidInputError } from '../errors.ts';
import { cleanOffset } from '../ingest/reader-text.ts';
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
	/** Where `text` (the reader's text) and the page text differ (`reader-text.ts`). */
	shifts?: readonly number[];
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

/** 3: chunks hold the reader's text and the tokenizer joins short-prefix compounds (`terms.ts`). */
const FORMAT = 3;

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
	#fuse: Fuse<{ word: string; count: number }> | undefined;

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
		if (fresh.length > 0) this.#fuse = undefined;
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
		if (present.length > 0) this.#fuse = undefined;
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
	 * "Did you mean": for each query word that matches little (no chunk, or a handful where a close
	 * spelling matches many), the closest word of the case's vocabulary, found with fuse.js. Returns the
	 * corrected query, or undefined when every word is fine.
	 */
	suggest(query: string): { query: string; corrections: Correction[] } | undefined {
		const corrections: Correction[] = [];
		const parsed = parseQuery(query.replace(/["“”]/g, ' '));
		for (const word of new Set(parsed.words)) {
			if (word.length < 3 || /\d/.test(word)) continue;
			const count = this.frequency(word);
			if (count > 2) continue;
			const best = this.#closest(word, count);
			if (best) corrections.push({ word, suggestion: best });
		}
		if (corrections.length === 0) return undefined;
		let corrected = query;
		for (const { word, suggestion } of corrections) {
			corrected = corrected.replace(
				new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(word)}(?![\\p{L}\\p{N}])`, 'giu'),
				(original) => matchCase(original, suggestion)
			);
			// Folded words with diacritics may not appear verbatim; fall back to a token-wise rewrite.
			if (corrected === query) corrected = rewriteFolded(corrected, word, suggestion);
		}
		return { query: corrected, corrections };
	}

	#closest(word: string, count: number): string | undefined {
		this.#fuse ??= new Fuse(
			[...this.#vocabulary].map(([w, n]) => ({ word: w, count: n })),
			{ keys: ['word'], includeScore: true, threshold: 0.35, ignoreLocation: true, minMatchCharLength: 2 }
		);
		const maxDistance = word.length <= 4 ? 1 : word.length <= 7 ? 2 : 3;
		let best: { word: string; rank: number } | undefined;
		for (const { item, score } of this.#fuse.search(word, { limit: 50 })) {
			if (item.word === word) continue;
			// A rare word only gives way to a much more common spelling.
			if (item.count < Math.max(1, count * 5)) continue;
			const distance = editDistance(word, item.word);
			if (distance > maxDistance) continue;
			const rank = distance * 10 + (score ?? 1) - Math.log10(item.count) * 0.5;
			if (!best || rank < best.rank) best = { word: item.word, rank };
		}
		return best?.word;
	}
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
				text += c.text.slice(cleanOffset(c.shifts, Math.max(0, covered - c.start)));
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

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
	const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
		Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0))
	);
	for (let i = 1; i <= a.length; i++)
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
			rows[i]![j] = d;
		}
	return rows[a.length]![b.length]!;
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
