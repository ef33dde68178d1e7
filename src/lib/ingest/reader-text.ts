/**
 * Text as a reader sees it. A PDF's text keeps the typesetter's line-end hyphens ("unconsti-\ntutional")
 * and the running headers and footers ("2 FREE CULTURE") of every page; a reader sees neither. This
 * module finds both for a whole document and gives each page:
 *
 * - `clean`: the page text with furniture blanked and hyphenated words joined, **the same length as the
 *   page text**, so every character range outside a joined word is the same in both. A joined word's
 *   tail moves back over the removed hyphen and line break, and the removed characters become spaces at
 *   the next whitespace: "unconsti-\ntutional power" → "unconstitutional   power" (same length).
 * - `shifts`: where the two differ, as flat triples `[from, to, delta]`: clean offset `o` in `[from, to)`
 *   is page-text offset `o + delta`. Highlights found in clean text land on the page through these.
 * - `continuation`: the tail of a word hyphenated across the page end, taken from the next page, so the
 *   page's last passage can index the whole word.
 * - `furniture` (ranges of headers, footers and Bates stamps), `label` (printed page label) and `bates`.
 */
import {
	batesCandidates,
	consistentBates,
	consistentLabels,
	EDGE_LINES,
	labelCandidates,
	usefulPdfLabels,
	type BatesCandidate,
	type LabelCandidate
} from './page-label.ts';
import type { ExtractedPage } from './types.ts';

interface Line {
	start: number;
	end: number;
	text: string;
}

/** Non-blank lines of a page with their ranges (trimmed). */
function linesOf(text: string): Line[] {
	const out: Line[] = [];
	let at = 0;
	for (const raw of text.split('\n')) {
		const lead = raw.length - raw.trimStart().length;
		const body = raw.trim();
		if (body.length > 0) out.push({ start: at + lead, end: at + lead + body.length, text: body });
		at += raw.length + 1;
	}
	return out;
}

/** Longer lines are body text, never a running head. */
const MAX_FURNITURE_LENGTH = 100;
/** A running line this long or longer is looked for glued onto body lines too (shorter ones are words). */
const MIN_GLUED_MARK = 12;

function edgeLines(lines: readonly Line[]): Line[] {
	if (lines.length <= 2 * EDGE_LINES) return [...lines];
	return [...lines.slice(0, EDGE_LINES), ...lines.slice(-EDGE_LINES)];
}

/**
 * A line with its numbers made anonymous, so "INTRODUCTION 3" and "INTRODUCTION 5", or "Page 3 of 10"
 * and "Page 4 of 10", count as the same running line. Roman numerals count as numbers at a line's edge.
 */
export function lineSignature(text: string): string {
	return signatureOf(text);
}

function signatureOf(text: string): string {
	const words = text.toLowerCase().replace(/\d+/g, '#').split(/\s+/).filter(Boolean);
	for (const i of new Set([0, words.length - 1])) {
		const bare = (words[i] ?? '').replace(/^\W+|\W+$/g, '');
		if (/^[ivxlcdm]+$/.test(bare) && /^(?=[mdclxvi])m{0,4}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$/.test(bare))
			words[i] = '#';
	}
	return words.join(' ');
}

/** What `findPageFurniture` decides for one page. */
export interface PageFurniture {
	/** Ranges of the page text that are headers, footers or stamps (start, end, start, end, …). */
	furniture: number[];
	label?: string;
	bates?: string;
}

function blank(from: number, to: number): string {
	return ' '.repeat(Math.max(0, to - from));
}

/**
 * Printer's marks and site addresses that pdf.js glued, without a space, onto the first or last line of
 * many pages ("4 FREE CULTURE<http://…>", "…before the In-ternet:<http://…>"): the longest text without
 * digits, at least MIN_GLUED_MARK long, that ends edge lines of `repeats` pages or more, cut at
 * a glue point (line edge, or no space between it and the text before). Requiring the glue point keeps a
 * phrase that merely ends several paragraphs ("… of the Court.") in the text.
 */
function gluedMarks(edges: readonly (readonly Line[])[], repeats: number): string[] {
	const pagesOf = new Map<string, Set<number>>();
	const count = (mark: string, page: number) => {
		const set = pagesOf.get(mark) ?? new Set<number>();
		set.add(page);
		pagesOf.set(mark, set);
	};
	const glued = (before: string | undefined, first: string) =>
		before === undefined || (!/\s/.test(before) && (!/[\p{L}\p{N}]/u.test(first) || !/[\p{L}\p{N}]/u.test(before)));
	edges.forEach((list, page) => {
		for (const { text } of list)
			for (let length = 1; length <= Math.min(text.length, MAX_FURNITURE_LENGTH); length++) {
				const first = text[text.length - length]!;
				if (/\d/.test(first)) break;
				if (length >= MIN_GLUED_MARK && !/\s/.test(first) && glued(text[text.length - length - 1], first))
					count(text.slice(-length), page);
			}
	});
	const found = [...pagesOf].filter(([, pages]) => pages.size >= repeats).map(([mark]) => mark);
	const size = (mark: string) => pagesOf.get(mark)!.size;
	// Of nested candidates, the longest on as many pages ("<http://x.org/get-it>" beats "//x.org/get-it>"),
	// but not one that is longer only on fewer pages (".<http://x.org/get-it>", where a sentence ended).
	return found
		.filter(
			(mark) =>
				!found.some((o) => o.length > mark.length && o.endsWith(mark) && size(o) >= size(mark)) &&
				!found.some((o) => o.length < mark.length && mark.endsWith(o) && size(o) > size(mark))
		)
		.sort((a, b) => b.length - a.length);
}

/**
 * Finds running headers and footers, printed page labels and Bates stamps across a document's pages.
 * A header or footer is an edge line whose signature (numbers anonymous) repeats on several pages, or
 * one that carries the page's printed number; a label is the PDF's own (when it says more than the
 * physical number), else a printed number in step with its neighbours', else none.
 */
export function findPageFurniture(texts: readonly string[], pdfLabels?: readonly string[] | null): PageFurniture[] {
	// Each line's signature is asked for several times below; running heads repeat, so most are hits.
	const signatures = new Map<string, string>();
	const lineSignature = (text: string): string => {
		let signature = signatures.get(text);
		if (signature === undefined) signatures.set(text, (signature = signatureOf(text)));
		return signature;
	};
	const lines = texts.map(linesOf);
	let edges = lines.map(edgeLines);

	const batesFound = consistentBates(texts.map(batesCandidates));
	// A Bates stamp's number is not a page number, and its line's signature is its prefix.
	const withoutBates = (line: Line, bates: BatesCandidate | undefined): string =>
		bates && bates.start < line.end && bates.end > line.start
			? line.text.slice(0, Math.max(0, bates.start - line.start)) +
				blank(bates.start, bates.end) +
				line.text.slice(Math.max(0, bates.end - line.start))
			: line.text;

	const signaturePages = new Map<string, Set<number>>();
	edges.forEach((list, i) => {
		for (const line of list) {
			if (line.text.length > MAX_FURNITURE_LENGTH) continue;
			const signature = lineSignature(line.text);
			const set = signaturePages.get(signature) ?? new Set<number>();
			set.add(i);
			signaturePages.set(signature, set);
		}
	});
	const repeats = texts.length < 6 ? 2 : 3;
	// A running head found at the edges of several pages is one anywhere on a page (pdf.js reads a figure
	// page's header in the middle).
	const runningHeads = new Set(
		[...signaturePages].filter(([signature, pages]) => signature !== '#' && pages.size >= repeats).map(([s]) => s)
	);
	edges = edges.map((list, i) => {
		const extra = lines[i]!.filter(
			(line) =>
				!list.includes(line) && line.text.length <= MAX_FURNITURE_LENGTH && runningHeads.has(lineSignature(line.text))
		);
		return extra.length === 0 ? list : [...list, ...extra].sort((a, b) => a.start - b.start);
	});

	const marks = gluedMarks(edges, repeats);
	const markIn = (line: Line): number[] => {
		for (const mark of marks) {
			if (line.text.length <= mark.length) continue;
			if (line.text.endsWith(mark)) return [line.end - mark.length, line.end];
		}
		return [];
	};

	// A pattern that recurs within a page (numbered lines, table rows) is body text, not a running head.
	const onPage = lines.map((list) => {
		const counts = new Map<string, number>();
		for (const line of list) {
			const signature = lineSignature(line.text);
			counts.set(signature, (counts.get(signature) ?? 0) + 1);
		}
		return counts;
	});
	const running = (line: Line, i: number) =>
		line.text.length <= MAX_FURNITURE_LENGTH && (onPage[i]!.get(lineSignature(line.text)) ?? 0) <= 1;

	const candidates: LabelCandidate[][] = edges.map((list, i) =>
		list.filter((line) => running(line, i)).flatMap((line) => labelCandidates(withoutBates(line, batesFound[i])))
	);
	const printed = consistentLabels(candidates);
	const pdf = usefulPdfLabels(pdfLabels, texts.length);

	return texts.map((_, i) => {
		const bates = batesFound[i];
		const label = pdf ? pdf[i] || undefined : printed[i]?.text;
		const pick = (repeatsCount: boolean) => {
			const ranges: number[] = [];
			let whole = 0;
			for (const line of edges[i]!) {
				if (!running(line, i)) {
					ranges.push(...markIn(line));
					continue;
				}
				const rest = withoutBates(line, bates);
				const signature = lineSignature(line.text);
				const repeated = repeatsCount && signature !== '#' && (signaturePages.get(signature)?.size ?? 0) >= repeats;
				const carriesLabel = label !== undefined && labelCandidates(rest).some((c) => c.text === label);
				if (repeated || carriesLabel || (rest.trim() === '' && bates)) {
					ranges.push(line.start, line.end);
					whole++;
				} else if (bates && bates.start >= line.start && bates.end <= line.end) ranges.push(bates.start, bates.end);
				else ranges.push(...markIn(line));
			}
			return { ranges, whole };
		};
		// A page whose every line would be a running line (a generated or templated page) loses only the
		// lines that carry its number; one that would lose all its text ("Typed page 1.", a half-title) keeps it.
		let { ranges: furniture, whole } = pick(true);
		if (whole === lines[i]!.length) ({ ranges: furniture, whole } = pick(false));
		if (whole === lines[i]!.length) furniture = [];
		// A stamp away from the edges is still not part of the text.
		if (bates && !furniture.some((v, k) => k % 2 === 0 && v <= bates.start && furniture[k + 1]! >= bates.end))
			furniture.push(bates.start, bates.end);
		return { furniture, ...(label ? { label } : {}), ...(bates ? { bates: bates.text } : {}) };
	});
}

/**
 * Hyphen, soft hyphen, Unicode hyphen. A match starts only where a run of letters starts: the result is
 * the same (a run reaches its hyphen from any of its letters), but without the look-behind the engine
 * tries every letter of every word and backtracks over the rest of it, which made this the costliest step.
 */
const LINE_HYPHEN = /(?<!\p{L})(\p{L}+)([-\u2010\u00ad])((?<=\u00ad)[ \t]*(?:\r?\n\s*)?|[ \t]*\r?\n\s*)(\p{L}+)/gu;
/** Hyphenated compounds ("free-software"), matched from the start of a word only, as LINE_HYPHEN. */
const COMPOUND = /(?<!\p{L})\p{L}+(?:[-\u2010]\p{L}+)+/gu;

/** A document's words and hyphenated compounds, seen where no line break splits them. */
interface Vocabulary {
	words: Set<string>;
	compounds: Set<string>;
}

function vocabularyOf(texts: readonly string[]): Vocabulary {
	// Words as written first, lower-cased once each: a book repeats most of its words many times.
	const written = new Set<string>();
	const compounds = new Set<string>();
	// The halves of a word hyphenated across a page end are not words of the document: "termi" and
	// "nated", counted as words, would make "termi-nated" look like a compound of two.
	const heads = texts.map(hyphenAtEnd);
	texts.forEach((text, i) => {
		const head = heads[i];
		if (head) text = text.slice(0, head.index);
		if (i > 0 && heads[i - 1]) text = text.replace(/^\s*\p{L}+/u, '');
		const unbroken = text.replace(LINE_HYPHEN, ' ');
		for (const word of unbroken.match(/\p{L}+/gu) ?? []) written.add(word);
		for (const compound of unbroken.match(COMPOUND) ?? [])
			for (const [a, b] of pairs(compound.toLowerCase().split(/[-\u2010]/))) compounds.add(`${a}-${b}`);
	});
	const words = new Set<string>();
	for (const word of written) words.add(word.toLowerCase());
	return { words, compounds };
}

function pairs(parts: string[]): [string, string][] {
	const out: [string, string][] = [];
	for (let i = 0; i + 1 < parts.length; i++) out.push([parts[i]!, parts[i + 1]!]);
	return out;
}

/**
 * Whether a word broken at a line end is one word ("unconsti-tutional" → join) or a real compound that
 * keeps its hyphen ("free-software", "Anglo-American"). Evidence from the same document first: the
 * compound or the joined word written elsewhere without a break; then a capital after the hyphen or two
 * real words each side mean a compound; otherwise the typesetter's hyphen is dropped.
 */
export function joinsAcrossBreak(head: string, tail: string, hyphen: string, vocabulary: Vocabulary): boolean {
	if (hyphen === '\u00ad') return true;
	const h = head.toLowerCase();
	const t = tail.toLowerCase();
	// "pre- and post-trial", "Ein- und Ausfuhr": the hyphen stands for a word yet to come.
	if (SUSPENDED.has(t)) return false;
	// A heading in capitals ("OPPO-\nSITION") joins when the document has the word whole.
	if (head.length > 1 && tail.length > 1 && head === head.toUpperCase() && tail === tail.toUpperCase())
		return vocabulary.words.has(h + t);
	if (/^\p{Lu}/u.test(tail)) return false;
	if (vocabulary.compounds.has(`${h}-${t}`)) return false;
	if (vocabulary.words.has(h + t)) return true;
	// "Exhibit A-\nthe lease": a lone letter is a label, not a syllable, unless the joined word is known.
	if (h.length === 1) return false;
	if (h.length >= 3 && t.length >= 3 && vocabulary.words.has(h) && vocabulary.words.has(t)) return false;
	return true;
}

/** Words after a hanging hyphen that mark a suspended compound ("pre- and post-trial"), in a few languages. */
const SUSPENDED: ReadonlySet<string> = new Set([
	'and',
	'or',
	'nor',
	'to',
	'but',
	'versus',
	'und',
	'oder',
	'bis',
	'et',
	'ou',
	'y',
	'o'
]);

/** A hyphen inside an address ("example.com/some-\npath", "john.smith-\njones@firm.com") is the address's. */
const ADDRESS_BEFORE = /[./@:_~%=?&#\\]/;

interface Dehyphenated {
	clean: string;
	shifts: number[];
}

/**
 * Joins words broken at line ends within one page. `text` has its furniture blanked; `original` is the
 * page as printed (the same length), which tells a blank line (a paragraph break, never joined across)
 * from a running head blanked between the halves of a word.
 */
function dehyphenatePage(text: string, vocabulary: Vocabulary, original = text): Dehyphenated {
	const shifts: number[] = [];
	let clean = '';
	let copied = 0;
	for (const m of text.matchAll(LINE_HYPHEN)) {
		const [head, hyphen, gap, tail] = [m[1]!, m[2]!, m[3]!, m[4]!];
		const hyphenAt = m.index + head.length;
		if (hyphenAt < copied) continue;
		// A hyphen that follows another ("heavier-than-\nair") is part of a compound.
		const chained = /[-\u2010]/.test(text[m.index - 1] ?? '');
		const tailAt = hyphenAt + 1 + gap.length;
		const paragraphBreak = /\n[ \t]*\n/.test(original.slice(hyphenAt + 1, tailAt));
		const join =
			!chained &&
			!paragraphBreak &&
			!ADDRESS_BEFORE.test(text[m.index - 1] ?? '') &&
			joinsAcrossBreak(head, tail, hyphen, vocabulary);
		const from = join ? hyphenAt : hyphenAt + 1;
		let removed = tailAt - from;
		if (removed === 0) continue;
		let wordEnd = tailAt + tail.length;
		while (wordEnd < text.length && !/\s/.test(text[wordEnd]!)) wordEnd++;
		clean += text.slice(copied, from);
		// Further soft hyphens in the word ("con\u00adtrac\u00adtual") go too, each piece moving back further.
		let at = from;
		for (const piece of text.slice(tailAt, wordEnd).split('\u00ad')) {
			if (piece.length > 0) shifts.push(at, at + piece.length, removed);
			clean += piece;
			at += piece.length;
			removed++;
		}
		removed--;
		clean += ' '.repeat(removed);
		copied = wordEnd;
	}
	clean += text.slice(copied);
	return { clean, shifts };
}

/** One text with its line-end hyphens joined (a quote, a snippet), judged by its own words; same length. */
export function dehyphenate(text: string): string {
	return dehyphenatePage(text, vocabularyOf([text])).clean;
}

const LETTER = /\p{L}/u;

/**
 * The word and hyphen that end `text` (before trailing space), as `/(\p{L}+)([-‐\u00ad])\s*$/u` would
 * find them, walking back from the end: that regex scans, and backtracks through, every word of the page.
 */
function hyphenAtEnd(text: string): { index: number; 1: string; 2: string } | undefined {
	let end = text.length;
	while (end > 0 && /\s/.test(text[end - 1]!)) end--;
	const hyphen = text[end - 1];
	if (hyphen !== '-' && hyphen !== '\u2010' && hyphen !== '\u00ad') return undefined;
	let start = end - 1;
	while (start > 0) {
		// A letter outside the basic plane is a surrogate pair: test it whole.
		const pair = start > 1 && /[\udc00-\udfff]/.test(text[start - 1]!) && /[\ud800-\udbff]/.test(text[start - 2]!);
		const size = pair ? 2 : 1;
		if (!LETTER.test(text.slice(start - size, start))) break;
		start -= size;
	}
	if (start === end - 1) return undefined;
	return { index: start, 1: text.slice(start, end - 1), 2: hyphen };
}

/**
 * The reader's text of every page of one document (see the module comment). `pdfLabels` are the PDF's
 * own page labels, when it has them.
 */
export function readerPages(pages: readonly ExtractedPage[], pdfLabels?: readonly string[] | null): ExtractedPage[] {
	const found = findPageFurniture(
		pages.map((p) => p.text),
		pdfLabels
	);
	const blanked = pages.map((p, i) => {
		let text = p.text;
		const ranges = found[i]!.furniture;
		for (let k = 0; k < ranges.length; k += 2)
			text = text.slice(0, ranges[k]) + blank(ranges[k]!, ranges[k + 1]!) + text.slice(ranges[k + 1]);
		return text;
	});
	const vocabulary = vocabularyOf(blanked);
	const cleaned = blanked.map((text, i) => dehyphenatePage(text, vocabulary, pages[i]!.text));

	// A word hyphenated at the page end ends on the next page.
	const continuations: (string | undefined)[] = cleaned.map(() => undefined);
	for (let i = 0; i + 1 < cleaned.length; i++) {
		const here = cleaned[i]!;
		const end = hyphenAtEnd(here.clean);
		const next = /^\s*(\p{L}+)/u.exec(cleaned[i + 1]!.clean);
		if (!end || !next) continue;
		const [head, hyphen] = [end[1]!, end[2]!];
		const tail = next[1]!;
		const chained = /[-\u2010]/.test(here.clean[end.index - 1] ?? '');
		if (!chained && joinsAcrossBreak(head, tail, hyphen, vocabulary)) {
			const hyphenAt = end.index + head.length;
			here.clean = `${here.clean.slice(0, hyphenAt)} ${here.clean.slice(hyphenAt + 1)}`;
		}
		continuations[i] = tail;
	}

	return pages.map((p, i) => {
		const { furniture, label, bates } = found[i]!;
		const { clean, shifts } = cleaned[i]!;
		const page: ExtractedPage = { page: p.page, text: p.text, ...(p.ocr ? { ocr: p.ocr } : {}) };
		if (clean !== p.text) page.clean = clean;
		if (shifts.length > 0) page.shifts = shifts;
		const continuation = continuations[i];
		if (continuation !== undefined) page.continuation = continuation;
		if (furniture.length > 0) page.furniture = furniture;
		if (label !== undefined) page.label = label;
		if (bates !== undefined) page.bates = bates;
		return page;
	});
}

/**
 * The part of a page's shifts that falls in the clean range `[start, end)`, relative to a passage that
 * starts there (whose page-text start is `originalOffset(shifts, start)`).
 */
export function shiftsWithin(shifts: readonly number[] | undefined, start: number, end: number): number[] {
	const out: number[] = [];
	if (!shifts) return out;
	const base = originalOffset(shifts, start) - start;
	// The range as runs of one shift each: the triples, and between them the stretches that map unchanged
	// (shift 0), which a passage starting inside a joined word sees shifted by -base.
	let at = start;
	const run = (from: number, to: number, delta: number) => {
		const [f, t] = [Math.max(from, start), Math.min(to, end)];
		if (f < t && delta !== base) out.push(f - start, t - start, delta - base);
	};
	for (let k = 0; k + 2 < shifts.length && at < end; k += 3) {
		const [from, to, delta] = [shifts[k]!, shifts[k + 1]!, shifts[k + 2]!];
		if (to <= at) continue;
		run(at, from, 0);
		run(from, to, delta);
		at = Math.max(at, to);
	}
	run(at, end, 0);
	return out;
}

/** Page-text offset of clean offset `offset`, through `shifts` (see the module comment). */
export function originalOffset(shifts: readonly number[] | undefined, offset: number): number {
	if (shifts)
		for (let k = 0; k + 2 < shifts.length; k += 3)
			if (offset >= shifts[k]! && offset < shifts[k + 1]!) return offset + shifts[k + 2]!;
	return offset;
}

/** Clean offset of page-text offset `offset` (inverse of `originalOffset`; removed characters map to the join). */
export function cleanOffset(shifts: readonly number[] | undefined, offset: number): number {
	if (shifts)
		for (let k = 0; k + 2 < shifts.length; k += 3) {
			const [from, to, delta] = [shifts[k]!, shifts[k + 1]!, shifts[k + 2]!];
			if (offset >= from && offset < to + delta) return Math.max(from, offset - delta);
		}
	return offset;
}

/** A passage with the map from its text to its page's text. */
export interface MappedPassage {
	/** Page-text range of the passage. */
	start: number;
	end: number;
	/** Offsets within the passage's text, as `ExtractedPage.shifts` (relative to the passage). */
	shifts?: readonly number[];
}

/**
 * The page-text range of `[from, to)` in a passage's (clean) text: how a matched word found in a passage
 * or snippet is highlighted on the page. Characters past the page (a continuation) map to its end.
 */
export function pageRange(passage: MappedPassage, from: number, to: number): [number, number] {
	const clamp = (o: number) => Math.min(passage.end, Math.max(passage.start, o));
	const start = clamp(passage.start + originalOffset(passage.shifts, from));
	const end = to > from ? clamp(passage.start + originalOffset(passage.shifts, to - 1) + 1) : start;
	return [start, end];
}
