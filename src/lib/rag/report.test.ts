import { describe, expect, it } from 'vitest';
import { cleanQuote, composeReport } from './report.ts';

// Free Culture, PDF page 18, as pdf.js gives it: line breaks and the typesetter's hyphens.
const PAGE =
	'The Supreme Court agreed to hear the Causbys’ case. Congress had\ndeclared the airways public, but if one’s property really extended to the\nheavens, then Congress’s declaration could well have been an unconsti-\ntutional “taking” of property without compensation. The Court acknowl-\nedged that “it is ancient doctrine that common law ownership of\nthe land extended to the periphery of the universe.”';

describe('quotes in reports', () => {
	it('joins hyphenated line ends, collapses line breaks and extends to whole sentences', () => {
		const start = PAGE.indexOf('but if one’s');
		const end = PAGE.indexOf('without compensation') + 'without'.length;
		const quote = cleanQuote({ text: PAGE.slice(start, end), before: PAGE.slice(0, start), after: PAGE.slice(end) });
		expect(quote).toBe(
			'Congress had declared the airways public, but if one’s property really extended to the heavens, then Congress’s declaration could well have been an unconstitutional “taking” of property without compensation.'
		);
	});

	it('ends a sentence with its closing quote, and marks a start it cannot find', () => {
		const start = PAGE.indexOf('edged that');
		const quote = cleanQuote({
			text: PAGE.slice(start, PAGE.indexOf('ownership')),
			after: PAGE.slice(PAGE.indexOf('ownership'))
		});
		expect(quote).toBe(
			'… edged that “it is ancient doctrine that common law ownership of the land extended to the periphery of the universe.”'
		);
	});

	it('quotes the cleaned text in a composed report, naming the printed page', () => {
		const report = composeReport('c', {
			title: 'R',
			passages: [
				{ documentName: 'freeculture.pdf', page: 18, label: '2', text: 'an unconsti-\ntutional “taking” of property.' }
			]
		});
		expect(report.sections[0]!.title).toBe('freeculture.pdf, p. 2 (PDF 18)');
		expect(report.sections[0]!.body).toContain('> … an unconstitutional “taking” of property.');
		expect(report.sections[0]!.body).toContain('— freeculture.pdf, p. 2 (PDF 18)');
	});
});
