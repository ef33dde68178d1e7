import { describe, expect, it } from 'vitest';
import { citationsOf, parseAnswer, viewerHref } from './citations.ts';
import { buildPrompt, SYSTEM_PROMPT } from './prompt.ts';
import type { RetrievedPassage } from './types.ts';

function passage(i: number, words: number): RetrievedPassage {
	return {
		chunkId: `c${i}`,
		documentId: `d${i}`,
		documentName: `Doc ${i}.pdf`,
		page: i,
		start: i * 10,
		end: i * 10 + 5,
		text: Array.from({ length: words }, (_, w) => `w${i}_${w}`).join(' ')
	};
}

describe('prompt builder', () => {
	it('numbers passages in order with document and page, and keeps within the context budget', () => {
		const passages = [passage(1, 50), passage(2, 50), passage(3, 50), passage(4, 50)];
		const big = buildPrompt('Who pays?', passages, { contextTokens: 100_000 });
		expect(big.numbered.map((p) => p.n)).toEqual([1, 2, 3, 4]);
		expect(big.messages[0]).toEqual({ role: 'system', content: SYSTEM_PROMPT });
		expect(big.messages[1]!.content).toMatch(/^\[1\] Doc 1\.pdf, p\. 1\n/);
		expect(big.messages[1]!.content).toContain('Question: Who pays?');

		const count = (t: string) => t.split(/\s+/).filter(Boolean).length;
		const small = buildPrompt('Who pays?', passages, { contextTokens: 200, answerTokens: 20, countTokens: count });
		expect(small.numbered.length).toBeLessThan(4);
		expect(small.numbered.length).toBeGreaterThan(0);
		const total = small.messages.reduce((n, m) => n + count(m.content), 0);
		expect(total + 20).toBeLessThanOrEqual(200);
		expect(buildPrompt('q', passages, { contextTokens: 10 }).numbered).toEqual([]);
	});
});

describe('citations', () => {
	const { numbered } = buildPrompt('q', [passage(1, 3), passage(2, 3), passage(3, 3)], { contextTokens: 10_000 });

	it('turns [n], [n, m] and [n-m] into citations and leaves unknown numbers as text', () => {
		const segments = parseAnswer('A [1]. B [2, 3]. C [1-2]. D [9]. E [x].', numbered);
		const cited = segments.filter((s) => s.kind === 'citation').map((s) => (s.kind === 'citation' ? s.citation.n : 0));
		expect(cited).toEqual([1, 2, 3, 1, 2]);
		expect(segments.at(-1)).toEqual({ kind: 'text', text: '. D [9]. E [x].' });
		expect(segments[1]).toMatchObject({
			kind: 'citation',
			citation: { documentId: 'd1', documentName: 'Doc 1.pdf', page: 1, start: 10, end: 15 }
		});
	});

	it('lists distinct citations in order of first use and links them to the viewer', () => {
		expect(citationsOf('x [2] y [1] z [2]', numbered).map((c) => c.n)).toEqual([2, 1]);
		expect(viewerHref('case 1', { documentId: 'd/2', page: 3, start: 4, end: 9 })).toBe(
			'/cases/case%201/documents/d%2F2?page=3&start=4&end=9'
		);
	});
});

describe('stored answers', () => {
	it('split into text and citation links from the saved citations', async () => {
		const { segmentsOf } = await import('./citations.ts');
		const refs = [{ n: 1, chunkId: 'c', documentId: 'd', page: 2, start: 3, end: 4 }];
		expect(segmentsOf('Due monthly [1]; see [7].', refs)).toEqual([
			{ kind: 'text', text: 'Due monthly ' },
			{ kind: 'citation', citation: refs[0] },
			{ kind: 'text', text: '; see [7].' }
		]);
	});
});
