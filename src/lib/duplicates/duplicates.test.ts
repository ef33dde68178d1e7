import { describe, expect, it } from 'vitest';
import { groupNearDuplicates, rowsPerBand, type SignedDocument } from './groups.ts';
import { estimateSimilarity, jaccard, minhashSignature, shingleHashes } from './minhash.ts';
import { letter, withThreeWordsChanged } from './testing.ts';
import { sideBySide } from './word-diff.ts';

function signed(id: string, text: string): SignedDocument {
	const signature = minhashSignature(text);
	if (!signature) throw new Error(`no words in ${id}`);
	return { id, signature };
}

describe('minhash', () => {
	it('estimates Jaccard similarity close to the exact figure', () => {
		const a = letter(1);
		const b = withThreeWordsChanged(a);
		const exact = jaccard(shingleHashes(a), shingleHashes(b));
		const estimate = estimateSimilarity(minhashSignature(a)!, minhashSignature(b)!);
		expect(exact).toBeGreaterThan(0.8);
		expect(exact).toBeLessThan(1);
		// Four standard errors at 128 permutations.
		expect(Math.abs(estimate - exact)).toBeLessThan(4 * Math.sqrt((exact * (1 - exact)) / 128) + 0.01);
	});

	it('ignores case, punctuation and layout, and gives no signature to a text with no words', () => {
		expect(minhashSignature('The Tenant, shall   PAY.\nrent')).toEqual(minhashSignature('the tenant shall pay rent'));
		expect(minhashSignature(' … — ')).toBeUndefined();
	});

	it('refuses to compare signatures of different lengths', () => {
		expect(() =>
			estimateSimilarity(minhashSignature('a b c')!, minhashSignature('a b c', { permutations: 64 })!)
		).toThrow(/different lengths/);
	});
});

describe('groupNearDuplicates', () => {
	it('groups a letter with its copy with three words changed, with their similarity, and not unrelated letters', () => {
		const original = letter(7);
		const docs = [
			signed('original', original),
			signed('unrelated-1', letter(8)),
			signed('copy', withThreeWordsChanged(original)),
			signed('unrelated-2', letter(9))
		];
		const groups = groupNearDuplicates(docs);
		expect(groups).toHaveLength(1);
		expect(groups[0]!.members).toEqual(['original', 'copy']);
		expect(groups[0]!.similarity).toBeGreaterThanOrEqual(0.8);
		expect(groups[0]!.similarity).toBeLessThan(1);
		expect(groups[0]!.pairs).toEqual([{ a: 'original', b: 'copy', similarity: groups[0]!.similarity }]);
	});

	it('follows the threshold setting', () => {
		const a = letter(11);
		const docs = [signed('a', a), signed('b', withThreeWordsChanged(a))];
		const similarity = groupNearDuplicates(docs)[0]!.similarity;
		expect(groupNearDuplicates(docs, { threshold: Math.min(1, similarity + 0.05) })).toEqual([]);
		expect(() => groupNearDuplicates(docs, { threshold: 0 })).toThrow(/threshold/);
	});

	it('joins chains of drafts into one group', () => {
		const v1 = letter(21);
		const v2 = withThreeWordsChanged(v1);
		const v3 = v2.replace('Dear Sir or Madam', 'Dear Ms Jones');
		const groups = groupNearDuplicates([signed('v1', v1), signed('v2', v2), signed('v3', v3)]);
		expect(groups.map((g) => g.members)).toEqual([['v1', 'v2', 'v3']]);
	});

	it('groups a 300-document case correctly: 20 planted pairs, nothing else', () => {
		const docs: SignedDocument[] = [];
		for (let i = 0; i < 280; i++) docs.push(signed(`doc-${i}`, letter(1000 + i, 6 + (i % 10))));
		for (let i = 0; i < 20; i++)
			docs.push(signed(`copy-of-${i * 13}`, withThreeWordsChanged(letter(1000 + i * 13, 6 + ((i * 13) % 10)))));
		const groups = groupNearDuplicates(docs);
		const found = groups.map((g) => [...g.members].sort()).sort();
		const expected = Array.from({ length: 20 }, (_, i) => [`copy-of-${i * 13}`, `doc-${i * 13}`].sort()).sort();
		expect(found).toEqual(expected);
	});

	it('picks LSH bands that catch pairs at the threshold', () => {
		const rows = rowsPerBand(128, 0.8);
		const bands = 128 / rows;
		expect(1 - Math.pow(1 - Math.pow(0.8, rows), bands)).toBeGreaterThan(0.999);
	});
});

describe('sideBySide', () => {
	it('marks the changed words on each side', () => {
		const result = sideBySide('The tenant shall pay the rent monthly.', 'The tenant must pay the deposit monthly.');
		expect(result.status).toBe('compared');
		if (result.status !== 'compared') return;
		expect(result.left.filter((s) => s.kind === 'removed').map((s) => s.text.trim())).toEqual(['shall', 'rent']);
		expect(result.right.filter((s) => s.kind === 'added').map((s) => s.text.trim())).toEqual(['must', 'deposit']);
		expect(result.left.map((s) => s.text).join('')).toBe('The tenant shall pay the rent monthly.');
		expect(result.right.map((s) => s.text).join('')).toBe('The tenant must pay the deposit monthly.');
		expect([result.removedWords, result.addedWords]).toEqual([2, 2]);
	});

	it('counts the three changed words of a copy', () => {
		const a = letter(3);
		const result = sideBySide(a, withThreeWordsChanged(a));
		expect(result.status === 'compared' && [result.removedWords, result.addedWords]).toEqual([3, 3]);
	});

	it('gives up on texts too different to compare side by side', () => {
		expect(sideBySide(letter(4), letter(5), { maxEdits: 10 })).toEqual({ status: 'too-different', maxEdits: 10 });
	});
});
