import { describe, expect, it } from 'vitest';
import { encodeNpy } from './npy.ts';
import { checkNpyFileSize, openNpy } from './open.ts';

describe('opening a .npy tensor (the worker side of import)', () => {
	const data = Float64Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => (i === 7 ? -Infinity : i === 8 ? NaN : i / 10));

	it('narrows float64 to float32 and finds the finite range, aligned or not', async () => {
		const bytes = encodeNpy({ shape: [2, 3, 4, 5], data });
		const shifted = new Uint8Array(bytes.length + 3);
		shifted.set(bytes, 3);
		for (const view of [bytes, shifted.subarray(3)]) {
			const { tensor, info } = await openNpy(view, 'scan.npy');
			expect(info).toEqual({
				shape: [2, 3, 4, 5],
				dtype: 'float64',
				min: 0,
				max: Math.fround(11.9),
				// Volume 0 holds values 0…5.9 (−∞ and NaN skipped), volume 1 holds 6…11.9.
				volumes: [
					{ min: 0, max: Math.fround(5.9) },
					{ min: Math.fround(6), max: Math.fround(11.9) }
				]
			});
			expect(tensor.data).toEqual(Float32Array.from(data));
		}
	});

	it('refuses other ranks and empty axes with the file’s name', async () => {
		await expect(openNpy(encodeNpy({ shape: [4, 5], data: new Float32Array(20) }), 'flat.npy')).rejects.toThrow(
			/flat\.npy has shape \[4, 5\].*4D/
		);
		await expect(openNpy(encodeNpy({ shape: [1, 0, 2, 2], data: new Float32Array(0) }), 'empty.npy')).rejects.toThrow(
			/empty axis/
		);
	});

	it('refuses a file too large before reading it', () => {
		expect(() => checkNpyFileSize('big.npy', 3 * 2 ** 30)).toThrow(/big\.npy holds/);
		expect(() => checkNpyFileSize('ok.npy', 2 ** 30)).not.toThrow();
	});
});
