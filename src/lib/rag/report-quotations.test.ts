import { describe, expect, it } from 'vitest';
import { composeReport, reportToHtml, reportToMarkdown } from './report.ts';

const citation = (n: number, chunkId: string) => ({
	n,
	chunkId,
	documentId: 'd',
	documentName: 'lease.txt',
	page: n,
	start: 0,
	end: 10
});

describe('quotations in reports', () => {
	it('are marked, flagged with the closest text, and counted; an answer without passages is printed as before', () => {
		const report = composeReport(
			'c',
			{
				title: 'Lease',
				answers: [
					{
						question: 'Rent?',
						answer: 'It says "900 euros monthly" [1] and "800 euros monthly" [1]; "never" [4].',
						citations: [citation(1, 'k1')],
						passages: [{ n: 1, text: 'The tenant shall pay the rent of 900 euros monthly.' }]
					},
					{ question: 'Plain?', answer: 'No quotes "here" [1].', citations: [citation(1, 'k1')] }
				],
				chronology: {
					title: 'Chronology',
					body: '- 2024-03-03: Signed.',
					summary: {
						text: 'The lease was "signed on 3 March" [1].',
						passages: [{ n: 1, text: 'It was signed on 3 March 2024.' }]
					}
				}
			},
			1,
			'r'
		);
		expect(report.quotations).toEqual({ verified: 2, flagged: 2 });
		const md = reportToMarkdown(report);
		expect(md).toContain('"900 euros monthly" ✓ \\(verified in [1]\\) [1]');
		expect(md).toMatch(
			/"800 euros monthly" ⚠ \\\(quotation not found in \[1\]; closest text, in \[1\]: “900 euros monthly”\\\) \[1\]/
		);
		expect(md).toContain('"never" ⚠ \\(citation [4] does not exist\\) [4]');
		expect(md).toContain('No quotes "here" [1].');
		expect(md).toContain(
			'## Chronology\n\nThe lease was "signed on 3 March" ✓ \\(verified in [1]\\) [1].\n\n- 2024-03-03: Signed.'
		);
		expect(reportToHtml(report)).toContain('“900 euros monthly”');
	});

	it('check the case summary against the case’s passages, and count its flagged quotations', () => {
		const report = composeReport(
			'c',
			{
				title: 'Lease',
				caseSummary: 'The rent is “900 euros monthly” and notice is “sixty days”.',
				casePassages: [
					{ name: 'lease.txt, p. 2', text: 'The tenant shall pay the rent of 900 euros monthly.' },
					{ name: 'letter.txt, p. 1', text: 'Notice of thirty days was given.' }
				]
			},
			1,
			'r'
		);
		expect(report.quotations).toEqual({ verified: 1, flagged: 1 });
		const md = reportToMarkdown(report);
		expect(md).toContain('“900 euros monthly” ✓ \\(verified in lease.txt, p. 2\\)');
		expect(md).toContain('“sixty days” ⚠ \\(quotation not found in the case’s documents');
		// Without the passages (an older caller), the summary is printed unchecked, as before.
		expect(composeReport('c', { title: 'L', caseSummary: 'It is “anything”.' }, 1, 'r').quotations).toBeUndefined();
	});
});
