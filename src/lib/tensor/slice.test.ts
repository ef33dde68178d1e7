import { describe, expect, it } from 'vitest';
import { colour, renderSlice, valueRange } from './slice.ts';
import { tensorOf } from './test-data.ts';

describe('slice viewer pixels', () => {
	const tensor = tensorOf([2, 3, 4, 5], (t, z, y, x) => 100 * t + 10 * z + y + x / 10);

	it('cuts along each axis with the right size and values', () => {
		const z = renderSlice(tensor, 1, 1, 2, 100, 200, 'gray');
		expect([z.width, z.height]).toEqual([5, 4]);
		// value 100 + 20 + 0 + 0 = 120 → 20 % of the range → 51
		expect(Array.from(z.rgba.subarray(0, 4))).toEqual([51, 51, 51, 255]);
		const y = renderSlice(tensor, 0, 2, 1, 0, 100, 'gray');
		expect([y.width, y.height]).toEqual([5, 3]);
		const x = renderSlice(tensor, 0, 3, 4, 0, 100, 'gray');
		expect([x.width, x.height]).toEqual([4, 3]);
	});

	it('clamps to min/max, shows NaN in magenta, and maps colours', () => {
		const withNaN = tensorOf([1, 1, 1, 3], (_, __, ___, x) => (x === 1 ? NaN : x * 10));
		const image = renderSlice(withNaN, 0, 1, 0, 0, 10, 'viridis');
		expect(Array.from(image.rgba.subarray(4, 8))).toEqual([255, 0, 255, 255]);
		expect(Array.from(image.rgba.subarray(8, 11))).toEqual(colour('viridis', 1));
		expect(colour('viridis', 0)).toEqual([68, 1, 84]);
		expect(colour('hot', 1)).toEqual([255, 255, 255]);
		expect(colour('gray', 2)).toEqual([255, 255, 255]);
		expect(valueRange(withNaN.data)).toEqual({ min: 0, max: 20 });
	});
});
