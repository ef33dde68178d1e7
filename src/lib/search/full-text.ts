import { InvalidInputError } from '../errors.ts';
import { cleanOffset } from '../ingest/reader-text.ts';
import { Bm25Index, termsOf, type Bm25Document, type Bm25Json } from './bm25.ts';
import { containsPhrase, fold, indexTerm, parseQuery, STOP_WORDS, tokens, words, type ParsedQuery } from './terms.ts';

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

/**
 * 4: Docket's own BM25 layout (`bm25.ts`); chunks hold the reader's text and the tokenizer joins short-prefix
 * compounds (`terms.ts`). 5: folding maps letters that do not decompose ("ł", "ø", "ß"), so terms changed.
 */
const FORMAT = 5;

export interface TextHit {
	id: string;
	documentId: string;
	page: number;
	/** BM25 score (MiniSearch's variant), plus the page's (see PAGE_WEIGHT). */
	score: number;
	/** Index terms of the query that this chunk matched. */
	matched: string[];
}

/** A suggested spelling for one query word. */
export interface Correction {
	word: string;
	suggestion: string;
}

/** What `Bm25Index` stores of a text: its index terms, its length (distinct words). */
function bm25Document(chunk: IndexedChunk): Bm25Document {
	const list = words(chunk.text);
	const terms: string[] = [];
	for (const w of list) {
		const t = indexTerm(w);
		if (t !== null) terms.push(t);
	}
	return { id: chunk.id, terms, length: new Set(list).size, documentId: chunk.documentId, page: chunk.page };
}

function isBm25Json(value: unknown): value is Bm25Json {
	return (
		typeof value === 'object' &&
		value !== null &&
		'ids' in value &&
		Array.isArray(value.ids) &&
		'documentIds' in value &&
		Array.isArray(value.documentIds) &&
		'pages' in value &&
		Array.isArray(value.pages) &&
		'lengths' in value &&
		Array.isArray(value.lengths) &&
		'postings' in value &&
		Array.isArray(value.postings)
	);
}

/**
 * BM25 full-text search over a case's chunks (`Bm25Index`, with a second index of whole pages), with the
 * case's vocabulary kept beside it (word → number of chunks holding it) for "did you mean". Serialisable,
 * so a case's index is stored and reloaded rather than rebuilt; chunks can be added and removed one
 * document at a time.
 */
export class FullTextIndex {
	#search: Bm25Index;
	/** Whole pages, id `${documentId}#${page}`. */
	#pages: Bm25Index;
	/** Folded word → chunks containing it. */
	#vocabulary: Map<string, number>;
	/** Folded word → how the case writes it, where that differs ("muller" → "müller"): what a suggestion shows. */
	#written: Map<string, string>;

	private constructor(
		search: Bm25Index,
		pages: Bm25Index,
		vocabulary: Map<string, number>,
		written: Map<string, string> = new Map()
	) {
		this.#search = search;
		this.#pages = pages;
		this.#vocabulary = vocabulary;
		this.#written = written;
	}

	static empty(): FullTextIndex {
		return new FullTextIndex(new Bm25Index(), new Bm25Index(), new Map());
	}

	static fromJSON(data: string): FullTextIndex {
		const parsed: unknown = JSON.parse(data);
		if (
			typeof parsed !== 'object' ||
			parsed === null ||
			!('format' in parsed) ||
			parsed.format !== FORMAT ||
			!('index' in parsed) ||
			!isBm25Json(parsed.index) ||
			!('pages' in parsed) ||
			!isBm25Json(parsed.pages) ||
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
		const written = new Map<string, string>();
		if ('written' in parsed && Array.isArray(parsed.written))
			for (const entry of parsed.written as unknown[])
				if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'string')
					written.set(entry[0], entry[1]);
		return new FullTextIndex(Bm25Index.fromJSON(parsed.index), Bm25Index.fromJSON(parsed.pages), vocabulary, written);
	}

	toJSON(): string {
		return JSON.stringify({
			format: FORMAT,
			index: this.#search.toJSON(),
			pages: this.#pages.toJSON(),
			vocabulary: [...this.#vocabulary],
			written: [...this.#written]
		});
	}

	get size(): number {
		return this.#search.size;
	}

	has(chunkId: string): boolean {
		return this.#search.has(chunkId);
	}

	/** How many chunks hold this (folded) word. */
	frequency(word: string): number {
		return this.#vocabulary.get(word) ?? 0;
	}

	/**
	 * Adds chunks not yet indexed. A page's text is stitched from the chunks of that page given here, so
	 * pass every chunk of each page touched (those already indexed are skipped), not only the new ones.
	 */
	add(chunks: readonly IndexedChunk[]): void {
		const fresh = chunks.filter((c) => !this.#search.has(c.id));
		for (const chunk of fresh) this.#search.add(bm25Document(chunk));
		const freshIds = new Set(fresh.map((c) => c.id));
		const touched = new Set(fresh.map(pageId));
		const on = chunks.filter((c) => touched.has(pageId(c)));
		this.#putPages(
			on.filter((c) => !freshIds.has(c.id)),
			on
		);
		for (const chunk of fresh)
			for (const w of new Set(words(chunk.text))) this.#vocabulary.set(w, (this.#vocabulary.get(w) ?? 0) + 1);
		// Only words with letters that fold (accents, ł, ß) are written otherwise than their folded form.
		for (const chunk of fresh)
			if (FOLDING_LETTER.test(chunk.text))
				for (const [as] of chunk.text.matchAll(FOLDING_WORD)) {
					const term = words(as, false)[0];
					if (term !== undefined && !this.#written.has(term)) this.#written.set(term, as.toLowerCase());
				}
		if (fresh.length > 0) this.#pageSlotsCache = undefined;
	}

	/** Replaces the pages stitched from `before` with those stitched from `after` (the same pages' chunks). */
	#putPages(before: readonly IndexedChunk[], after: readonly IndexedChunk[]): void {
		for (const page of pagesOf(before)) this.#pages.remove(page.id, bm25Document(page).terms);
		for (const page of pagesOf(after)) {
			// A page indexed from chunks not passed here: drop it whole (slower, but rare).
			if (this.#pages.has(page.id)) this.#pages.remove(page.id);
			this.#pages.add(bm25Document(page));
		}
	}

	/**
	 * Removes chunks (their text is needed to keep the vocabulary counts right). `remaining` are the chunks
	 * still on the pages concerned, so those pages stay searchable with what is left of them.
	 */
	remove(chunks: readonly IndexedChunk[], remaining: readonly IndexedChunk[] = []): void {
		const present = chunks.filter((c) => this.#search.has(c.id));
		for (const chunk of present) this.#search.remove(chunk.id, bm25Document(chunk).terms);
		const gone = new Set(present.map((c) => c.id));
		const touched = new Set(present.map(pageId));
		const left = remaining.filter((c) => !gone.has(c.id) && touched.has(pageId(c)));
		this.#putPages([...left, ...present], left);
		if (present.length > 0) this.#pageSlotsCache = undefined;
		for (const chunk of present)
			for (const w of new Set(words(chunk.text))) {
				const n = (this.#vocabulary.get(w) ?? 0) - 1;
				if (n > 0) this.#vocabulary.set(w, n);
				else this.#vocabulary.delete(w);
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
		return this.searchCounted(query, options).hits;
	}

	/**
	 * `search`, with how many chunks match in all (`total`) and per document (`perDocument`), counted before
	 * the limit: the Search tab shows counts and loads further results as the person scrolls.
	 */
	searchCounted(
		query: string | ParsedQuery,
		options: { limit?: number; documentIds?: readonly string[]; textOf?: (id: string) => string | undefined } = {}
	): { hits: TextHit[]; total: number; perDocument: Record<string, number> } {
		const parsed = typeof query === 'string' ? parseQuery(query) : query;
		const phraseTerms = parsed.phrases.map((p) => p.map(indexTerm).filter((t): t is string => t !== null));
		const all = [...this.#withParts(parsed), ...phraseTerms.flat()];
		const prefixes = new Set(parsed.prefixes);
		let terms = [...new Set([...all, ...parsed.prefixes])];
		// Terms in most chunks add almost nothing to BM25 but make every search walk most of the index:
		// leave them out while a more telling term remains (phrase words stay, they are checked anyway).
		// Small indexes are fast anyway, and there a "common" word may be all that matches.
		const frequency = (t: string) => this.#search.documentFrequency(t);
		const common = (t: string) => frequency(t) > COMMON_TERM_SHARE * this.size;
		const phraseSet = new Set(phraseTerms.flat());
		if (this.size >= 1000 && terms.some((t) => !prefixes.has(t) && frequency(t) > 0 && !common(t)))
			terms = terms.filter((t) => prefixes.has(t) || phraseSet.has(t) || !common(t));
		if (terms.length === 0) return { hits: [], total: 0, perDocument: {} };
		const bm25Query = terms.map((term) => ({ term, prefix: prefixes.has(term) }));
		const documents = options.documentIds ? new Set(options.documentIds) : undefined;
		const chunks = this.#search;
		const raw = chunks.searchRaw(bm25Query, {
			...(documents ? { keep: (slot: number) => documents.has(chunks.documentIdOf(slot)) } : {}),
			required: [...phraseSet]
		});
		const pages = this.#pages.searchRaw(
			bm25Query,
			documents ? { keep: (slot: number) => documents.has(this.#pages.documentIdOf(slot)) } : {}
		);
		const pageScore = new Float64Array(this.#pages.slotCount);
		let pageMax = 1e-9;
		for (let i = 0; i < pages.count; i++) {
			pageScore[pages.slots[i]!] = pages.scores[i]!;
			pageMax = Math.max(pageMax, pages.scores[i]!);
		}
		let chunkMax = 1e-9;
		for (let i = 0; i < raw.count; i++) chunkMax = Math.max(chunkMax, raw.scores[i]!);
		const pageOf = this.#pageSlots();
		const combined = new Float64Array(raw.count);
		for (let i = 0; i < raw.count; i++) {
			const page = pageOf[raw.slots[i]!]!;
			combined[i] = raw.scores[i]! / chunkMax + (page >= 0 ? (PAGE_WEIGHT * pageScore[page]!) / pageMax : 0);
		}
		// Best first, ties by id (compared only when scores are equal).
		const before = (a: number, b: number) =>
			combined[a] !== combined[b]
				? combined[b]! - combined[a]!
				: chunks.idOf(raw.slots[a]!) < chunks.idOf(raw.slots[b]!)
					? -1
					: 1;
		// With a limit and no phrase to check, only the best `limit` need ordering.
		const checking = options.textOf !== undefined && parsed.phrases.length > 0;
		const ordered =
			options.limit !== undefined && !checking
				? best(combined, raw.count, options.limit, before)
				: Array.from({ length: raw.count }, (_, i) => i).sort(before);
		const hits: TextHit[] = [];
		const hitOf = (i: number): TextHit => {
			const slot = raw.slots[i]!;
			return {
				id: chunks.idOf(slot),
				documentId: chunks.documentIdOf(slot),
				page: chunks.pageOf(slot),
				score: combined[i]!,
				matched: termsOf(bm25Query, raw.masks[i]!)
			};
		};
		// Counted per document by number, not by id string: tens of thousands of matches on a big case.
		const counts = new Int32Array(chunks.documentCount);
		let total = 0;
		for (const i of ordered) {
			if (checking) {
				const text = options.textOf!(chunks.idOf(raw.slots[i]!));
				if (text === undefined || !parsed.phrases.every((p) => containsPhrase(text, p))) continue;
				total++;
				counts[chunks.documentNumberOf(raw.slots[i]!)]!++;
			}
			if (options.limit === undefined || hits.length < options.limit) hits.push(hitOf(i));
			else if (!checking) break;
		}
		if (!checking) {
			total = raw.count;
			for (let i = 0; i < raw.count; i++) counts[chunks.documentNumberOf(raw.slots[i]!)]!++;
		}
		const perDocument: Record<string, number> = {};
		for (let d = 0; d < counts.length; d++) if (counts[d]! > 0) perDocument[chunks.documentIdOfNumber(d)] = counts[d]!;
		return { hits, total, perDocument };
	}

	/** Chunk slot → slot of its page in the page index (-1: none); rebuilt after documents change. */
	#pageSlotsCache: Int32Array | undefined;
	#pageSlots(): Int32Array {
		if (this.#pageSlotsCache && this.#pageSlotsCache.length === this.#search.slotCount) return this.#pageSlotsCache;
		const out = new Int32Array(this.#search.slotCount).fill(-1);
		const known = new Map<string, number>();
		for (let slot = 0; slot < out.length; slot++) {
			if (!this.#search.isLive(slot)) continue;
			const id = `${this.#search.documentIdOf(slot)}#${this.#search.pageOf(slot)}`;
			let page = known.get(id);
			if (page === undefined) known.set(id, (page = this.#pages.slotOf(id)));
			out[slot] = page;
		}
		this.#pageSlotsCache = out;
		return out;
	}

	/**
	 * The query's terms, each word the case lacks that is two words it has written together ("audiotape",
	 * "filesharing", "webpage") searched as those two words. A compound written either way then finds
	 * the other; a misspelling rarely splits into two real words of the case, and those that do are
	 * searched by the words they contain, which is what the person typed.
	 */
	#withParts(parsed: ParsedQuery): string[] {
		const out: string[] = [];
		parsed.terms.forEach((term, i) => {
			const parts = this.#documentFrequency(term) === 0 ? this.compoundParts(parsed.words[i] ?? '') : undefined;
			if (!parts) return out.push(term);
			for (const part of parts) {
				const partTerm = indexTerm(part);
				if (partTerm !== null) out.push(partTerm);
			}
		});
		return out;
	}

	#documentFrequency(term: string): number {
		return this.#search.documentFrequency(term);
	}

	/**
	 * `word` as two words of the case written together, when the case lacks it: each part at least
	 * MIN_COMPOUND_PART letters, not a stop word, in `suggestMinChunks` chunks or more; of several splits,
	 * the one whose rarer part is most frequent.
	 */
	compoundParts(word: string): [string, string] | undefined {
		if (word.length < 2 * MIN_COMPOUND_PART || /\d/.test(word) || this.frequency(word) > 0) return undefined;
		const minChunks = suggestMinChunks(this.size);
		let best: { parts: [string, string]; weakest: number } | undefined;
		for (let at = MIN_COMPOUND_PART; at <= word.length - MIN_COMPOUND_PART; at++) {
			const parts: [string, string] = [word.slice(0, at), word.slice(at)];
			if (parts.some((part) => STOP_WORDS.has(part))) continue;
			const weakest = Math.min(this.frequency(parts[0]), this.frequency(parts[1]));
			if (weakest >= minChunks && (!best || weakest > best.weakest)) best = { parts, weakest };
		}
		return best?.parts;
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
			if (this.frequency(word) > 0 || this.#search.documentFrequency(parsed.terms[i]!) > 0) return;
			// Found as the two words it joins: not a misspelling.
			if (this.compoundParts(word)) return;
			out.push(word);
		});
		return out;
	}

	/**
	 * "Did you mean": for each word the case lacks (`unknownWords`) that is not a word of the language
	 * (`isWord`: a misspelling or a misspelt name, not a real word the case happens not to use), the case's
	 * closest spelling, when it is close (`maxEditDistance`) and frequent enough (`suggestMinChunks`). Returns the corrected query, or undefined when nothing needs correcting.
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
		for (const { word, suggestion } of corrections)
			corrected = rewrite(corrected, word, this.#written.get(suggestion) ?? suggestion);
		// Never offer what was typed as its own correction.
		if (corrected === query) return undefined;
		return { query: corrected, corrections };
	}

	/** The closest word of the vocabulary: fewest edits, then most chunks, then same first letter, then a-z. */
	#closest(word: string): string | undefined {
		const limit = maxEditDistance(word);
		const minChunks = suggestMinChunks(this.size);
		let best: { word: string; rank: [number, number, number] } | undefined;
		for (const [candidate, count] of this.#vocabulary) {
			if (count < minChunks || Math.abs(candidate.length - word.length) > limit || /\d/.test(candidate)) continue;
			const distance = editDistance(word, candidate, limit);
			if (distance > limit) continue;
			const rank: [number, number, number] = [distance, -count, candidate[0] === word[0] ? 0 : 1];
			if (!best || before(rank, candidate, best.rank, best.word)) best = { word: candidate, rank };
		}
		return best?.word;
	}
}

function pageId(chunk: IndexedChunk): string {
	return `${chunk.documentId}#${chunk.page}`;
}

function before(a: readonly number[], aWord: string, b: readonly number[], bWord: string): boolean {
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
	return aWord < bWord;
}

/** Latin letters with marks, Greek and Cyrillic: what `fold` changes (a cheap test before the word scan). */
const FOLDING_LETTER = /[\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]/;
const FOLDING_WORD = /[\p{L}\p{N}]*[\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff][\p{L}\p{N}]*/gu;

/** Shorter words have too many close neighbours to guess from. */
export const MIN_SUGGEST_LENGTH = 4;
/** Parts of a split compound are real words: shorter pieces ("re", "un", "ab") split almost anything. */
export const MIN_COMPOUND_PART = 3;

/**
 * A suggestion must be much more frequent than the absent word (0 chunks): in a case of at least
 * `SUGGEST_LARGE_CASE` chunks, it must occur in two or more, so a one-off OCR slip is never offered as the
 * "right" spelling; in a smaller case one occurrence already stands out.
 */
export const SUGGEST_LARGE_CASE = 100;
export function suggestMinChunks(caseChunks: number): number {
	return caseChunks >= SUGGEST_LARGE_CASE ? 2 : 1;
}

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
				text += c.text.slice(cleanOffset(c.shifts, Math.max(0, covered - c.start)));
				covered = c.end;
			}
		}
		return { id, documentId: list[0]!.documentId, page: list[0]!.page, text };
	});
}

/** The `limit` first items under `before`, in order, without sorting everything. */
/**
 * The best `limit` of `count` scored entries, in order: a bounded insertion over the scores, comparing ids
 * (`before`) only on a tie, so most entries cost one comparison with the current last place.
 */
function best(scores: Float64Array, count: number, limit: number, before: (a: number, b: number) => number): number[] {
	const top: number[] = [];
	if (limit <= 0) return top;
	for (let item = 0; item < count; item++) {
		if (top.length === limit) {
			const last = top[limit - 1]!;
			if (scores[item]! < scores[last]! || (scores[item] === scores[last] && before(item, last) >= 0)) continue;
		}
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

/**
 * Keeps the capitalisation the person typed: "Causbey" → "Causby", "SARNOV" → "SARNOFF", and capitals
 * inside a name where the letters line up ("McAlister" → "McAllister", "O’Brian" → "O’Brien").
 */
function matchCase(original: string, suggestion: string): string {
	if (original.length > 1 && original === original.toUpperCase()) return suggestion.toUpperCase();
	const out = [...suggestion];
	[...original].forEach((c, i) => {
		if (i < out.length && c !== c.toLowerCase() && fold(c) === fold(out[i]!)) out[i] = out[i]!.toUpperCase();
	});
	if (original[0] !== undefined && original[0] !== original[0].toLowerCase()) out[0] = out[0]!.toUpperCase();
	return out.join('');
}

/**
 * `query` with every typed form of `word` (the folded word the index saw: "o’brian" for "O’Brian",
 * "codefendent" for "co-defendent", "ngyuen" in "Ngyuen's") replaced by `suggestion`, shaped as typed:
 * its capitals, its hyphen after a short prefix, its apostrophe, a possessive kept.
 */
function rewrite(query: string, word: string, suggestion: string): string {
	let out = '';
	let at = 0;
	for (const token of tokens(query)) {
		if (token.start < at) continue;
		const possessive = token.term === `${word}'s`;
		if (token.term !== word && !possessive) continue;
		const end = possessive ? token.end - 2 : token.end;
		out += query.slice(at, token.start) + shaped(query.slice(token.start, end), suggestion);
		at = end;
	}
	return out + query.slice(at);
}

function shaped(typed: string, suggestion: string): string {
	let next = suggestion;
	const hyphen = /^(\p{L}{1,2})([-\u2010])/u.exec(typed);
	if (hyphen && fold(suggestion).startsWith(fold(hyphen[1]!)))
		next = `${suggestion.slice(0, hyphen[1]!.length)}${hyphen[2]}${suggestion.slice(hyphen[1]!.length)}`;
	if (typed.includes('’')) next = next.replace(/'/g, '’');
	return matchCase(typed, next);
}
