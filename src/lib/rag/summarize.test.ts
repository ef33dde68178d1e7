import { describe, expect, it } from 'vitest';
import type { Citation } from './citations.ts';
import { composeReport, reportToHtml, reportToMarkdown } from './report.ts';
import { packTexts, summarize, summarizeCase, summarizeDocument, type SummaryProgress } from './summarize.ts';
import { ScriptedEngine } from './testing.ts';

/** A model that "summarises" by keeping the first word of each paragraph it is given. */
function firstWords() {
	return new ScriptedEngine(
		(messages) =>
			messages
				.at(-1)!
				.content.split(/\n\n(?:---\n\n)?/)
				.map((p) => p.split(/\s+/)[0])
				.join(' '),
		{ contextTokens: 400 }
	);
}

describe('summaries', () => {
	it('packs texts into groups that fit and splits oversized ones', () => {
		const count = (t: string) => t.split(/\s+/).filter(Boolean).length;
		const groups = packTexts(['a b c', 'd e f', 'g h i j k l m n'], 6, count);
		expect(groups.every((g) => g.reduce((n, t) => n + count(t) + 2, 0) <= 6 + 2 || g.length === 1)).toBe(true);
		expect(groups.flat().join(' ').split(/\s+/).filter(Boolean)).toEqual('a b c d e f g h i j k l m n'.split(' '));
	});

	it('map-reduces a long document within the context window, reporting progress', async () => {
		const engine = firstWords();
		const chunks = Array.from({ length: 40 }, (_, i) => ({
			ordinal: 39 - i,
			text: `chunk${39 - i} ${'filler '.repeat(60)}`
		}));
		const progress: SummaryProgress[] = [];
		const summary = await summarizeDocument(engine, chunks, { onProgress: (p) => progress.push(p) });
		// Every request fits the model's context.
		for (const request of engine.requests)
			expect(request.reduce((n, m) => n + Math.ceil(m.content.length / 4), 0)).toBeLessThanOrEqual(400);
		expect(engine.requests.length).toBeGreaterThan(5);
		expect(summary.split(' ')[0]).toBe('chunk0');
		expect(progress.at(-1)).toMatchObject({
			done: engine.requests.length,
			total: engine.requests.length,
			stage: 'reduce'
		});
		for (let i = 1; i < progress.length; i++) expect(progress[i]!.done).toBeGreaterThanOrEqual(progress[i - 1]!.done);
		const caseSummary = await summarizeCase(engine, [{ name: 'a.pdf', summary: 'x' }]);
		expect(caseSummary).toBe('Document');
	});

	it('stops when cancelled', async () => {
		const controller = new AbortController();
		controller.abort();
		await expect(summarize(firstWords(), ['text'], { signal: controller.signal })).rejects.toThrow(/cancelled/);
		expect(await summarize(firstWords(), ['  '])).toBe('');
	});
});

describe('report composer', () => {
	const citation: Citation = {
		n: 1,
		chunkId: 'c',
		documentId: 'd',
		documentName: 'Lease <final>.pdf',
		page: 3,
		start: 0,
		end: 4
	};
	const report = composeReport(
		'case-1',
		{
			title: 'Smith v. Jones <draft>',
			caseSummary: 'The tenant *did not* pay.',
			passages: [
				{ documentName: 'Lease <final>.pdf', page: 3, text: 'Rent is due <script>alert(1)</script> monthly.' }
			],
			answers: [{ question: 'When is rent due?', answer: 'Monthly [1].', citations: [citation] }]
		},
		Date.UTC(2026, 0, 2),
		'r1'
	);

	it('exports Markdown with sections, quotes and sources, escaping text', () => {
		const md = reportToMarkdown(report);
		expect(md).toContain('# Smith v. Jones \\<draft\\>');
		expect(md).toContain('## Case summary\n\nThe tenant \\*did not\\* pay.');
		expect(md).toContain('> Rent is due \\<script\\>alert\\(1\\)\\</script\\> monthly.');
		expect(md).toContain('Monthly [1].');
		expect(md).toContain('- [1] Lease \\<final\\>.pdf, p. 3');
	});

	it('exports a print-ready HTML page with everything escaped', () => {
		const html = reportToHtml(report);
		expect(html).toContain('<title>Smith v. Jones &lt;draft&gt;</title>');
		expect(html).toContain('@page');
		expect(html).not.toContain('<script>');
		expect(html).toContain('Rent is due &lt;script&gt;alert(1)&lt;/script&gt; monthly.');
		expect(html).toContain('<li>[1] Lease &lt;final&gt;.pdf, p. 3</li>');
		expect(html).toContain('The tenant *did not* pay.');
	});
});
