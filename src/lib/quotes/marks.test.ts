import { describe, expect, it } from 'vitest';
import {
	caseSource,
	checkAnswer,
	checkCaseSummary,
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

describe('the case summary', () => {
	const casePassages = [
		{ name: 'lease.pdf, p. 2', text: 'The tenant shall pay the rent of 900 euros monthly to the land-\nlord.' },
		{ name: 'letter.txt, p. 1', text: 'We write to give written notice of thirty days under clause 7.' },
		// Many more passages than the closest-text search reads in full.
		...Array.from({ length: 40 }, (_, i) => ({
			name: `filler-${i}.txt, p. 1`,
			text: `Routine entry ${i} about deliveries.`
		}))
	];

	it('verifies a quotation in whichever source passage holds it, and names that passage', () => {
		const [check] = checkCaseSummary('The lease says the rent is “900 euros monthly to the landlord”.', casePassages);
		expect(check).toMatchObject({ status: 'verified', where: 'lease.pdf, p. 2', citations: [] });
		expect(caseSource(check!)).toBe('lease.pdf, p. 2');
	});

	it('flags a quotation no source passage holds (however a summary phrased it), with the closest source text', () => {
		// A document summary wrote "sixty days"; the case summary repeats it; the letter says thirty.
		const [check] = checkCaseSummary('The landlord gave “written notice of sixty days” to the tenant.', casePassages);
		expect(check!.status).toBe('not-found');
		expect(check!.where).toBe('letter.txt, p. 1');
		expect(caseSource(check!)).toBe('the case’s documents');
		expect(closestText(check!, caseSource(check!))).toBe(
			'Closest text, in letter.txt, p. 1: “written notice of thirty days”'
		);
		expect(quotationMarkdown(check!, caseSource(check!))).toContain('not found in the case’s documents');
	});

	it('takes a document named in quotation marks as a title, not a quotation; a near-name is still checked', () => {
		const named = casePassages.map((p) => ({ ...p, document: p.name.replace(/, p\. \d+$/, '') }));
		const summary = 'Document “lease.pdf”: the rent is “900 euros monthly”. Document “lease-old.pdf” is “missing”.';
		const checks = checkCaseSummary(summary, named);
		expect(checks.map((c) => c.quote)).toEqual(['900 euros monthly', 'lease-old.pdf', 'missing']);
		expect(checks.map((c) => c.status)).toEqual(['verified', 'not-found', 'not-found']);
		// Without the names, the title is checked like any quotation (and is not in the text).
		expect(checkCaseSummary(summary, casePassages)[0]).toMatchObject({ quote: 'lease.pdf', status: 'not-found' });
	});

	it('a document summary may name its own document in quotation marks', () => {
		const summary = 'In short: “lease.pdf” says the rent is “900 euros monthly”.';
		const text = 'The tenant shall pay the rent of 900 euros monthly.';
		expect(checkSummary(summary, text, 'lease.pdf').map((c) => c.status)).toEqual(['verified']);
		expect(checkSummary(summary, text).map((c) => c.status)).toEqual(['not-found', 'verified']);
	});
});
