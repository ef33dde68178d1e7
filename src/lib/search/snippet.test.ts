import { describe, expect, it } from 'vitest';
import { snippet } from './snippet.ts';

describe('snippet', () => {
	it('windows the text around the first match and marks every match inside it', () => {
		const text = `${'lorem '.repeat(100)}the tenant pays rent ${'ipsum '.repeat(100)}`;
		const at = text.indexOf('tenant');
		const rent = text.indexOf('rent ');
		const parts = snippet(text, [
			[at, at + 6],
			[rent, rent + 4]
		]);
		expect(parts[0]).toEqual({ text: '… ', marked: false });
		expect(parts.filter((p) => p.marked).map((p) => p.text)).toEqual(['tenant', 'rent']);
		expect(parts.at(-1)).toEqual({ text: ' …', marked: false });
		expect(parts.map((p) => p.text).join('').length).toBeLessThan(260);
	});

	it('shows short text whole', () => {
		expect(snippet('Rent is due.', [[0, 4]])).toEqual([
			{ text: 'Rent', marked: true },
			{ text: ' is due.', marked: false }
		]);
	});
});
