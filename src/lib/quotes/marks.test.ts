import { describe, expect, it } from 'vitest';
import {
	checkAnswer,
	checkSummary,
	citedPassages,
	closestText,
	markAnswer,
	quotationLabel,
	quotationMarkdown,
	quotationTally
} from './marks.ts';

const passages = new Map([
	['k1', 'The tenant shall pay the rent of 900 euros monthly to the landlord.'],
	['k2', 'The landlord may terminate the lease by written notice of thirty days.']
]);
const citations = [
	{ n: 1, chunkId: 'k1' },
	{ n: 2, chunkId: 'k2' }
];
const answer =
	'The lease says "the rent of 900 euros monthly" [1], not "the rent of 800 euros monthly" [1]. ' +
	'It also says "by written notice of thirty days" [1] and "pay nothing at all" [9]; see [2].';

describe('quotation marks', () => {
	const checks = checkAnswer(
		answer,
		citedPassages(citations, (c) => passages.get(c.chunkId))
	);

	it('check each quotation against its cited passage: one verified, two not found, one bad citation', () => {
		expect(checks.map((c) => c.status)).toEqual(['verified', 'not-found', 'not-found', 'bad-citation']);
		expect(quotationTally(checks)).toEqual({ verified: 1, flagged: 3 });
		expect(checks.map((c) => quotationLabel(c))).toEqual([
			'Quotation verified in [1]',
			'Quotation not found in [1]',
			'Quotation not found in [1]',
			'Citation [9] does not exist'
		]);
		// The wrong passage's words are found where they really are.
		expect(closestText(checks[2]!)).toBe('Closest text, in [2]: “by written notice of thirty days”');
		expect(closestText(checks[1]!)).toMatch(/^Closest text, in \[1\]: “.*900 euros monthly/);
		expect(closestText(checks[0]!)).toBeUndefined();
	});

	it('put a mark right after each quotation, before its citation link, and keep unknown markers as text', () => {
		const segments = markAnswer(answer, citations, checks);
		const shape = segments.map((s) =>
			s.kind === 'text' ? s.text : s.kind === 'citation' ? `<${s.citation.n}>` : `{${s.check.status}}`
		);
		expect(shape.join('')).toBe(
			'The lease says "the rent of 900 euros monthly"{verified} <1>, not "the rent of 800 euros monthly"{not-found} <1>. ' +
				'It also says "by written notice of thirty days"{not-found} <1> and "pay nothing at all"{bad-citation} [9]; see <2>.'
		);
	});

	it('print marks in Markdown with the closest text', () => {
		expect(quotationMarkdown(checks[0]!)).toBe(' ✓ (verified in [1])');
		expect(quotationMarkdown(checks[2]!)).toBe(
			' ⚠ (quotation not found in [1]; closest text, in [2]: “by written notice of thirty days”)'
		);
		expect(quotationMarkdown(checks[3]!)).toBe(' ⚠ (citation [9] does not exist)');
	});
});

describe('quotations in a document summary', () => {
	it('are checked against the summarised document, cited or not', () => {
		const document =
			'The tenant shall pay the rent of 900 euros monthly to the landlord.\nThe landlord may termi-\nnate the lease.';
		const checks = checkSummary(
			'The lease sets "900 euros monthly" and says the landlord "may terminate the lease" but not "may sell".',
			document
		);
		expect(checks.map((c) => c.status)).toEqual(['verified', 'verified', 'not-found']);
		expect(quotationLabel(checks[0]!, 'lease.txt')).toBe('Quotation verified in lease.txt');
		expect(quotationLabel(checks[2]!, 'lease.txt')).toBe('Quotation not found in lease.txt');
		expect(closestText(checks[2]!, 'lease.txt')).toMatch(/^Closest text: “/);
	});
});
