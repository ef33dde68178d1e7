/** A sentence of a chunk, with its character range in the chunk's text. */
export interface Sentence {
	text: string;
	start: number;
	end: number;
}

/**
 * Abbreviations a full stop does not end a sentence after, as legal texts use them ("Mr.", "No. 12",
 * "Smith v. Jones", "Sec. 4"). Single capitals (initials: "J. Smith") are handled apart.
 */
const ABBREVIATIONS = new Set(
	[
		'mr',
		'mrs',
		'ms',
		'dr',
		'prof',
		'hon',
		'st',
		'jr',
		'sr',
		'no',
		'nos',
		'v',
		'vs',
		'inc',
		'ltd',
		'co',
		'corp',
		'sec',
		'art',
		'para',
		'p',
		'pp',
		'cf',
		'e.g',
		'i.e',
		'etc',
		'ex',
		'fig',
		'jan',
		'feb',
		'mar',
		'apr',
		'jun',
		'jul',
		'aug',
		'sep',
		'sept',
		'oct',
		'nov',
		'dec',
		'u.s',
		'approx'
	].map((a) => a.toLowerCase())
);

/**
 * Splits text into sentences: at . ! ? followed by space and a capital, digit or quote (unless the word
 * before is an abbreviation or an initial), and at blank lines. Chrono and the people finder work on the
 * sentence an event is stated in.
 */
export function splitSentences(text: string): Sentence[] {
	const out: Sentence[] = [];
	let start = 0;
	const push = (end: number) => {
		const raw = text.slice(start, end);
		const lead = raw.length - raw.trimStart().length;
		const trimmed = raw.trim();
		if (trimmed) out.push({ text: trimmed, start: start + lead, end: start + lead + trimmed.length });
		start = end;
	};
	const boundary = /([.!?])["'”’)]*(\s+)(?=["'“‘(]?[\p{Lu}\d])|\n\s*\n/gu;
	for (const m of text.matchAll(boundary)) {
		if (m[1] === '.') {
			const word = /([\p{L}.]+)$/u.exec(text.slice(Math.max(0, m.index - 12), m.index))?.[1] ?? '';
			const bare = word.toLowerCase().replace(/^\.+/, '');
			if (ABBREVIATIONS.has(bare) || /^\p{Lu}$/u.test(word)) continue;
		}
		push(m.index + m[0].length);
	}
	push(text.length);
	return out;
}
