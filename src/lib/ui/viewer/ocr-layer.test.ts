import { describe, expect, it } from 'vitest';
import type { PageWord } from '../../db/schema.ts';
import { parseQuery } from '../../search/terms.ts';
import { placeWords } from './ocr-layer.ts';

const text = 'Exhibit 14 was signed\nby the witness.';
const words: PageWord[] = [
	{ text: 'Exhibit', confidence: 95, box: [0.1, 0.1, 0.3, 0.15], start: 0, end: 7 },
	{ text: '14', confidence: 95, box: [0.32, 0.1, 0.4, 0.15], start: 8, end: 10 },
	{ text: 'was', confidence: 95, box: [0.42, 0.1, 0.5, 0.15], start: 11, end: 14 },
	{ text: 'signed', confidence: 95, box: [0.52, 0.1, 0.7, 0.15], start: 15, end: 21 },
	{ text: 'by', confidence: 95, box: [0.1, 0.2, 0.15, 0.25], start: 22, end: 24 },
	{ text: 'the', confidence: 95, box: [0.17, 0.2, 0.25, 0.25], start: 25, end: 28 },
	{ text: 'witness.', confidence: 95, box: [0.27, 0.2, 0.45, 0.25], start: 29, end: 37 }
];

describe('OCR text layer', () => {
	it('places each word on its box at the page’s drawn size', () => {
		const placed = placeWords(text, words, { width: 800, height: 1000 }, undefined, undefined);
		expect(placed[0]).toMatchObject({ left: 80, top: 100, passage: false, match: false });
		expect(placed[0]!.width).toBeCloseTo(160);
		expect(placed[0]!.height).toBeCloseTo(50);
	});

	it('marks the searched words (inflections too) inside the cited passage only, and shades the passage', () => {
		const query = parseQuery('sign witness');
		const all = placeWords(text, words, { width: 800, height: 1000 }, undefined, query);
		expect(all.filter((p) => p.match).map((p) => p.word.text)).toEqual(['signed', 'witness.']);
		const passage = placeWords(text, words, { width: 800, height: 1000 }, { start: 22, end: 37 }, query);
		expect(passage.filter((p) => p.match).map((p) => p.word.text)).toEqual(['witness.']);
		expect(passage.filter((p) => p.passage).map((p) => p.word.text)).toEqual(['by', 'the', 'witness.']);
	});
});
