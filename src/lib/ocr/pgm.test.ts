import { describe, expect, it } from 'vitest';
import { greyPgm, readPgm } from './pgm.ts';

describe('grey PGM page images', () => {
	it('writes a P5 header and one byte of luma per pixel, white under transparency', () => {
		const rgba = new Uint8Array([
			...[255, 255, 255, 255],
			...[0, 0, 0, 255],
			...[255, 0, 0, 255],
			...[0, 255, 0, 255],
			...[0, 0, 255, 255],
			...[0, 0, 0, 0],
			...[0, 0, 0, 128],
			...[128, 128, 128, 255]
		]);
		const pgm = greyPgm(rgba, 4, 2);
		expect(new TextDecoder().decode(pgm.subarray(0, 11))).toBe('P5\n4 2\n255\n');
		const { width, height, grey } = readPgm(pgm);
		expect([width, height]).toEqual([4, 2]);
		// BT.601 luma (0.299, 0.587, 0.114), within one level.
		const expected = [255, 0, 76, 150, 29, 255, 127, 128];
		grey.forEach((g, i) => expect(Math.abs(g - expected[i]!), `pixel ${i}`).toBeLessThanOrEqual(1));
		expect(pgm.length).toBe(11 + 8);
	});

	it('refuses pixels that do not fill the size', () => {
		expect(() => greyPgm(new Uint8Array(12), 2, 2)).toThrow(RangeError);
	});
});
