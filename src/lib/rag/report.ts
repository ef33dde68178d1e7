import type { ReportRow } from '../db/schema.ts';
import { formatPage } from '../ingest/page-label.ts';
import { dehyphenate } from '../ingest/reader-text.ts';
import {
	caseSource,
	checkAnswer,
	checkCaseSummary,
	quotationMarkdown,
	quotationTally,
	type CasePassage,
	type QuotationCheck
} from '../quotes/marks.ts';
import type { QuotablePassage } from '../quotes/quotations.ts';
import type { Citation } from './citations.ts';

export interface KeyPassage {
	documentName: string;
	page: number;
	/** The page's printed label and Bates stamp, when known. */
	label?: string;
	bates?: string;
	text: string;
	/** The page text just before and after the passage, so its quote can start and end with a sentence. */
	before?: string;
	after?: string;
}

/** Punctuation that ends a sentence, with any closing quote or bracket after it. */
const SENTENCE_END = /[.!?]["'”’)\]]*(?=\s|$)/g;
/** How far a quote may reach beyond its passage to finish a sentence. */
const SENTENCE_REACH = 400;
const OPEN = '\u0000';
const CLOSE = '\u0001';

/**
 * A passage as a quote a lawyer can paste: words broken at line ends joined ("unconsti-\ntutional" →
 * "unconstitutional"), line breaks collapsed, and extended to whole sentences with the page text around
 * it (`before`, `after`), reaching at most a few hundred characters; "…" marks an end that stays
 * mid-sentence.
 */
export function cleanQuote(passage: Pick<KeyPassage, 'text' | 'before' | 'after'>): string {
	const before = (passage.before ?? '').slice(-SENTENCE_REACH);
	const after = (passage.after ?? '').slice(0, SENTENCE_REACH);
	// Cleaned as one text, so a word broken at the passage's edge is joined too.
	const whole = dehyphenate(`${before}${OPEN}${passage.text}${CLOSE}${after}`).replace(/\s+/g, ' ');
	const open = whole.indexOf(OPEN);
	const close = whole.indexOf(CLOSE);
	const head = whole.slice(0, open);
	const inner = whole.slice(open + 1, close);
	const body = inner.trim();
	const tail = whole.slice(close + 1);

	let start = '';
	let opensMid = false;
	const headEndsSentence = head.trim() === '' || /[.!?]["'”’)\]]*\s*$/.test(head);
	if (
		!headEndsSentence ||
		(head.trim() === '' && passage.before === undefined && !/^[\p{Lu}\p{N}"“‘'([]/u.test(body))
	) {
		const ends = [...head.matchAll(SENTENCE_END)];
		const last = ends.at(-1);
		if (last) start = head.slice(last.index + last[0].length);
		else if ((passage.before?.length ?? SENTENCE_REACH) < SENTENCE_REACH) start = head;
		else opensMid = true;
	}
	let end = '';
	let closesMid = false;
	if (!/[.!?]["'”’)\]]*$/.test(body)) {
		SENTENCE_END.lastIndex = 0;
		const first = SENTENCE_END.exec(tail);
		if (first) end = tail.slice(0, first.index + first[0].length);
		else if ((passage.after?.length ?? SENTENCE_REACH) < SENTENCE_REACH) end = tail;
		else closesMid = true;
	}
	const quote = `${start}${inner}${end}`.replace(/\s+/g, ' ').trim();
	return `${opensMid ? '… ' : ''}${quote}${closesMid ? ' …' : ''}`;
}

export interface ChosenAnswer {
	question: string;
	answer: string;
	citations: readonly Citation[];
	/** The cited passages' text: with it, each quotation in the answer is checked and marked. */
	passages?: readonly QuotablePassage[];
}

/** The case chronology as a report section: its Markdown, and a period summary checked like an answer. */
export interface ChronologySection {
	title: string;
	/** Already escaped Markdown (timeline/chronology.ts). */
	body: string;
	summary?: { text: string; passages: readonly QuotablePassage[] };
}

export interface ReportInput {
	title: string;
	caseSummary?: string;
	/** The case's passages: with them, each quotation in the case summary is checked against the sources. */
	casePassages?: readonly CasePassage[];
	passages?: readonly KeyPassage[];
	answers?: readonly ChosenAnswer[];
	chronology?: ChronologySection;
	notes?: readonly string[];
}

/**
 * Text as report Markdown, escaped, with [n] markers kept; given the cited passages, each quotation is
 * followed by its mark (verified, or flagged with the closest text), and the checks come back too.
 */
function markedBody(text: string, passages?: readonly QuotablePassage[]): { body: string; checks: QuotationCheck[] } {
	const trimmed = text.trim();
	const checks = passages ? checkAnswer(trimmed, passages) : [];
	let body = '';
	let last = 0;
	for (const check of [...checks].sort((a, b) => a.end - b.end)) {
		body += escapeMarkdown(trimmed.slice(last, check.end)) + escapeMarkdown(quotationMarkdown(check));
		last = check.end;
	}
	body += escapeMarkdown(trimmed.slice(last));
	return { body: body.replace(/\\\[(\d+)\\\]/g, '[$1]'), checks };
}

/** Escapes text for Markdown so names and passages never turn into markup. */
export function escapeMarkdown(text: string): string {
	return text
		.replace(/([\\`*_{}[\]<>()#+!|~])/g, '\\$1')
		.replace(/^(\s*)(\d+)\./gm, '$1$2\\.')
		.replace(/^(\s*)-/gm, '$1\\-');
}

function quote(passage: KeyPassage): string {
	return `> ${escapeMarkdown(cleanQuote(passage))}`;
}

function source(c: Pick<Citation, 'n' | 'documentName' | 'page' | 'label' | 'bates'>): string {
	return `[${c.n}] ${escapeMarkdown(c.documentName)}, ${formatPage(c)}`;
}

/**
 * A report as ordered sections of Markdown (the `reports` row): the case summary, key passages quoted
 * with document and page, and chosen answers with their sources listed under them. Everything that came
 * from documents or people is escaped, so it reads as text in any Markdown renderer.
 */
export function composeReport(
	caseId: string,
	input: ReportInput,
	now = Date.now(),
	id: string = crypto.randomUUID()
): ReportRow {
	const sections: ReportRow['sections'] = [];
	const checks: QuotationCheck[] = [];
	if (input.caseSummary?.trim()) {
		const summary = input.caseSummary.trim();
		const caseChecks = input.casePassages ? checkCaseSummary(summary, input.casePassages) : [];
		checks.push(...caseChecks);
		let body = '';
		let last = 0;
		for (const check of [...caseChecks].sort((a, b) => a.end - b.end)) {
			body += escapeMarkdown(summary.slice(last, check.end) + quotationMarkdown(check, caseSource(check)));
			last = check.end;
		}
		body += escapeMarkdown(summary.slice(last));
		sections.push({ kind: 'summary', title: 'Case summary', body });
	}
	for (const p of input.passages ?? [])
		sections.push({
			kind: 'passage',
			title: `${p.documentName}, ${formatPage(p)}`,
			body: `${quote(p)}\n\n— ${escapeMarkdown(p.documentName)}, ${formatPage(p)}`
		});
	for (const a of input.answers ?? []) {
		const sources = [...new Map(a.citations.map((c) => [c.n, c])).values()].sort((x, y) => x.n - y.n);
		const marked = markedBody(a.answer, a.passages);
		checks.push(...marked.checks);
		const body = [marked.body, sources.length ? `Sources:\n\n${sources.map((c) => `- ${source(c)}`).join('\n')}` : '']
			.filter(Boolean)
			.join('\n\n');
		sections.push({ kind: 'answer', title: a.question, body });
	}
	if (input.chronology) {
		const summary = input.chronology.summary
			? markedBody(input.chronology.summary.text, input.chronology.summary.passages)
			: undefined;
		if (summary) checks.push(...summary.checks);
		sections.push({
			kind: 'chronology',
			title: input.chronology.title,
			body: [summary?.body ?? '', input.chronology.body].filter(Boolean).join('\n\n')
		});
	}
	for (const note of input.notes ?? []) sections.push({ kind: 'note', title: 'Note', body: escapeMarkdown(note) });
	return {
		id,
		caseId,
		title: input.title,
		sections,
		...(checks.length > 0 ? { quotations: quotationTally(checks) } : {}),
		createdAt: now,
		updatedAt: now
	};
}

export function reportToMarkdown(report: ReportRow): string {
	const parts = [`# ${escapeMarkdown(report.title)}`];
	for (const s of report.sections) parts.push(`## ${escapeMarkdown(s.title)}\n\n${s.body}`);
	return `${parts.join('\n\n')}\n`;
}

export function escapeHtml(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}

/** Undoes `escapeMarkdown` for display: the HTML page shows the text as the person wrote it. */
function unescapeMarkdown(text: string): string {
	return text.replace(/\\([\\`*_{}[\]<>()#+!|~.-])/g, '$1');
}

/** The small Markdown subset sections use (paragraphs, `> ` quotes, `- ` lists), as escaped HTML. */
function sectionHtml(body: string): string {
	return body
		.split(/\n{2,}/)
		.map((block) => {
			const lines = block.split('\n');
			if (lines.every((l) => l.startsWith('> ')))
				return `<blockquote>${lines.map((l) => escapeHtml(unescapeMarkdown(l.slice(2)))).join('<br>')}</blockquote>`;
			if (lines.every((l) => l.startsWith('- ')))
				return `<ul>${lines.map((l) => `<li>${escapeHtml(unescapeMarkdown(l.slice(2)))}</li>`).join('')}</ul>`;
			return `<p>${lines.map((l) => escapeHtml(unescapeMarkdown(l))).join('<br>')}</p>`;
		})
		.join('\n');
}

/** A standalone, print-ready HTML page (A4 margins, no scripts, every piece of text escaped). */
export function reportToHtml(report: ReportRow): string {
	const title = escapeHtml(report.title);
	const sections = report.sections
		.map((s) => `<section class="${s.kind}">\n<h2>${escapeHtml(s.title)}</h2>\n${sectionHtml(s.body)}\n</section>`)
		.join('\n');
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${title}</title>
<style>
@page { size: A4; margin: 20mm 18mm; }
body { font: 11pt/1.5 Georgia, 'Times New Roman', serif; color: #111; max-width: 170mm; margin: 0 auto; }
h1 { font-size: 18pt; margin: 0 0 4mm; }
h2 { font-size: 13pt; margin: 8mm 0 2mm; break-after: avoid; }
section { break-inside: avoid-page; }
blockquote { margin: 0 0 2mm; padding-left: 4mm; border-left: 2px solid #999; }
.meta { color: #555; font-size: 9pt; }
</style>
</head>
<body>
<h1>${title}</h1>
<p class="meta">Prepared ${escapeHtml(new Date(report.updatedAt).toISOString().slice(0, 10))} with Docket</p>
${sections}
</body>
</html>
`;
}
