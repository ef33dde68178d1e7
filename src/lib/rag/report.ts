import type { ReportRow } from '../db/schema.ts';
import type { Citation } from './citations.ts';

export interface KeyPassage {
	documentName: string;
	page: number;
	text: string;
}

export interface ChosenAnswer {
	question: string;
	answer: string;
	citations: readonly Citation[];
}

export interface ReportInput {
	title: string;
	caseSummary?: string;
	passages?: readonly KeyPassage[];
	answers?: readonly ChosenAnswer[];
	notes?: readonly string[];
}

/** Escapes text for Markdown so names and passages never turn into markup. */
export function escapeMarkdown(text: string): string {
	return text
		.replace(/([\\`*_{}[\]<>()#+!|~])/g, '\\$1')
		.replace(/^(\s*)(\d+)\./gm, '$1$2\\.')
		.replace(/^(\s*)-/gm, '$1\\-');
}

function quote(text: string): string {
	return text
		.trim()
		.split(/\n/)
		.map((line) => `> ${escapeMarkdown(line)}`)
		.join('\n');
}

function source(c: Pick<Citation, 'n' | 'documentName' | 'page'>): string {
	return `[${c.n}] ${escapeMarkdown(c.documentName)}, p. ${c.page}`;
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
	if (input.caseSummary?.trim())
		sections.push({ kind: 'summary', title: 'Case summary', body: escapeMarkdown(input.caseSummary.trim()) });
	for (const p of input.passages ?? [])
		sections.push({
			kind: 'passage',
			title: `${p.documentName}, p. ${p.page}`,
			body: `${quote(p.text)}\n\n— ${escapeMarkdown(p.documentName)}, p. ${p.page}`
		});
	for (const a of input.answers ?? []) {
		const sources = [...new Map(a.citations.map((c) => [c.n, c])).values()].sort((x, y) => x.n - y.n);
		const body = [
			escapeMarkdown(a.answer.trim()).replace(/\\\[(\d+)\\\]/g, '[$1]'),
			sources.length ? `Sources:\n\n${sources.map((c) => `- ${source(c)}`).join('\n')}` : ''
		]
			.filter(Boolean)
			.join('\n\n');
		sections.push({ kind: 'answer', title: a.question, body });
	}
	for (const note of input.notes ?? []) sections.push({ kind: 'note', title: 'Note', body: escapeMarkdown(note) });
	return { id, caseId, title: input.title, sections, createdAt: now, updatedAt: now };
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
