import { describe, expect, it } from 'vitest';
import { freshStore } from '../testing/db.ts';
import { encodeNpy } from './npy.ts';
import { deleteTensor, importTensor, listTensors, loadTensor, saveResampled, tensorBytes } from './repository.ts';

describe('tensors attached to a case', () => {
	it('imports, lists, loads, stores a resampled result with its source, and deletes', async () => {
		const { db, store } = await freshStore();
		const bytes = encodeNpy({ shape: [1, 2, 2, 2], data: Float64Array.from({ length: 8 }, (_, i) => i / 3) });
		const row = await importTensor(db, store, 'case-1', 'scan.npy', bytes);
		expect(row).toMatchObject({ caseId: 'case-1', name: 'scan.npy', shape: [1, 2, 2, 2], dtype: 'float64' });
		const loaded = await loadTensor(store, row);
		expect(loaded.data).toEqual(Float32Array.from({ length: 8 }, (_, i) => i / 3));
		expect(new Uint8Array(await (await tensorBytes(store, row)).arrayBuffer())).toEqual(bytes);

		const resampled = await saveResampled(
			db,
			store,
			row,
			{ shape: [1, 4, 4, 4], data: new Float32Array(64).fill(2) },
			{ zoom: [2, 2, 2] }
		);
		expect(resampled).toMatchObject({
			sourceId: row.id,
			name: 'scan 1×4×4×4.npy',
			params: { zoom: [2, 2, 2] },
			dtype: 'float32'
		});
		expect((await listTensors(db, 'case-1')).map((t) => t.id)).toEqual([row.id, resampled.id]);
		expect(await listTensors(db, 'case-2')).toEqual([]);

		await deleteTensor(db, store, row);
		expect(await store.get(row.sha256)).toBeUndefined();
		expect(await store.get(resampled.sha256)).toBeDefined();
	});

	it('refuses what the lab cannot read', async () => {
		const { db, store } = await freshStore();
		await expect(
			importTensor(db, store, 'c', 'flat.npy', encodeNpy({ shape: [8], data: new Float32Array(8) }))
		).rejects.toThrow(/4D/);
		await expect(importTensor(db, store, 'c', 'junk.npy', new TextEncoder().encode('not numpy'))).rejects.toThrow(
			/not a NumPy/
		);
		expect(await db.tensors.count()).toBe(0);
	});
});
