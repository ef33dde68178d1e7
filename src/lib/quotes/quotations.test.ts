import { describe, expect, it } from 'vitest';
import { checkQuotations, normaliseForQuote, type QuotablePassage } from './quotations.ts';

// Text as pdf.js and OCR hand it back: line-end hyphenation, ligatures, curly apostrophes, ragged spacing.
const OPINION = `The Court concludes that the ordinance, as applied to the plaintiﬀs, is unconsti-
tutional. The City’s interest in public order, however weighty,  does not justify a
prior restraint of this breadth; the ordinance sweeps in a sub-
stantial amount of protected speech.`;

const LEASE = `7.2 Termination. Either party may terminate this Lease upon sixty (60) days’ written
notice to the other party. The Tenant shall surrender the Premises in good con-
dition, reasonable wear and tear excepted.`;

// A scanned letter, OCR'd: a fi ligature, a hyphen with a stray space, a doubled space.
const LETTER = `We conﬁrm that the goods were deliv- ered on 3 March 2024 and that  no com-
plaint was received before the invoice fell due.`;

const passages: QuotablePassage[] = [
	{ n: 1, text: OPINION },
	{ n: 2, text: LEASE },
	{ n: 3, text: LETTER }
];

describe('normaliseForQuote', () => {
	it('joins line-end hyphenation, folds ligatures, quote marks and whitespace', () => {
		expect(normaliseForQuote('unconsti-\ntutional').text).toBe('unconstitutional');
		expect(normaliseForQuote('unconsti- tutional').text).toBe('unconstitutional');
		expect(normaliseForQuote('plaintiﬀs’  case').text).toBe("plaintiffs' case");
		expect(normaliseForQuote('“a”\u00AD b').text).toBe('"a" b');
		// An accent typed as a combining mark matches the precomposed letter.
		expect(normaliseForQuote('cafe\u0301 re\u0301sume\u0301').text).toBe('café résumé');
	});

	it('keeps a map back to the original characters', () => {
		const source = 'con-\n dition  ﬁne';
		const { text, origin } = normaliseForQuote(source);
		expect(text).toBe('condition fine');
		expect(source[origin[text.indexOf('d')]!]).toBe('d');
		expect(source[origin[text.indexOf('f')]!]).toBe('ﬁ');
	});

	it('does not join a hyphen between a word and a number', () => {
		expect(normaliseForQuote('Form W- 2').text).toBe('Form W- 2');
	});
});

describe('checkQuotations', () => {
	it("marks the issue's case exactly: correct, altered, wrong passage, nonexistent citation", () => {
		const answer = [
			'The court held the ordinance "is unconstitutional" as applied [1].',
			'It added that the City\u2019s interest, “however weighty, does not justify a prior restraint of any kind” [1].',
			'The lease allows termination "upon sixty (60) days\u2019 written notice" [1].',
			'The goods were "delivered on 3 March 2024" [7].'
		].join(' ');
		const checks = checkQuotations(answer, passages);
		expect(checks.map((c) => [c.quote, c.status, c.citations])).toEqual([
			['is unconstitutional', 'verified', [1]],
			['however weighty, does not justify a prior restraint of any kind', 'not-found', [1]],
			['upon sixty (60) days\u2019 written notice', 'not-found', [1]],
			['delivered on 3 March 2024', 'bad-citation', [7]]
		]);
		expect(checks[0]!.verifiedIn).toBe(1);
		// The altered quote: the closest text is the passage's own words, original characters kept.
		expect(checks[1]!.closest?.n).toBe(1);
		expect(checks[1]!.closest?.text).toContain('however weighty,  does not justify a\nprior restraint of this');
		expect(checks[1]!.closest!.similarity).toBeLessThan(1);
		// The quote from the wrong passage: found word for word in [2].
		expect(checks[2]!.closest).toMatchObject({ n: 2, similarity: 1 });
		expect(checks[2]!.closest!.text).toBe('upon sixty (60) days’ written\nnotice');
		// The nonexistent citation: flagged, and the real source still offered.
		expect(checks[3]!.missing).toEqual([7]);
		expect(checks[3]!.closest).toMatchObject({ n: 3, similarity: 1 });
	});

	it('verifies across hyphenation, ligatures, OCR spacing and quote variants', () => {
		const answer =
			'The sender wrote that “the goods were delivered on 3 March 2024 and that no complaint was received” [3], and the ' +
			'court found it reached "a substantial amount of protected speech" [1]. The Tenant must return the premises "in ' +
			'good condition, reasonable wear and tear excepted." [2] It spoke of "the plaintiffs" [1] and "sixty (60) days\' written notice" [2].';
		const checks = checkQuotations(answer, passages);
		expect(checks).toHaveLength(5);
		expect(checks.map((c) => c.status)).toEqual(['verified', 'verified', 'verified', 'verified', 'verified']);
		expect(checks.map((c) => c.verifiedIn)).toEqual([3, 1, 2, 1, 2]);
	});

	it('treats case and changed words as differences', () => {
		const checks = checkQuotations('It said "The Tenant shall surrender the premises" [2].', passages);
		expect(checks[0]!.status).toBe('not-found');
		expect(checks[0]!.closest?.text).toBe('The Tenant shall surrender the Premises');
	});

	it('accepts an ellipsis marking an omission, with the parts in order', () => {
		expect(
			checkQuotations('"The Court concludes that … the ordinance sweeps in a substantial amount" [1]', passages)[0]
				?.status
		).toBe('verified');
		expect(checkQuotations('"the ordinance sweeps in … The Court concludes" [1]', passages)[0]?.status).toBe(
			'not-found'
		);
	});

	it('attributes a quotation to a citation before it in the same sentence, and skips unattributed ones', () => {
		const checks = checkQuotations(
			'As [2] puts it, "Either party may terminate this Lease". Someone said "nothing like this". See [1].',
			passages
		);
		expect(checks).toHaveLength(1);
		expect(checks[0]).toMatchObject({ status: 'verified', citations: [2] });
	});

	it('verifies against any of several cited passages, and flags a range reaching a missing one', () => {
		expect(checkQuotations('"no complaint was received" [1, 3]', passages)[0]).toMatchObject({
			status: 'verified',
			verifiedIn: 3
		});
		expect(checkQuotations('"no complaint was received" [3-4]', passages)[0]).toMatchObject({
			status: 'bad-citation',
			missing: [4]
		});
	});

	it('offers no closest text when nothing is near', () => {
		const [check] = checkQuotations('"quantum chromodynamics in the tropics" [1]', passages);
		expect(check?.status).toBe('not-found');
		expect(check?.closest).toBeUndefined();
	});
});
