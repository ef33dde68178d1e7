import { ModelNeededError } from '../errors.ts';
import type { PassageLocation } from '../ingest/location.ts';
import type { FullTextIndex, TextHit } from './full-text.ts';
import { dehyphenate } from './snippet.ts';
import { englishWords, isEnglishWord } from './spelling.ts';
import { indexTerm, parseQuery, tokens, type ParsedQuery } from './terms.ts';
import type { Embedder, VectorHit } from './types.ts';

export type SearchMode = 'lexical' | 'semantic' | 'hybrid';

/** The chunk fields a result shows (a document without pages locates it by paragraph or header block). */
export interface PassageSource extends PassageLocation {
	id: string;
	documentId: string;
	page: number;
	start: number;
	end: number;
	/** The reader's text of the passage (`PageChunk.text`). */
	text: string;
	/** Where `text` and the page text differ: map offsets with `pageRange` (`reader-text.ts`). */
	shifts?: readonly number[];
	/** The page's printed label and Bates stamp, when known (`formatPage` names the page). */
	label?: string;
	bates?: string;
}

export interface Passage extends PassageSource {
	score: number;
	/** Ranges within `text` to mark: the words that matched the query. */
	highlights: [number, number][];
}

export interface SearchResponse {
	query: string;
	/** The "did you mean" query, when a word matched little and a close spelling is common in the case. */
	suggestion?: string;
	results: Passage[];
	/**
	 * How many passages match in all (lexical: every chunk holding a query word, or the phrase; semantic
	 * and hybrid: the candidates ranked), and per document id: `results` holds the first `k` of them.
	 */
	total?: number;
	perDocument?: Record<string, number>;
	/** Search operators that could not be read (`operators.ts`), in words. */
	problems?: string[];
}

export interface SearchBackend {
	text: FullTextIndex;
	/** Exact top-k chunk ids for a query vector; absent when no vectors exist for the embedder's model. */
	vectors?: (query: Float32Array, k: number) => Promise<VectorHit[]>;
	chunks: (ids: readonly string[]) => Promise<(PassageSource | undefined)[]>;
	/** The language's words, which "did you mean" never corrects (default: the English word list). */
	englishWords?: () => Promise<ReadonlySet<string>>;
}

export interface SearchOptions {
	k?: number;
	mode?: SearchMode;
	embedder?: Embedder;
	/** Only these documents (the Search tab's document filter). */
	documentIds?: readonly string[];
}

/** Reciprocal rank fusion's constant: ranks deep in either list still count, the head dominates. */
export const RRF_K = 60;

/** Fuses ranked lists: score(id) = Σ 1 / (RRF_K + rank), rank from 1; ties by id. */
export function reciprocalRankFusion(lists: readonly (readonly string[])[]): { id: string; score: number }[] {
	const scores = new Map<string, number>();
	for (const list of lists) list.forEach((id, i) => scores.set(id, (scores.get(id) ?? 0) + 1 / (RRF_K + i + 1)));
	return [...scores]
		.map(([id, score]) => ({ id, score }))
		.sort((a, b) => (a.score !== b.score ? b.score - a.score : a.id < b.id ? -1 : 1));
}

/**
 * Ranges of `text` whose words match the query's terms, prefixes or phrase words. Words split at a line
 * end ("deliv- ery") are read joined, and their range spans both halves.
 */
export function highlightRanges(text: string, query: ParsedQuery): [number, number][] {
	const terms = new Set([
		...query.terms,
		...query.phrases
			.flat()
			.map(indexTerm)
			.filter((t): t is string => t !== null)
	]);
	const joined = dehyphenate(text);
	const out: [number, number][] = [];
	for (const token of tokens(joined.text)) {
		const term = indexTerm(token.term);
		if ((term !== null && terms.has(term)) || query.prefixes.some((p) => token.term.startsWith(p)))
			out.push([joined.from[token.start]!, joined.from[token.end - 1]! + 1]);
	}
	return out;
}

/**
 * One search over a case: lexical (BM25), semantic (exact vector top-k) or hybrid (both, fused by
 * reciprocal rank), plus "did you mean". Lexical mode needs no model at all.
 */
export async function searchCase(
	backend: SearchBackend,
	query: string,
	options: SearchOptions = {}
): Promise<SearchResponse> {
	const k = Math.max(0, Math.floor(options.k ?? 10));
	const mode = options.mode ?? 'lexical';
	const parsed = parseQuery(query);
	const response: SearchResponse = { query, results: [] };
	// The word list loads only when a word is missing from the case: most queries never need it.
	if (backend.text.unknownWords(query).length > 0) {
		const english = await (backend.englishWords ?? englishWords)();
		const suggestion = backend.text.suggest(query, { isWord: (w) => isEnglishWord(english, w) });
		if (suggestion) response.suggestion = suggestion.query;
	}
	if (k === 0) return response;
	const documents = options.documentIds ? new Set(options.documentIds) : undefined;
	// Both lists run deeper than k so fusion has something to fuse and phrase checks something to drop.
	const depth = Math.max(50, 5 * k);

	let lexical: TextHit[] = [];
	let counted: { total: number; perDocument: Record<string, number> } | undefined;
	if (mode !== 'semantic') {
		const filter = documents ? { documentIds: [...documents] } : {};
		let found = backend.text.searchCounted(parsed, {
			...filter,
			...(parsed.phrases.length === 0 ? { limit: depth } : {})
		});
		if (parsed.phrases.length > 0) {
			const sources = await backend.chunks(found.hits.map((h) => h.id));
			const byId = new Map(sources.filter((s): s is PassageSource => s !== undefined).map((s) => [s.id, s.text]));
			found = backend.text.searchCounted(parsed, { textOf: (id) => byId.get(id), ...filter });
		}
		lexical = found.hits.slice(0, depth);
		counted = found;
	}

	let semantic: VectorHit[] = [];
	if (mode !== 'lexical') {
		if (!options.embedder) throw new ModelNeededError(mode);
		const [vector] = await options.embedder.embed([query]);
		if (vector && backend.vectors) semantic = await backend.vectors(vector, documents ? depth * 10 : depth);
	}

	let ranked: { id: string; score: number }[];
	if (mode === 'lexical') ranked = lexical.map((h) => ({ id: h.id, score: h.score }));
	else if (mode === 'semantic') ranked = semantic;
	else ranked = reciprocalRankFusion([lexical.map((h) => h.id), semantic.map((h) => h.id)]);

	if (mode === 'lexical' && counted) {
		response.total = counted.total;
		response.perDocument = counted.perDocument;
	} else response.total = ranked.length;
	const wanted = ranked.slice(0, documents ? ranked.length : k);
	const sources = await backend.chunks(wanted.map((r) => r.id));
	for (let i = 0; i < wanted.length && response.results.length < k; i++) {
		const source = sources[i];
		if (!source || (documents && !documents.has(source.documentId))) continue;
		response.results.push({ ...source, score: wanted[i]!.score, highlights: highlightRanges(source.text, parsed) });
	}
	// Semantic and hybrid lists rank every document: with a filter, only what passed it counts.
	if (mode !== 'lexical' && documents)
		response.total = sources.filter((s) => s !== undefined && documents.has(s.documentId)).length;
	return response;
}
