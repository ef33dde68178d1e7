import { describe, expect, it } from 'vitest';
import { cachingAssets } from './pdf-platform.ts';

describe('cachingAssets', () => {
	it('reads each asset once, hands every caller its own copy, and reads again after a failure', async () => {
		const reads: string[] = [];
		let fail = true;
		const read = cachingAssets((kind, filename) => {
			reads.push(`${kind}/${filename}`);
			if (filename === 'flaky.bcmap' && fail) {
				fail = false;
				return Promise.reject(new Error('offline'));
			}
			return Promise.resolve(new Uint8Array([1, 2, 3]));
		});
		const a = await read('standardFontDataUrl', 'FoxitSans.pfb');
		a[0] = 9;
		expect(await read('standardFontDataUrl', 'FoxitSans.pfb')).toEqual(new Uint8Array([1, 2, 3]));
		await expect(read('cMapUrl', 'flaky.bcmap')).rejects.toThrow('offline');
		expect(await read('cMapUrl', 'flaky.bcmap')).toEqual(new Uint8Array([1, 2, 3]));
		expect(reads).toEqual(['standardFontDataUrl/FoxitSans.pfb', 'cMapUrl/flaky.bcmap', 'cMapUrl/flaky.bcmap']);
	});
});
