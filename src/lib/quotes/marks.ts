/**
 * What the quotation check (quotations.ts) means on screen and on paper: the passages an answer cites,
 * the answer split into text, citation links and a mark after each checked quotation, the mark's words,
 * and the Markdown a report prints for it. Chat answers, period summaries and reports all use these, so a
 * quotation reads the same everywhere.
 */
import { checkQuotations, type QuotablePassage, type QuotationCheck } from './quotations.ts';

export type { QuotationCheck };

/** The citations of an answer as passages, where their text is known (`textOf` by whatever the citation names). */
export function citedPassages<C extends { n: number }>(
	citations: readonly C[],
	textOf: (citation: C) => string | undefined
): QuotablePassage[] {
	return citations.flatMap((c) => {
		const text = textOf(c);
		return text === undefined ? [] : [{ n: c.n, text }];
	});
}

/** Checks an answer's quotations against the cited passages. */
export function checkAnswer(answer: string, passages: readonly QuotablePassage[]): QuotationCheck[] {
	return checkQuotations(answer, passages);
}

/**
 * Checks a document summary's quotations against the document itself (passage 1: its text), since a
 * summary quotes the document it summarises without citing it.
 */
export function checkSummary(summary: string, documentText: string, documentName?: string): QuotationCheck[] {
	return checkQuotations(summary, [{ n: 1, text: documentText }], {
		unattributed: [1],
		...(documentName ? { titles: [documentName] } : {})
	});
}

/** A passage of the case, named as a citation names it ("lease.pdf, p. 3"). */
export interface CasePassage {
	text: string;
	name: string;
	/** The document's name alone, which a summary may put in quotation marks as a title. */
	document?: string;
}

/** A case-wide check: where the quotation was found, or where the closest text is. */
export type CaseQuotationCheck = QuotationCheck & { where?: string };

/**
 * Checks the case summary's quotations against the case's own passages. The case summary is written
 * from document summaries, which are generated text: a quotation counts as verified only where a source
 * passage holds it, never because a summary repeats it.
 */
export function checkCaseSummary(summary: string, passages: readonly CasePassage[]): CaseQuotationCheck[] {
	const numbered = passages.map((p, i) => ({ n: i + 1, text: p.text }));
	const titles = [...new Set(passages.flatMap((p) => (p.document ? [p.document] : [])))];
	const checks = checkQuotations(summary, numbered, { unattributed: numbered.map((p) => p.n), titles });
	return checks.map((check) => {
		const n = check.status === 'verified' ? check.verifiedIn : check.closest?.n;
		const where = n === undefined ? undefined : passages[n - 1]?.name;
		// It cites nothing: the numbers were only the passages it was looked for in.
		return { ...check, citations: [], ...(where ? { where } : {}) };
	});
}

/** How a case-wide check names its source: the passage it was found in, else the case. */
export function caseSource(check: CaseQuotationCheck): string {
	return check.status === 'verified' && check.where ? check.where : 'the case’s documents';
}

export function isFlagged(check: QuotationCheck): boolean {
	return check.status !== 'verified';
}

export function quotationTally(checks: readonly QuotationCheck[]): { verified: number; flagged: number } {
	const flagged = checks.filter(isFlagged).length;
	return { verified: checks.length - flagged, flagged };
}

const cites = (numbers: readonly number[]) => numbers.map((n) => `[${n}]`).join('');

/** The mark's accessible name and tooltip; `source` names the one quoted document of a summary. */
export function quotationLabel(check: QuotationCheck, source?: string): string {
	switch (check.status) {
		case 'verified':
			return `Quotation verified in ${source ?? `[${check.verifiedIn}]`}`;
		case 'not-found':
			return `Quotation not found in ${source ?? cites(check.citations)}`;
		case 'bad-citation':
			return `Citation ${cites(check.missing ?? check.citations)} does not exist`;
	}
}

/** What the passages really say, for a flagged quotation, when something close enough was found. */
export function closestText(check: CaseQuotationCheck, source?: string): string | undefined {
	if (check.status === 'verified' || !check.closest) return undefined;
	const where = check.where ? `, in ${check.where}` : source ? '' : `, in [${check.closest.n}]`;
	return `Closest text${where}: “${check.closest.text.replace(/\s+/g, ' ').trim()}”`;
}

/** The mark as a report prints it, after the quotation. */
export function quotationMarkdown(check: CaseQuotationCheck, source?: string): string {
	if (check.status === 'verified') return ` ✓ (verified in ${source ?? `[${check.verifiedIn}]`})`;
	const closest = closestText(check, source);
	return ` ⚠ (${lowerFirst(quotationLabel(check, source))}${closest ? `; ${lowerFirst(closest)}` : ''})`;
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

export type MarkedSegment<C> =
	{ kind: 'text'; text: string } | { kind: 'citation'; citation: C } | { kind: 'quotation'; check: QuotationCheck };

/** `[3]`, `[1, 2]`, `[2-4]`: the markers answers cite with (as rag/citations.ts reads them). */
const MARKER = /\[(\d+(?:\s*[-–,]\s*\d+)*)\]/g;

function numbersIn(inner: string): number[] {
	const out: number[] = [];
	for (const part of inner.split(',')) {
		const [a, b] = part.split(/[-–]/).map((s) => Number.parseInt(s.trim(), 10));
		if (a === undefined || Number.isNaN(a)) continue;
		if (b === undefined || Number.isNaN(b)) out.push(a);
		else for (let n = a; n <= Math.min(b, a + 50); n++) out.push(n);
	}
	return out;
}

/**
 * The answer as text, citation links (for markers whose every number is a known citation) and a mark
 * right after each checked quotation's closing quote mark.
 */
export function markAnswer<C extends { n: number }>(
	answer: string,
	citations: readonly C[],
	checks: readonly QuotationCheck[]
): MarkedSegment<C>[] {
	const byN = new Map(citations.map((c) => [c.n, c]));
	type Cut = { at: number; to: number; segments: MarkedSegment<C>[] };
	const cuts: Cut[] = [];
	for (const m of answer.matchAll(MARKER)) {
		const numbers = numbersIn(m[1]!);
		if (numbers.length === 0 || !numbers.every((n) => byN.has(n))) continue;
		cuts.push({
			at: m.index,
			to: m.index + m[0].length,
			segments: numbers.map((n) => ({ kind: 'citation', citation: byN.get(n)! }))
		});
	}
	for (const check of checks) cuts.push({ at: check.end, to: check.end, segments: [{ kind: 'quotation', check }] });
	// A quotation's mark sits after its quote mark and before a marker that starts at the same place.
	cuts.sort((a, b) => a.at - b.at || a.to - a.at - (b.to - b.at));
	const out: MarkedSegment<C>[] = [];
	let last = 0;
	for (const cut of cuts) {
		if (cut.at < last) continue;
		if (cut.at > last) out.push({ kind: 'text', text: answer.slice(last, cut.at) });
		out.push(...cut.segments);
		last = cut.to;
	}
	if (last < answer.length) out.push({ kind: 'text', text: answer.slice(last) });
	return out;
}
