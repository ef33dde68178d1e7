import { describe, expect, it } from 'vitest';
import { createCase } from './cases.ts';
import { storeOriginal } from './file-store.ts';
import { formatBytes, storageByCase } from './storage.ts';
import { freshStore } from '../testing/db.ts';

describe('storage per case', () => {
	it('counts each case’s files once and its text and vectors', async () => {
		const { db, store } = await freshStore();
		const c = await createCase(db, 'C');
		const empty = await createCase(db, 'Empty');
		const file = await storeOriginal(db, store, new Blob(['12345']));
		const now = Date.now();
		for (const id of ['a', 'b'])
			await db.documents.add({
				id,
				caseId: c.id,
				sha256: file.sha256,
				name: id,
				size: 5,
				mimeType: '',
				kind: 'text',
				status: 'indexed',
				createdAt: now,
				updatedAt: now,
				rev: 0
			});
		await db.chunks.add({
			id: 'k',
			caseId: c.id,
			documentId: 'a',
			ordinal: 0,
			page: 1,
			start: 0,
			end: 3,
			text: 'abc',
			rev: 0
		});
		await db.vectors.add({
			id: 'k:m',
			chunkId: 'k',
			caseId: c.id,
			documentId: 'a',
			modelId: 'm',
			dim: 4,
			vector: new Float32Array(4)
		});
		const sizes = await storageByCase(db);
		expect(sizes.get(c.id)).toEqual({ caseId: c.id, fileBytes: 5, indexBytes: 6 + 16 });
		expect(sizes.get(empty.id)).toEqual({ caseId: empty.id, fileBytes: 0, indexBytes: 0 });
	});

	it('formats bytes for people', () => {
		expect(formatBytes(0)).toBe('0 B');
		expect(formatBytes(1500)).toBe('1.5 kB');
		expect(formatBytes(123_000_000)).toBe('123 MB');
		expect(formatBytes(undefined)).toBe('unknown');
	});
});
