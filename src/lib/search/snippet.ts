/** A piece of a snippet: plain text or a matched word to mark. */
export interface SnippetPart {
	text: string;
	marked: boolean;
}

/**
 * A window of about `length` characters of `text` around its first highlight, split into marked and
 * plain parts, with "…" where it was cut. Rendered as text nodes and <mark>, never as HTML.
 */
export function snippet(text: string, highlights: readonly [number, number][], length = 240): SnippetPart[] {
	const first = highlights[0]?.[0] ?? 0;
	let start = Math.max(0, first - Math.floor(length / 3));
	if (start > 0) {
		const space = text.indexOf(' ', start);
		if (space !== -1 && space < first) start = space + 1;
	}
	let end = Math.min(text.length, start + length);
	if (end < text.length) {
		const space = text.lastIndexOf(' ', end);
		if (space > Math.max(start, highlights.at(-1)?.[1] ?? 0)) end = space;
	}
	const parts: SnippetPart[] = [];
	const push = (s: string, marked: boolean) => {
		if (s) parts.push({ text: s.replace(/\s+/g, ' '), marked });
	};
	if (start > 0) push('… ', false);
	let at = start;
	for (const [s, e] of highlights) {
		if (e <= start || s >= end) continue;
		push(text.slice(at, Math.max(at, s)), false);
		push(text.slice(Math.max(at, s), Math.min(e, end)), true);
		at = Math.min(e, end);
	}
	push(text.slice(at, end), false);
	if (end < text.length) push(' …', false);
	return parts;
}
