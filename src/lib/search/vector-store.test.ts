import { describe, expect, it } from 'vitest';
import type { VectorRow } from '../db/schema.ts';
import { freshDatabase } from '../testing/db.ts';
import { CaseVectorStore } from './vector-store.ts';
import { flatten, randomVectors } from './testing.ts';
import { bruteForceTopK } from './topk.ts';

function rows(caseId: string, modelId: string, vectors: Float32Array[], prefix: string): VectorRow[] {
	return vectors.map((vector, i) => {
		const chunkId = `${prefix}${String(i).padStart(4, '0')}`;
		return { id: `${chunkId}:${modelId}`, chunkId, caseId, documentId: 'doc', modelId, dim: vector.length, vector };
	});
}

describe('CaseVectorStore', () => {
	it('loads a case lazily from Dexie, stays warm, and adds new vectors incrementally', async () => {
		const db = await freshDatabase();
		const a = randomVectors(200, 24, 1);
		await db.vectors.bulkPut(rows('case-1', 'm1', a, 'a'));
		const store = new CaseVectorStore(db);
		expect(store.isWarm('case-1', 'm1')).toBe(false);
		const query = randomVectors(1, 24, 2)[0]!;
		const ids = a.map((_, i) => `a${String(i).padStart(4, '0')}`);
		expect(await store.search('case-1', 'm1', query, 5)).toEqual(bruteForceTopK(flatten(a, 24), ids, 24, query, 5));
		expect(store.isWarm('case-1', 'm1')).toBe(true);
		expect(store.lastBackend).toBe('cpu');

		// A vector stored afterwards joins the warm index without a reload.
		const late = rows('case-1', 'm1', [query], 'late');
		await db.vectors.bulkPut(late);
		await store.added(late);
		const hits = await store.search('case-1', 'm1', query, 1);
		expect(hits[0]?.id).toBe('late0000');
		await db.delete();
	});

	it('never mixes cases or models', async () => {
		const db = await freshDatabase();
		const v = randomVectors(30, 16, 3);
		await db.vectors.bulkPut([
			...rows('case-1', 'm1', v, 'x'),
			...rows('case-2', 'm1', v, 'y'),
			...rows('case-1', 'm2', randomVectors(5, 8, 4), 'z')
		]);
		const store = new CaseVectorStore(db);
		const hits = await store.search('case-1', 'm1', v[0]!, 50);
		expect(hits).toHaveLength(30);
		expect(hits.every((h) => h.id.startsWith('x'))).toBe(true);
		const other = await store.search('case-1', 'm2', randomVectors(1, 8, 5)[0]!, 50);
		expect(other.map((h) => h.id[0])).toEqual(['z', 'z', 'z', 'z', 'z']);
		expect(await store.search('case-3', 'm1', v[0]!, 5)).toEqual([]);
		await store.invalidate('case-1');
		expect(store.isWarm('case-1', 'm1')).toBe(false);
		expect(store.isWarm('case-2', 'm1')).toBe(false);
		await db.delete();
	});
});
