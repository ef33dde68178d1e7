import { describe, expect, it } from 'vitest';
import { Bm25Index, type Bm25Document } from './bm25.ts';

const doc = (id: string, text: string): Bm25Document => {
	const terms = text.split(' ');
	return { id, terms, length: new Set(terms).size, documentId: id.split('-')[0]!, page: 1 };
};

describe('Bm25Index', () => {
	it('scores rarer terms higher and counts matched query terms', () => {
		const index = new Bm25Index();
		index.add(doc('a-1', 'rent rent tenant'));
		index.add(doc('a-2', 'rent landlord'));
		index.add(doc('b-1', 'causby farm'));
		const hits = index.search([
			{ term: 'rent', prefix: false },
			{ term: 'tenant', prefix: false }
		]);
		expect(hits.map((h) => index.idOf(h.slot))).toEqual(['a-1', 'a-2']);
		expect(hits[0]!.terms).toEqual(['rent', 'tenant']);
		expect(hits[0]!.score).toBeGreaterThan(2 * hits[1]!.score);
		expect(index.search([{ term: 'land', prefix: true }]).map((h) => index.idOf(h.slot))).toEqual(['a-2']);
		expect(index.search([{ term: 'rent', prefix: false }], { required: ['tenant'] }).length).toBe(1);
		expect(index.search([{ term: 'rent', prefix: false }], { keep: (s) => index.documentIdOf(s) === 'b' })).toEqual([]);
	});

	it('removes documents, with or without their terms, compacts, and round-trips through JSON', () => {
		const index = new Bm25Index();
		for (let i = 0; i < 2500; i++) index.add(doc(`d-${i}`, i % 2 ? 'odd word' : 'even word'));
		for (let i = 0; i < 2000; i++)
			index.remove(`d-${i}`, i % 3 ? (i % 2 ? ['odd', 'word'] : ['even', 'word']) : undefined);
		expect(index.size).toBe(500);
		expect(index.documentFrequency('odd')).toBe(250);
		const hits = index.search([{ term: 'odd', prefix: false }]);
		expect(hits.length).toBe(250);
		expect(hits.every((h) => Number(index.idOf(h.slot).slice(2)) >= 2000)).toBe(true);
		const copy = Bm25Index.fromJSON(JSON.parse(JSON.stringify(index.toJSON())));
		expect(copy.search([{ term: 'odd', prefix: false }]).map((h) => [copy.idOf(h.slot), h.score])).toEqual(
			index.search([{ term: 'odd', prefix: false }]).map((h) => [index.idOf(h.slot), h.score])
		);
		// Document numbers (per-document counts) still name each slot's document after compaction and a copy.
		index.add(doc('e-1', 'odd one'));
		for (const i of [index, copy])
			for (const h of i.search([{ term: 'odd', prefix: false }]))
				expect(i.documentIdOfNumber(i.documentNumberOf(h.slot))).toBe(i.documentIdOf(h.slot));
		expect(index.documentCount).toBe(2);
		expect(() => index.add(doc('d-2400', 'again'))).toThrow(/Duplicate/);
	});
});
