/**
 * The quotation check shared by chat answers, summaries and reports: every "…" or “…” quotation that an
 * answer attributes to a `[n]` citation is looked up in the passage it cites. Only differences that
 * printing and extraction introduce are forgiven: whitespace and line breaks, line-end hyphenation
 * ("unconsti- tutional"), quote-mark and apostrophe variants, ligatures and other NFKC compatibility
 * forms, invisible characters, and the quotation's own closing punctuation. Anything else (one word
 * changed) is `not-found`, with the closest text of any passage so the reader sees what it really says.
 */

/** The passages an answer may cite, by their `[n]`. */
export interface QuotablePassage {
	n: number;
	text: string;
}

export type QuotationStatus = 'verified' | 'not-found' | 'bad-citation';

export interface ClosestMatch {
	/** The passage holding it. */
	n: number;
	/** The passage's own text for the best-matching stretch (original characters, not normalised). */
	text: string;
	/** 1 − edit distance ÷ quotation length, on normalised text: 1 is an exact match. */
	similarity: number;
}

export interface QuotationCheck {
	/** The quotation as written in the answer, without its quote marks. */
	quote: string;
	/** Character range of the quotation in the answer, quote marks included. */
	start: number;
	end: number;
	/** The citation numbers the quotation is attributed to. */
	citations: number[];
	status: QuotationStatus;
	/** For `verified`: the cited passage that contains it. */
	verifiedIn?: number;
	/** For `bad-citation`: the cited numbers that name no passage. */
	missing?: number[];
	/** For `not-found` (and `bad-citation`): the closest text in any passage, when one is close enough. */
	closest?: ClosestMatch;
}

export interface QuotationOptions {
	/** Least similarity for a `closest` match to be reported (default 0.6). */
	minSimilarity?: number;
	/**
	 * The citations a quotation with no marker in its sentence is held to: a summary of one document
	 * quotes that document without citing it. Without this, such quotations are left out.
	 */
	unattributed?: readonly number[];
	/**
	 * Names that may appear in quotation marks without being quotations: a summary names a document
	 * “lease.pdf” as its prompt did. A quote that is exactly one of these is not checked.
	 */
	titles?: readonly string[];
}

/** `[3]`, `[1, 2]`, `[2-4]`: the same citation markers `parseAnswer` links. */
const MARKER = /\[(\d+(?:\s*[-–,]\s*\d+)*)\]/g;

function citationNumbers(inner: string): number[] {
	const out: number[] = [];
	for (const part of inner.split(',')) {
		const [a, b] = part.split(/[-–]/).map((s) => Number.parseInt(s.trim(), 10));
		if (a === undefined || Number.isNaN(a)) continue;
		if (b === undefined || Number.isNaN(b)) out.push(a);
		else for (let n = a; n <= Math.min(b, a + 50); n++) out.push(n);
	}
	return out;
}

/** Text normalised for comparison, with the original index of each of its characters. */
interface Normalised {
	text: string;
	/** `origin[i]` is the index in the source of `text[i]`; one extra entry holds the source length. */
	origin: number[];
}

const QUOTE_VARIANTS: Record<string, string> = {
	'\u2018': "'",
	'\u2019': "'",
	'\u201A': "'",
	'\u201B': "'",
	'\u2032': "'",
	'\u0060': "'",
	'\u00B4': "'",
	'\u201C': '"',
	'\u201D': '"',
	'\u201E': '"',
	'\u201F': '"',
	'\u2033': '"',
	'\u00AB': '"',
	'\u00BB': '"'
};
const INVISIBLE = /[\u00AD\u200B-\u200D\u2060\uFEFF]/;
const LETTER = /\p{L}/u;
const WORD = /[\p{L}\p{N}\p{M}]/u;
const HYPHEN = /[-\u2010\u2011]/;

/**
 * Normalises for comparison, keeping the way back to the source. NFKC runs per character with its
 * combining marks (so ligatures such as "ﬁ" become "fi", accents compose, and the map stays exact); a
 * hyphen between letters, with or without a line break after it, is dropped on both sides, so "unconsti-\ntutional", "unconsti- tutional" and
 * "unconstitutional" compare equal (and "self-\nexecuting" still matches "self-executing").
 */
export function normaliseForQuote(source: string): Normalised {
	let text = '';
	const origin: number[] = [];
	// A base character with its combining marks is one unit, so "e\u0301" and "é" normalise alike.
	const chars = source.match(/\P{M}\p{M}*|\p{M}+/gsu) ?? [];
	const offsets: number[] = [];
	let offset = 0;
	for (const c of chars) {
		offsets.push(offset);
		offset += c.length;
	}
	let pendingSpace = -1;
	for (let i = 0; i < chars.length; i++) {
		const raw = chars[i]!;
		const at = offsets[i]!;
		if (INVISIBLE.test(raw)) continue;
		if (/\s/u.test(raw)) {
			if (pendingSpace < 0) pendingSpace = at;
			continue;
		}
		if (HYPHEN.test(raw) && LETTER.test(text.at(-1) ?? '')) {
			let j = i + 1;
			while (j < chars.length && (/\s/u.test(chars[j]!) || INVISIBLE.test(chars[j]!))) j++;
			if (j < chars.length && LETTER.test(chars[j]!)) {
				pendingSpace = -1;
				i = j - 1;
				continue;
			}
		}
		if (pendingSpace >= 0 && text.length > 0) {
			text += ' ';
			origin.push(pendingSpace);
		}
		pendingSpace = -1;
		const mapped = QUOTE_VARIANTS[raw] ?? raw.normalize('NFKC');
		for (const m of mapped) {
			text += m;
			origin.push(at);
		}
	}
	origin.push(source.length);
	return { text, origin };
}

interface Found {
	quote: string;
	start: number;
	end: number;
}

/** Double-quoted stretches: straight quotes pair in order, curly ones open with “ and close with ”. */
function findQuotations(answer: string): Found[] {
	const out: Found[] = [];
	const re = /“([^“”]+)”|"([^"]+)"/g;
	for (const m of answer.matchAll(re)) {
		const quote = m[1] ?? m[2] ?? '';
		if (!/\p{L}/u.test(quote)) continue;
		out.push({ quote, start: m.index, end: m.index + m[0].length });
	}
	return out;
}

/** A sentence ends at . ! ? followed by space and a capital, or at a line break. */
const SENTENCE_END = /[.!?]\s+(?=\p{Lu})|\n/u;

/**
 * The citations a quotation is attributed to: the first marker after it in the same sentence (before the
 * next quotation), else the last marker before it in the same sentence ("As [2] puts it, "…"").
 */
function attribution(answer: string, q: Found, prevEnd: number, nextStart: number): number[] {
	const after = answer.slice(q.end, nextStart);
	for (const m of after.matchAll(MARKER)) {
		if (SENTENCE_END.test(after.slice(0, m.index))) break;
		return citationNumbers(m[1]!);
	}
	const before = answer.slice(prevEnd, q.start);
	let last: number[] = [];
	for (const m of before.matchAll(MARKER)) {
		if (SENTENCE_END.test(before.slice(m.index + m[0].length))) continue;
		last = citationNumbers(m[1]!);
	}
	return last;
}

/**
 * Approximate substring match (Sellers): the stretch of `text` with the least edit distance to
 * `pattern`, found in O(|pattern|·|text|) time and O(|text|) memory.
 */
function bestWindow(pattern: string, text: string): { distance: number; start: number; end: number } {
	const m = pattern.length;
	const n = text.length;
	let prev = new Array<number>(n + 1).fill(0);
	let prevStart = Array.from({ length: n + 1 }, (_, j) => j);
	let cur = new Array<number>(n + 1).fill(0);
	let curStart = new Array<number>(n + 1).fill(0);
	for (let i = 1; i <= m; i++) {
		cur[0] = i;
		curStart[0] = 0;
		const pc = pattern.charCodeAt(i - 1);
		for (let j = 1; j <= n; j++) {
			const sub = prev[j - 1]! + (pc === text.charCodeAt(j - 1) ? 0 : 1);
			const del = prev[j]! + 1;
			const ins = cur[j - 1]! + 1;
			if (sub <= del && sub <= ins) {
				cur[j] = sub;
				curStart[j] = prevStart[j - 1]!;
			} else if (del <= ins) {
				cur[j] = del;
				curStart[j] = prevStart[j]!;
			} else {
				cur[j] = ins;
				curStart[j] = curStart[j - 1]!;
			}
		}
		[prev, cur] = [cur, prev];
		[prevStart, curStart] = [curStart, prevStart];
	}
	let best = { distance: m, start: 0, end: 0 };
	for (let j = 1; j <= n; j++)
		if (prev[j]! < best.distance) best = { distance: prev[j]!, start: prevStart[j]!, end: j };
	return best;
}

/** The quotation as compared: normalised, its own closing punctuation dropped ("…void." quoting "void,"). */
function comparable(quote: string): string {
	return normaliseForQuote(quote)
		.text.replace(/[.,;:!?]+$/u, '')
		.trim();
}

/** Parts of a quotation split at an ellipsis (an omission the quoter marked); each must appear, in order. */
function parts(quote: string): string[] {
	return quote
		.split(/\s*(?:\.\s?\.\s?\.|…)\s*/u)
		.map(comparable)
		.filter((p) => p.length > 0);
}

function containsInOrder(haystack: string, needles: readonly string[]): boolean {
	let from = 0;
	for (const needle of needles) {
		const at = haystack.indexOf(needle, from);
		if (at < 0) return false;
		from = at + needle.length;
	}
	return true;
}

/**
 * Checks every attributed quotation in `answer` against the passages it cites. Quotations with no
 * citation in their sentence are not claims about a passage and are left out.
 */
export function checkQuotations(
	answer: string,
	passages: readonly QuotablePassage[],
	options: QuotationOptions = {}
): QuotationCheck[] {
	const minSimilarity = options.minSimilarity ?? 0.6;
	const normalised = new Map(passages.map((p) => [p.n, { passage: p, norm: normaliseForQuote(p.text) }]));
	const found = findQuotations(answer);
	const titles = new Set((options.titles ?? []).map((t) => parts(t).join(' ')).filter((t) => t !== ''));
	const out: QuotationCheck[] = [];
	for (const [i, q] of found.entries()) {
		const attributed = attribution(answer, q, found[i - 1]?.end ?? 0, found[i + 1]?.start ?? answer.length);
		const citations = attributed.length > 0 ? attributed : [...(options.unattributed ?? [])];
		if (citations.length === 0) continue;
		const needles = parts(q.quote);
		if (needles.length === 0 || titles.has(needles.join(' '))) continue;
		const base = { quote: q.quote, start: q.start, end: q.end, citations };
		const missing = citations.filter((n) => !normalised.has(n));
		const verifiedIn = citations.find((n) => {
			const entry = normalised.get(n);
			return entry !== undefined && containsInOrder(entry.norm.text, needles);
		});
		if (missing.length === 0 && verifiedIn !== undefined) {
			out.push({ ...base, status: 'verified', verifiedIn });
			continue;
		}
		const needle = needles.join(' ');
		const closest = closestMatch(needle, likeliest(needle, [...normalised.values()]), minSimilarity);
		out.push({
			...base,
			status: missing.length > 0 ? 'bad-citation' : 'not-found',
			...(missing.length > 0 ? { missing } : {}),
			...(closest ? { closest } : {})
		});
	}
	return out;
}

/** Beyond this many passages, the closest text is looked for only in those sharing most words with the quote. */
const CLOSEST_CANDIDATES = 8;

/**
 * The passages worth an edit-distance search for `needle`: all of a few, or, of many (a whole case),
 * the CLOSEST_CANDIDATES that share most of its words, since that search costs the passage's length
 * times the quote's.
 */
function likeliest(
	needle: string,
	entries: readonly { passage: QuotablePassage; norm: Normalised }[]
): readonly { passage: QuotablePassage; norm: Normalised }[] {
	if (entries.length <= CLOSEST_CANDIDATES) return entries;
	const words = [...new Set(needle.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [])];
	if (words.length === 0) return entries.slice(0, CLOSEST_CANDIDATES);
	const scored = entries.map((entry) => {
		const text = entry.norm.text.toLowerCase();
		return { entry, shared: words.filter((w) => text.includes(w)).length };
	});
	return scored
		.filter((s) => s.shared > 0)
		.sort((a, b) => b.shared - a.shared)
		.slice(0, CLOSEST_CANDIDATES)
		.map((s) => s.entry);
}

function closestMatch(
	needle: string,
	entries: readonly { passage: QuotablePassage; norm: Normalised }[],
	minSimilarity: number
): ClosestMatch | undefined {
	let best: ClosestMatch | undefined;
	for (const { passage, norm } of entries) {
		const w = bestWindow(needle, norm.text);
		const similarity = 1 - w.distance / needle.length;
		if (similarity < minSimilarity || (best && similarity <= best.similarity)) continue;
		// The window's edges are wherever the edit distance is least; widen them to whole words for reading.
		let from = norm.origin[w.start]!;
		let to = w.end > 0 ? norm.origin[w.end - 1]! + 1 : from;
		while (from > 0 && WORD.test(passage.text[from - 1]!)) from--;
		while (to < passage.text.length && WORD.test(passage.text[to]!)) to++;
		best = { n: passage.n, text: passage.text.slice(from, to), similarity: Math.round(similarity * 1000) / 1000 };
	}
	return best;
}
