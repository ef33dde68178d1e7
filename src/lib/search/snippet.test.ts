import { describe, expect, it } from 'vitest';
import { dehyphenate, joinedHighlights, snippet } from './snippet.ts';

const joined = (parts: { text: string }[]) => parts.map((p) => p.text).join('');
const marks = (parts: { text: string; marked: boolean }[]) => parts.filter((p) => p.marked).map((p) => p.text);
const range = (text: string, word: string, from = 0): [number, number] => {
	const at = text.indexOf(word, from);
	return [at, at + word.length];
};

describe('snippet', () => {
	it('windows the text around the matches and marks every match inside it', () => {
		const text = `${'lorem '.repeat(100)}the tenant pays rent ${'ipsum '.repeat(100)}`;
		const parts = snippet(
			text,
			[range(text, 'tenant'), range(text, 'rent ')].map(([s, e]) => [s, e - 1])
		);
		expect(parts[0]!.text.startsWith('… ')).toBe(true);
		expect(marks(parts)).toEqual(['tenant', 'rent']);
		expect(parts.at(-1)!.text.endsWith(' …')).toBe(true);
		expect(joined(parts).length).toBeLessThan(260);
	});

	it('centres the window on the densest run of matches, not the first one', () => {
		const text = `rent ${'lorem '.repeat(80)}tenant landlord lease ${'ipsum '.repeat(80)}`;
		const parts = snippet(text, [
			range(text, 'rent'),
			range(text, 'tenant'),
			range(text, 'landlord'),
			range(text, 'lease')
		]);
		expect(marks(parts)).toEqual(['tenant', 'landlord', 'lease']);
		const shown = joined(parts);
		const at = shown.indexOf('tenant');
		// Roughly as much text before the matches as after them.
		expect(Math.abs(at - (shown.length - shown.indexOf('lease') - 5))).toBeLessThan(30);
	});

	it('cuts at word boundaries only', () => {
		const text = `${'alphabet '.repeat(60)}tenant ${'omega '.repeat(60)}`;
		for (const length of [50, 77, 121, 240]) {
			const shown = joined(snippet(text, [range(text, 'tenant')], length));
			const inner = shown.replace(/^… /, '').replace(/ …$/, '');
			expect(
				inner.split(' ').every((w) => w === 'alphabet' || w === 'omega' || w === 'tenant'),
				inner
			).toBe(true);
		}
	});

	it('joins words split at a line end and marks the whole word', () => {
		const text = 'The statute was appar- ently unconsti-\ntutional, said the free-software group.';
		const parts = snippet(text, [range(text, 'unconsti')]);
		expect(joined(parts)).toBe('The statute was apparently unconstitutional, said the free-software group.');
		expect(marks(parts)).toEqual(['unconstitutional']);
	});

	it('keeps suspended compounds and capitalised words after a hyphen', () => {
		expect(dehyphenate('pre- and post-war').text).toBe('pre- and post-war');
		expect(dehyphenate('Anglo- Saxon').text).toBe('Anglo- Saxon');
		for (const kept of [
			'pre- but not post-',
			'Die Ein- und Ausfuhr',
			'pré- et post-contractuels',
			'Exhibit A- the lease',
			'heading re-\n\nthe text'
		])
			expect(dehyphenate(kept).text).toBe(kept);
		const { text, from } = dehyphenate('ab- cd');
		expect(text).toBe('abcd');
		expect(from).toEqual([0, 1, 4, 5, 6]);
	});

	it('carries highlight ranges into the joined text', () => {
		const original = 'a nega- tive and positive';
		const result = joinedHighlights(original, [range(original, 'tive'), range(original, 'positive')]);
		expect(result.highlights.map(([s, e]) => result.text.slice(s, e))).toEqual(['negative', 'positive']);
	});

	it('stays about its length in text without spaces', () => {
		const cjk =
			'本契約は賃貸人と賃借人との間で締結される。'.repeat(40) +
			'敷金の返還' +
			'本契約は賃貸人と賃借人との間で締結される。'.repeat(40);
		const parts = snippet(cjk, [range(cjk, '敷金')]);
		expect(joined(parts).length).toBeLessThan(300);
		expect(marks(parts)[0]).toContain('敷金');
		const url = `see https://docs.example.com/${'a1B2c3'.repeat(300)} for the lease terms`;
		expect(joined(snippet(url, [range(url, 'lease')])).length).toBeLessThan(300);
	});

	it('shows short text whole', () => {
		expect(snippet('Rent is due.', [[0, 4]])).toEqual([
			{ text: 'Rent', marked: true },
			{ text: ' is due.', marked: false }
		]);
		expect(snippet('No match here.', [])).toEqual([{ text: 'No match here.', marked: false }]);
	});
});
