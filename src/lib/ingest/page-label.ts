import { formatLocation, hasLocation, locationFields, type PassageLocation } from './location.ts';
/**
 * Printed page labels and Bates numbers: what a lawyer cites, found from the PDF's own labels or from the
 * numbers printed in running headers and footers, and the one way every screen names a page.
 */

/** What names one page: its PDF (physical) number and, when known, what is printed on it. */
export interface PageName {
	/** 1-based page of the PDF. */
	page: number;
	/** The printed page label ("2", "xii"), when the PDF or its headers and footers give one. */
	label?: string;
	/** The Bates number stamped on the page ("SMITH-000123"), when there is one. */
	bates?: string;
}

/**
 * "SMITH-000123 (PDF 18)", "p. 2 (PDF 18)", or "p. 18" when nothing printed is known (or the printed
 * label is the PDF page number itself). The only formatter of a page's name, so results, citations, the
 * viewer and reports agree.
 */
export function formatPage(name: PageName & PassageLocation): string {
	// Email, Word and HTML have no pages: their passages are named by paragraph or header block.
	if (hasLocation(name)) return formatLocation(name);
	const { page, label, bates } = name;
	if (bates) return `${bates} (PDF ${page})`;
	if (label && label !== String(page)) return `p. ${label} (PDF ${page})`;
	return `p. ${page}`;
}

/** The fields of `name` that are set, for spreading into rows and results without `undefined`s. */
export function pageNameFields(name: { label?: string | undefined; bates?: string | undefined } & PassageLocation): {
	label?: string;
	bates?: string;
} & PassageLocation {
	return {
		...(name.label ? { label: name.label } : {}),
		...(name.bates ? { bates: name.bates } : {}),
		// A passage without pages carries its paragraph (or header block) wherever a page's name goes.
		...locationFields(name)
	};
}

const ROMAN = /^(?=[mdclxvi])m{0,4}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$/i;

/** The value of a roman numeral ("xii" → 12), or undefined when `token` is not one. */
export function romanValue(token: string): number | undefined {
	if (!ROMAN.test(token)) return undefined;
	const values: Record<string, number> = { i: 1, v: 5, x: 10, l: 50, c: 100, d: 500, m: 1000 };
	let total = 0;
	const lower = token.toLowerCase();
	for (let i = 0; i < lower.length; i++) {
		const v = values[lower[i]!]!;
		const next = values[lower[i + 1] ?? ''] ?? 0;
		total += v < next ? -v : v;
	}
	return total;
}

/** A number printed on a page that may be its page number. */
export interface LabelCandidate {
	/** Numbers of one kind count as one sequence: arabic, lower- or upper-case roman. */
	kind: 'arabic' | 'roman' | 'ROMAN';
	value: number;
	/** As printed. */
	text: string;
	/** "Page 3 of 10" is stronger evidence than a bare number at a line's edge. */
	strong: boolean;
}

/** "Page 3 of 10" anywhere in a line (court filings' headers), or a line that is just "Page 3". */
const PAGE_OF = /\bpage\s+(\d{1,5})\s*(?:of|\/)\s*\d{1,5}\b|^[-–—\s]*page\s+(\d{1,5})[-–—.\s]*$/i;

/**
 * Page-number candidates of one header or footer line: the N of "Page N (of M)", else a number (arabic
 * or roman) that is the line's first or last word, as running heads print them ("2 FREE CULTURE",
 * "INTRODUCTION 3", "- 7 -"). Numbers with leading zeros are Bates or document numbers, not pages.
 */
export function labelCandidates(line: string): LabelCandidate[] {
	const pageOf = PAGE_OF.exec(line);
	if (pageOf) {
		const number = pageOf[1] ?? pageOf[2]!;
		return [{ kind: 'arabic', value: Number(number), text: number, strong: true }];
	}
	// Dashes around a number ("- 7 -", "— 7 —") are ornament, not the line's first or last word.
	const words = line.split(/\s+/).filter((w) => w.length > 0 && !/^[-–—]+$/.test(w));
	const edges = words.length <= 1 ? words : [words[0]!, words[words.length - 1]!];
	// A line that is only the number is what a page number looks like; a number ending a sentence ("see
	// item 2.") is the text's, whatever page it falls on.
	const alone = words.length === 1;
	const out: LabelCandidate[] = [];
	for (const [i, raw] of edges.entries()) {
		if (!alone && i === edges.length - 1 && /\d[.,;:!?]$/.test(raw)) continue;
		const token = raw.replace(/^[-–—([{.]+|[-–—)\]}.,:]+$/g, '');
		if (/^[1-9]\d{0,4}$/.test(token)) out.push({ kind: 'arabic', value: Number(token), text: token, strong: alone });
		else {
			const value = romanValue(token);
			if (value !== undefined)
				out.push({
					kind: token === token.toLowerCase() ? 'roman' : 'ROMAN',
					value,
					text: token,
					strong: alone
				});
		}
	}
	return out;
}

/** How far apart (in pages) two pages may be and still vouch for each other's numbering. */
const NEIGHBOURHOOD = 5;

/**
 * Picks each page's printed number: a candidate counts only when a nearby page has a candidate of the
 * same kind that is in step with it (value − page equal), so a year, a footnote number or a chapter
 * number that happens to sit at a line's edge is not taken for a page number. `candidates[i]` belongs
 * to page i + 1. Returns the chosen candidate per page (undefined where none is consistent).
 */
export function consistentLabels(candidates: readonly (readonly LabelCandidate[])[]): (LabelCandidate | undefined)[] {
	const key = (c: LabelCandidate, index: number) => `${c.kind}:${c.value - index}`;
	const keysAt = candidates.map((list, i) => new Set(list.map((c) => key(c, i))));
	return candidates.map((list, i) => {
		let best: LabelCandidate | undefined;
		let bestSupport = 0;
		for (const c of list) {
			const k = key(c, i);
			let support = 0;
			for (let j = Math.max(0, i - NEIGHBOURHOOD); j <= Math.min(candidates.length - 1, i + NEIGHBOURHOOD); j++)
				if (j !== i && keysAt[j]!.has(k)) support++;
			if (support === 0) continue;
			const score = support + (c.strong ? 0.5 : 0);
			if (score > bestSupport) {
				best = c;
				bestSupport = score;
			}
		}
		return best;
	});
}

/** A Bates stamp on a page. */
export interface BatesCandidate {
	prefix: string;
	value: number;
	text: string;
	start: number;
	end: number;
	/** Where it sits: 3 in the footer lines, 2 in the header lines, 1 at the edge of a body line. */
	place: 1 | 2 | 3;
	/** On the page's last line, or alone on its line: what a single page's stamp needs. */
	apart: boolean;
}

/** A page's first and last few non-blank lines are its header and footer (pdf.js reads them first or last). */
export const EDGE_LINES = 3;

/**
 * A prefix of capitals (digits inside, `-`/`_`-joined parts, ending in a letter) and a zero-padded number, e.g. `SMITH-000123`,
 * `ABC 0001234`, `DEF_00042`. The number has at least 4 digits and starts with 0, or has at least 6. The
 * prefix may follow a lower-case letter (a stamp pdf.js glued onto the last word, "deniedSMITH-000123"),
 * but not a capital, digit or joiner: "1:20-CV-01234" is a docket number.
 */
const BATES =
	/(?<![\p{Lu}\p{Lt}\p{N}:/_-])([A-Z](?:[A-Z0-9]{0,14}[A-Z])?(?:[-_][A-Z0-9]{0,14}[A-Z])*)([-_ ]?)(0\d{3,9}|[1-9]\d{5,9})(?![\p{L}\p{N}])/gu;

/**
 * Possible Bates stamps of a page. A stamp sits in the margin: in the header or footer lines, or where
 * pdf.js read it into the body, at the start or end of a line. A number inside a sentence ("invoice
 * INV-001001 for services") is the document's content, whatever its form.
 */
export function batesCandidates(text: string): BatesCandidate[] {
	const lines: [number, number][] = [];
	for (const m of text.matchAll(/[^\n]+/g)) {
		const lead = m[0].length - m[0].trimStart().length;
		const body = m[0].trim();
		if (body.length > 0) lines.push([m.index + lead, m.index + lead + body.length]);
	}
	const out: BatesCandidate[] = [];
	for (const m of text.matchAll(BATES)) {
		const [start, end] = [m.index, m.index + m[0].length];
		const line = lines.findIndex(([from, to]) => start >= from && start < to);
		if (line < 0) continue;
		const [from, to] = lines[line]!;
		const place = line >= lines.length - EDGE_LINES ? 3 : line < EDGE_LINES ? 2 : start === from || end === to ? 1 : 0;
		if (place === 0) continue;
		const apart = line === lines.length - 1 || (start === from && end === to);
		out.push({ prefix: `${m[1]}${m[2]}`, value: Number(m[3]), text: m[0], start, end, place, apart });
	}
	return out;
}

/**
 * Each page's Bates stamp: a candidate counts when a nearby page carries the same prefix with the number
 * in step (one more per page). Of several that count, the one nearest the foot of the page, where stamps
 * are put. A single page has no neighbours to vouch for it: there only a zero-padded number in the footer,
 * on the last line or alone on its line, counts ("INVOICE INV-000123" heading a one-page invoice does not). `candidates[i]` is page i + 1.
 */
export function consistentBates(candidates: readonly (readonly BatesCandidate[])[]): (BatesCandidate | undefined)[] {
	const key = (c: BatesCandidate, index: number) => `${c.prefix}:${c.value - index}`;
	const keysAt = candidates.map((list, i) => new Set(list.map((c) => key(c, i))));
	const lowest = (list: readonly BatesCandidate[]) =>
		list.reduce<BatesCandidate | undefined>(
			(best, c) => (!best || c.place > best.place || (c.place === best.place && c.start > best.start) ? c : best),
			undefined
		);
	return candidates.map((list, i) => {
		if (candidates.length === 1)
			return lowest(list.filter((c) => c.place === 3 && c.apart && /^0/.test(c.text.slice(c.prefix.length))));
		return lowest(
			list.filter((c) => {
				const k = key(c, i);
				for (let j = Math.max(0, i - NEIGHBOURHOOD); j <= Math.min(candidates.length - 1, i + NEIGHBOURHOOD); j++)
					if (j !== i && keysAt[j]!.has(k)) return true;
				return false;
			})
		);
	});
}

/**
 * The PDF's own page labels (`getPageLabels()`), when they say something: many PDFs carry labels that
 * are just "1", "2", … (the physical numbers), which would hide a printed number found on the page.
 */
export function usefulPdfLabels(labels: readonly string[] | null | undefined, pageCount: number): string[] | undefined {
	if (!labels || labels.length !== pageCount) return undefined;
	if (labels.every((l, i) => l === '' || l === String(i + 1))) return undefined;
	return labels.map((l) => l.trim());
}
