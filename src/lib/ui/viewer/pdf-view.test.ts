import { describe, expect, it } from 'vitest';
import type { TextContent } from 'pdfjs-dist/types/src/display/api.js';
import { pageTextFromItems } from '../../ingest/page-text.ts';
import { markedPieces, matchedSpans, spansInRange } from './pdf-view.ts';

function item(str: string, hasEOL = false): TextContent['items'][number] {
	return { str, dir: 'ltr', transform: [1, 0, 0, 1, 0, 0], width: str.length, height: 1, fontName: 'F1', hasEOL };
}

describe('spansInRange', () => {
	const items: TextContent['items'] = [
		item('Trace-based', false),
		item(' '),
		item('Just-in-Time', true),
		{ type: 'beginMarkedContent', id: 'mc0' },
		item('Type Specialization')
	];
	const { text } = pageTextFromItems(items);

	it('finds the text-layer spans of a character range of the page text', () => {
		const start = text.indexOf('Just');
		expect(spansInRange(items, start, start + 4)).toEqual([2]);
		// Marked-content items have no span: the span after one is still found.
		const type = text.indexOf('Type');
		expect(spansInRange(items, type, text.length)).toEqual([3]);
		expect(spansInRange(items, 0, text.length)).toEqual([0, 1, 2, 3]);
		expect(spansInRange(items, 5, 5)).toEqual([]);
	});
});

describe('matched words in the viewer', () => {
	it('cuts text into plain, passage and matched-word pieces', () => {
		const text = 'The tenant paid rent. Then the landlord left.';
		const rent = text.indexOf('rent');
		const passage = { start: text.indexOf('paid'), end: text.indexOf('Then') };
		expect(markedPieces(text, passage, [[rent, rent + 4]])).toEqual([
			{ text: 'The tenant ', passage: false, match: false },
			{ text: 'paid ', passage: true, match: false },
			{ text: 'rent', passage: true, match: true },
			{ text: '. ', passage: true, match: false },
			{ text: 'Then the landlord left.', passage: false, match: false }
		]);
		expect(markedPieces('abc', undefined, [])).toEqual([{ text: 'abc', passage: false, match: false }]);
	});

	it('finds the spans holding matched words and splits their text at the match', () => {
		const items: TextContent['items'] = [item('The tenant paid', true), item('rent on time', true)];
		const { text } = pageTextFromItems(items);
		const tenant = text.indexOf('tenant');
		const rent = text.indexOf('rent');
		const spans = matchedSpans(items, [
			[tenant, tenant + 6],
			[rent, rent + 4]
		]);
		expect([...spans.keys()]).toEqual([0, 1]);
		expect(
			spans
				.get(0)!
				.filter((p) => p.match)
				.map((p) => p.text)
		).toEqual(['tenant']);
		expect(spans.get(1)!.map((p) => [p.text, p.match])).toEqual([
			['rent', true],
			[' on time', false]
		]);
	});
});
