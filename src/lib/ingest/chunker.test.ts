import { describe, expect, it } from 'vitest';
import { chunkPages, DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE } from './chunker.ts';
import type { ExtractedPage } from './types.ts';

/** Deterministic prose: sentences of varied length, so breaks are exercised. */
function prose(words: number, seed = 1): string {
	const vocabulary = [
		'the',
		'court',
		'held',
		'that',
		'plaintiff',
		'contract',
		'was',
		'void',
		'under',
		'section',
		'twelve',
		'and',
		'damages',
		'follow'
	];
	let x = seed;
	const out: string[] = [];
	for (let i = 0; i < words; i++) {
		x = (x * 1103515245 + 12345) % 2147483648;
		out.push(vocabulary[x % vocabulary.length]!);
		if (x % 11 === 0) out[out.length - 1] += '.';
		if (x % 97 === 0) out[out.length - 1] += '\n\n';
	}
	return out.join(' ');
}

describe('chunkPages', () => {
	const pages: ExtractedPage[] = [
		{ page: 1, text: prose(900, 1) },
		{ page: 2, text: '' },
		{ page: 3, text: 'Short page.' },
		{ page: 4, text: prose(400, 7) }
	];
	const chunks = chunkPages(pages);

	it('keeps every chunk’s text equal to its character range of the page', () => {
		for (const chunk of chunks) {
			expect(chunk.text).toBe(pages.find((p) => p.page === chunk.page)!.text.slice(chunk.start, chunk.end));
		}
	});

	it('never makes a chunk longer than the size, nor one that is only whitespace', () => {
		for (const chunk of chunks) {
			expect(chunk.end - chunk.start).toBeLessThanOrEqual(DEFAULT_CHUNK_SIZE);
			expect(chunk.text.trim()).toBe(chunk.text);
			expect(chunk.text.length).toBeGreaterThan(0);
		}
	});

	it('numbers chunks in document order and skips pages without text', () => {
		expect(chunks.map((c) => c.ordinal)).toEqual(chunks.map((_, i) => i));
		expect(chunks.some((c) => c.page === 2)).toBe(false);
		expect(chunks.filter((c) => c.page === 3)).toEqual([
			{ ordinal: expect.any(Number), page: 3, start: 0, end: 11, text: 'Short page.' }
		]);
		const order = chunks.map((c) => c.page * 1e7 + c.start);
		expect(order).toEqual([...order].sort((a, b) => a - b));
	});

	it('covers every non-space character of each page', () => {
		for (const { page, text } of pages) {
			const covered = new Uint8Array(text.length);
			for (const c of chunks.filter((c) => c.page === page)) covered.fill(1, c.start, c.end);
			for (let i = 0; i < text.length; i++)
				if (!/\s/.test(text[i]!)) expect(covered[i], `page ${page} char ${i}`).toBe(1);
		}
	});

	it('overlaps neighbouring chunks of a page by about 15%', () => {
		const page1 = chunks.filter((c) => c.page === 1);
		expect(page1.length).toBeGreaterThan(4);
		for (let i = 1; i < page1.length; i++) {
			const shared = page1[i - 1]!.end - page1[i]!.start;
			expect(shared).toBeGreaterThan(DEFAULT_CHUNK_OVERLAP * 0.6);
			expect(shared).toBeLessThanOrEqual(DEFAULT_CHUNK_OVERLAP);
		}
	});

	it('ends chunks at sentence or word boundaries and starts them at a word', () => {
		const text = pages[0]!.text;
		for (const c of chunks.filter((c) => c.page === 1)) {
			if (c.end < text.length) expect(text[c.end]).toMatch(/\s/);
			if (c.start > 0) expect(text[c.start - 1]).toMatch(/\s/);
		}
	});

	it('cuts text with no spaces at the size, and still moves forward', () => {
		const text = 'x'.repeat(2500);
		const hard = chunkPages([{ page: 1, text }], { size: 1000, overlap: 150 });
		expect(hard.map((c) => [c.start, c.end])).toEqual([
			[0, 1000],
			[850, 1850],
			[1700, 2500]
		]);
	});

	it('is deterministic and respects custom sizes', () => {
		expect(chunkPages(pages)).toEqual(chunks);
		const small = chunkPages(pages, { size: 200, overlap: 30 });
		expect(small.every((c) => c.text.length <= 200)).toBe(true);
		expect(small.length).toBeGreaterThan(chunks.length * 3);
	});

	it('refuses an overlap as large as the chunk', () => {
		expect(() => chunkPages(pages, { size: 100, overlap: 100 })).toThrow(RangeError);
	});
});
