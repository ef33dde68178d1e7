import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { resampleCpu } from '../../src/lib/tensor/cpu.ts';
import { encodeNpy, parseNpy } from '../../src/lib/tensor/npy.ts';
import { CasePage, Library } from './pages.ts';

test('imports a 4D .npy, resamples it on WebGPU, keeps it with the case and exports the scipy-exact result', async ({ page }) => {
	test.setTimeout(120_000);
	const shape = [2, 5, 6, 7];
	const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37) * 10);
	const input = { shape, data };

	const library = new Library(page);
	await library.open();
	await library.createCase('Scan case');
	await new CasePage(page).tab('Tensors').click();
	await page.getByLabel('Import tensor').setInputFiles({ name: 'scan.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(encodeNpy(input)) });
	await expect(page.getByRole('combobox', { name: 'Tensor', exact: true })).toContainText('scan.npy [2×5×6×7]');

	// Defaults: zoom 2 on each interpolated axis, cubic B-spline, mirror, WebGPU.
	await page.getByRole('button', { name: 'Resample' }).click();
	await expect(page.getByRole('combobox', { name: 'Tensor', exact: true })).toContainText('[2×10×12×14]', { timeout: 90_000 });
	await expect(page.getByRole('img', { name: 'Slice view' }).or(page.getByLabel('Slice view'))).toBeVisible();

	const download = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export .npy' }).click();
	const exported = parseNpy(new Uint8Array(await readFile(await (await download).path())));
	expect(exported.shape).toEqual([2, 10, 12, 14]);
	const expected = resampleCpu(input, { zoom: [2, 2, 2], kernel: 'bspline3', mode: 'mirror' });
	let worst = 0;
	for (let i = 0; i < expected.data.length; i++) worst = Math.max(worst, Math.abs(exported.data[i]! - expected.data[i]!));
	expect(worst).toBeLessThan(1e-4);

	// Attached to the case: still there after a reload.
	await page.reload();
	await expect(page.getByRole('combobox', { name: 'Tensor', exact: true })).toContainText('[2×10×12×14]');
});
