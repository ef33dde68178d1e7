/**
 * How text becomes search terms, shared by indexing, querying, highlighting and "did you mean", so a word
 * is cut the same way everywhere.
 */

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

/**
 * A compound led by a prefix of one or two letters ("re-register", "co-defendant", "e-mail"). The text
 * indexes its parts and the joined word, so "codefendant", "co-defendant" and "defendant" all find it;
 * a query searches the joined word only, since "re" or "co" alone would match every "In re" and "Co.".
 */
const SHORT_PREFIX = /(?<![\p{L}\p{N}'’-])(\p{L}{1,2})[-\u2010](\p{L}{3,})/gu;

function joinShortPrefixes(text: string): string {
	return text.replace(SHORT_PREFIX, '$1$2');
}

/**
 * Letters that carry their mark inside them, so decomposition leaves them as they are: "Łukasiewicz",
 * "Øverby", "Đorđević" and "Straße" must be found as typed on an English keyboard.
 */
const UNDECOMPOSED: Readonly<Record<string, string>> = {
	ł: 'l',
	ø: 'o',
	đ: 'd',
	ð: 'd',
	ħ: 'h',
	ı: 'i',
	ŧ: 't',
	ß: 'ss',
	æ: 'ae',
	œ: 'oe',
	þ: 'th'
};

/** Lower-case, without diacritics, straight apostrophes: "Côté’s" → "cote's", "Łódź" → "lodz". */
export function fold(text: string): string {
	const lower = text.toLowerCase();
	// Most text is plain ASCII; Unicode normalisation is the expensive part of indexing.
	if (ASCII.test(lower)) return lower;
	return lower
		.normalize('NFKD')
		.replace(/\p{M}+/gu, '')
		.replace(/[łøđðħıŧßæœþ]/g, (c) => UNDECOMPOSED[c]!)
		.replace(/’/g, "'");
}

const ASCII = /^[ -~\t\n\r\f]*$/;

export interface Token {
	/** The folded word. */
	term: string;
	/** Character range in the original text (for highlighting). */
	start: number;
	end: number;
}

/** Words of `text` with their positions in it. Folding keeps lengths except for rare ligatures, so positions come from the original. */
export function tokens(text: string): Token[] {
	const out: Token[] = [];
	for (const match of text.matchAll(WORD))
		out.push({ term: fold(match[0]), start: match.index, end: match.index + match[0].length });
	const joined = [...text.matchAll(SHORT_PREFIX)];
	if (joined.length === 0) return out;
	for (const m of joined) out.push({ term: fold(m[1]! + m[2]!), start: m.index, end: m.index + m[0].length });
	return out.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** Folded words of `text`; with `joined`, short-prefix compounds also as one word (after the others). */
export function words(text: string, joined = true): string[] {
	const out: string[] = fold(text).match(WORD) ?? [];
	if (joined) for (const m of text.matchAll(SHORT_PREFIX)) out.push(fold(m[1]! + m[2]!));
	for (let i = 0; i < out.length; i++) if (out[i]!.endsWith("'s")) out[i] = out[i]!.slice(0, -2);
	return out;
}

/** Words too common to say anything about a passage (and the question words people type). */
export const STOP_WORDS: ReadonlySet<string> = new Set(
	(
		'a about above after again against all am an and any are as at be because been before being below between both but by can could ' +
		'did do does doing down during each few for from further had has have having he her here hers herself him himself his how i if in ' +
		'into is it its itself just me more most my myself no nor not of off on once only or other our ours ourselves out over own same ' +
		'she should so some such than that the their theirs them themselves then there these they this those through to too under until ' +
		'up very was we were what when where which while who whom why will with would you your yours yourself yourselves'
	).split(' ')
);

/**
 * A light English stemmer (plural and common verb/adjective endings): "licenses", "licensing" and
 * "licensed" meet at "licens". Deliberately conservative: a wrong merge costs precision everywhere.
 */
export function stem(word: string): string {
	if (word.length <= 3 || /\d/.test(word)) return word;
	let w = word;
	if (w.endsWith("'s")) w = w.slice(0, -2);
	if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
	else if (w.endsWith('sses')) w = w.slice(0, -2);
	else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is') && w.length > 3)
		w = w.slice(0, -1);
	for (const suffix of ['ingly', 'edly', 'ing', 'ed']) {
		if (w.endsWith(suffix) && w.length - suffix.length >= 3 && /[aeiouy]/.test(w.slice(0, -suffix.length))) {
			w = w.slice(0, -suffix.length);
			if (/([^aeiouslz])\1$/.test(w)) w = w.slice(0, -1);
			break;
		}
	}
	if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
	if (w.endsWith('y') && w.length > 3) w = `${w.slice(0, -1)}i`;
	return w;
}

const termCache = new Map<string, string | null>();

/** The term an index stores for a word, or null for a stop word. Memoised: indexing calls it per token. */
export function indexTerm(word: string): string | null {
	let term = termCache.get(word);
	if (term !== undefined) return term;
	const w = word.endsWith("'s") ? word.slice(0, -2) : word;
	term = w.length === 0 || STOP_WORDS.has(w) ? null : stem(w);
	if (termCache.size > 200_000) termCache.clear();
	termCache.set(word, term);
	return term;
}

export interface ParsedQuery {
	/** Folded words as typed, without stop words (for "did you mean"). */
	words: string[];
	/** Index terms of plain words. */
	terms: string[];
	/** Words ending in `*`: matched as prefixes of index terms (folded, not stemmed). */
	prefixes: string[];
	/** Quoted phrases: each the folded words that must appear in this order. */
	phrases: string[][];
}

/** Plain words, `prefix*` and `"quoted phrases"`. */
export function parseQuery(query: string): ParsedQuery {
	const parsed: ParsedQuery = { words: [], terms: [], prefixes: [], phrases: [] };
	const rest = query.replace(/["“”]([^"“”]+)["“”]/g, (_, phrase: string) => {
		// A phrase is matched word by word as written (see `containsPhrase`).
		const phraseWords = words(phrase, false);
		if (phraseWords.length > 0) parsed.phrases.push(phraseWords);
		return ' ';
	});
	for (const raw of joinShortPrefixes(rest).split(/\s+/)) {
		if (raw.length === 0) continue;
		const isPrefix = /[\p{L}\p{N}]\*$/u.test(raw);
		for (const w of words(raw)) {
			if (isPrefix && raw.endsWith(`${w}*`)) {
				parsed.prefixes.push(w);
				continue;
			}
			const term = indexTerm(w);
			if (term === null) continue;
			parsed.words.push(w);
			parsed.terms.push(term);
		}
	}
	return parsed;
}

/** Whether `text` holds the words of `phrase` consecutively (ignoring case, diacritics and punctuation). */
export function containsPhrase(text: string, phrase: readonly string[]): boolean {
	if (phrase.length === 0) return true;
	const list = words(text, false);
	outer: for (let i = 0; i + phrase.length <= list.length; i++) {
		for (let j = 0; j < phrase.length; j++) if (list[i + j] !== phrase[j]) continue outer;
		return true;
	}
	return false;
}
