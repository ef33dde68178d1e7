import { describe, expect, it } from 'vitest';
import { releaseUnreferencedFiles, storeOriginal } from './file-store.ts';
import { sha256Hex, sha256Streaming } from './hash.ts';
import { freshStore } from '../testing/db.ts';

describe('content-addressed file store', () => {
	it('hashes with SHA-256', async () => {
		expect(await sha256Hex(new Blob(['abc']))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
	});

	it('streams the same hash as the one-shot path', async () => {
		const bytes = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) % 251);
		const blob = new Blob([bytes]);
		expect(await sha256Streaming(blob)).toBe(await sha256Hex(blob));
	});

	it('stores each distinct content once and returns it byte-identical', async () => {
		const { db, store } = await freshStore();
		const bytes = new Uint8Array([0, 1, 2, 255, 254, 10, 13]);
		const a = await storeOriginal(db, store, new Blob([bytes]), 'application/octet-stream');
		const b = await storeOriginal(db, store, new Blob([bytes]), 'application/octet-stream');
		expect(b).toEqual(a);
		expect(await db.files.count()).toBe(1);
		const back = await store.get(a.sha256);
		expect(new Uint8Array(await back!.arrayBuffer())).toEqual(bytes);
	});

	it('releases only files nothing refers to', async () => {
		const { db, store } = await freshStore();
		const row = await storeOriginal(db, store, new Blob(['x']));
		const now = Date.now();
		await db.tensors.add({
			id: 't',
			caseId: 'c',
			name: 'x.npy',
			sha256: row.sha256,
			shape: [1],
			dtype: 'float32',
			createdAt: now
		});
		await releaseUnreferencedFiles(db, store, [row.sha256]);
		expect(await store.get(row.sha256)).toBeDefined();
		await db.tensors.delete('t');
		await releaseUnreferencedFiles(db, store, [row.sha256]);
		expect(await store.get(row.sha256)).toBeUndefined();
	});
});
