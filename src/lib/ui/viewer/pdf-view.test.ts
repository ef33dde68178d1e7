import { describe, expect, it } from 'vitest';
import type { TextContent } from 'pdfjs-dist/types/src/display/api.js';
import { pageTextFromItems } from '../../ingest/page-text.ts';
import { spansInRange } from './pdf-view.ts';

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
