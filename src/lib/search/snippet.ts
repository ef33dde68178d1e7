/** A piece of a snippet: plain text or a matched word to mark. */
export interface SnippetPart {
	text: string;
	marked: boolean;
}

/**
 * A word hyphenated across a line end ("appar- ently", "unconsti-\ntutional", or a soft hyphen): two
 * letters, a hyphen, line space (not a blank line), a lower-case letter. Not a suspended compound ("pre-
 * and post-war", "Ein- und Ausfuhr"), nor a lone letter ("Exhibit A- the").
 */
const SPLIT_HYPHEN =
	/(?<=\p{L}\p{L})(?:[-‐](?:[ \t]+|[ \t]*\r?\n[ \t]*)|\u00AD[ \t]*(?:\r?\n[ \t]*)?)(?=\p{Ll})(?!(?:and|or|nor|to|but|versus|vs|und|oder|bis|et|ou|y|o)\b)/gu;

/** How far a cut may move to reach a space: text without spaces (CJK, a long address) is cut where it is. */
const MAX_STRETCH = 30;

/**
 * Text as a reader sees it, with words split at a line end joined again, and where each character of the
 * result came from (`from[i]` is its index in `text`; `from[result.length]` is `text.length`), so ranges
 * found in the original can be carried over. Chunks whose text ingestion already de-hyphenated come back
 * unchanged. (A fallback for snippets: ingestion owns de-hyphenation of the stored text.)
 */
export function dehyphenate(text: string): { text: string; from: number[] } {
	const from: number[] = [];
	let out = '';
	let at = 0;
	for (const match of text.matchAll(SPLIT_HYPHEN)) {
		for (let i = at; i < match.index; i++) from.push(i);
		out += text.slice(at, match.index);
		at = match.index + match[0].length;
	}
	for (let i = at; i < text.length; i++) from.push(i);
	out += text.slice(at);
	from.push(text.length);
	return { text: out, from };
}

/** Index in the de-hyphenated text of an index in the original (the first character at or after it). */
function toJoined(from: readonly number[], index: number): number {
	let lo = 0;
	let hi = from.length - 1;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (from[mid]! < index) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

const WORD_CHAR = /[\p{L}\p{N}'’]/u;

/**
 * Highlight ranges carried into de-hyphenated text and widened to whole words (a match on "unconsti" of
 * "unconsti- tutional" marks "unconstitutional"), merged where they touch.
 */
export function joinedHighlights(
	original: string,
	highlights: readonly [number, number][]
): { text: string; highlights: [number, number][] } {
	const { text, from } = dehyphenate(original);
	const out: [number, number][] = [];
	for (const [s, e] of [...highlights].sort((a, b) => a[0] - b[0])) {
		let start = toJoined(from, s);
		let end = toJoined(from, e);
		while (start > 0 && WORD_CHAR.test(text[start - 1]!)) start--;
		while (end < text.length && WORD_CHAR.test(text[end]!)) end++;
		if (end <= start) continue;
		const last = out.at(-1);
		if (last && start <= last[1]) last[1] = Math.max(last[1], end);
		else out.push([start, end]);
	}
	return { text, highlights: out };
}

/**
 * The start of the window of `length` characters that holds the most highlights (ties: the earliest),
 * with those highlights centred in it.
 */
function windowStart(textLength: number, highlights: readonly [number, number][], length: number): number {
	if (highlights.length === 0 || textLength <= length) return 0;
	let bestFirst = 0;
	let bestLast = 0;
	for (let i = 0, j = 0; i < highlights.length; i++) {
		j = Math.max(j, i);
		while (j + 1 < highlights.length && highlights[j + 1]![1] - highlights[i]![0] <= length) j++;
		if (j - i > bestLast - bestFirst) {
			bestFirst = i;
			bestLast = j;
		}
	}
	const centre =
		(highlights[bestFirst]![0] + Math.min(highlights[bestLast]![1], highlights[bestFirst]![0] + length)) / 2;
	return Math.max(0, Math.min(textLength - length, Math.round(centre - length / 2)));
}

/**
 * A window of about `length` characters of `text`, centred on its matches (the densest run of them), cut
 * at word boundaries, with words split at line ends joined again; split into marked and plain parts, with
 * "…" where it was cut. Rendered as text nodes and <mark>, never as HTML.
 */
export function snippet(
	original: string,
	originalHighlights: readonly [number, number][],
	length = 240
): SnippetPart[] {
	const { text, highlights } = joinedHighlights(original, originalHighlights);
	let start = windowStart(text.length, highlights, length);
	let end = Math.min(text.length, start + length);
	const firstMark = highlights.find(([, e]) => e > start)?.[0] ?? end;
	// Cut at word boundaries: move inwards to the next space, unless that would drop a match; then outwards.
	if (start > 0 && !/\s/.test(text[start - 1]!)) {
		const space = text.slice(start, start + MAX_STRETCH).search(/\s/);
		if (space !== -1 && start + space < firstMark) start += space + 1;
		else {
			const back = text.slice(Math.max(0, start - MAX_STRETCH), start).search(/\s\S*$/);
			if (back !== -1) start = Math.max(0, start - MAX_STRETCH) + back + 1;
			else if (start <= MAX_STRETCH) start = 0;
		}
	}
	const lastMark = [...highlights].reverse().find(([s]) => s < end)?.[1] ?? start;
	if (end < text.length && !/\s/.test(text[end]!)) {
		const cut = text.slice(0, end).search(/\s\S*$/);
		if (cut > start && cut >= lastMark && end - cut <= MAX_STRETCH) end = cut;
		else {
			const forward = text.slice(end, end + MAX_STRETCH).search(/\s/);
			if (forward !== -1) end += forward;
			else if (text.length - end <= MAX_STRETCH) end = text.length;
		}
	}
	const parts: SnippetPart[] = [];
	const push = (s: string, marked: boolean) => {
		const clean = s.replace(/\s+/g, ' ');
		if (!clean) return;
		const last = parts.at(-1);
		if (last && last.marked === marked) last.text += clean;
		else parts.push({ text: clean, marked });
	};
	if (start > 0) push('… ', false);
	let at = start;
	for (const [s, e] of highlights) {
		if (e <= start || s >= end) continue;
		push(text.slice(at, Math.max(at, s)), false);
		push(text.slice(Math.max(at, s), Math.min(e, end)), true);
		at = Math.min(e, end);
	}
	push(text.slice(at, end).trimEnd(), false);
	if (end < text.length) push(' …', false);
	if (parts[0] && !parts[0].marked && start === 0) parts[0].text = parts[0].text.trimStart();
	return parts;
}
