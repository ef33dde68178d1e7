import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { resampleCpu } from '../../src/lib/tensor/cpu.ts';
import { encodeNpy, parseNpy } from '../../src/lib/tensor/npy.ts';
import { CasePage, Library } from './pages.ts';

test('imports a 4D .npy, resamples it on WebGPU, keeps it with the case and exports the scipy-exact result', async ({
	page
}) => {
	test.setTimeout(120_000);
	const shape = [2, 5, 6, 7];
	const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37) * 10);
	const input = { shape, data };

	const library = new Library(page);
	await library.open();
	await library.createCase('Scan case');
	await new CasePage(page).tab('Tensors').click();
	await page
		.getByLabel('Import tensor')
		.setInputFiles({ name: 'scan.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(encodeNpy(input)) });
	await expect(page.getByRole('combobox', { name: 'Tensor', exact: true })).toContainText('scan.npy [2×5×6×7]');
	// Parsed and drawn in the tensor worker: the slice along axis 1 is 7 wide and 6 high, and not blank.
	const slice = page.getByLabel('Slice view');
	await expect.poll(() => slice.evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([7, 6]);
	const distinct = await slice.evaluate(
		(c: HTMLCanvasElement) => new Set(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data).size
	);
	expect(distinct).toBeGreaterThan(10);

	// Defaults: zoom 2 on each interpolated axis, cubic B-spline, mirror, WebGPU.
	await page.getByRole('button', { name: 'Resample' }).click();
	await expect(page.getByRole('combobox', { name: 'Tensor', exact: true })).toContainText('[2×10×12×14]', {
		timeout: 90_000
	});
	await expect.poll(() => slice.evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([14, 12]);

	const download = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export .npy' }).click();
	const exported = parseNpy(new Uint8Array(await readFile(await (await download).path())));
	expect(exported.shape).toEqual([2, 10, 12, 14]);
	const expected = resampleCpu(input, { zoom: [2, 2, 2], kernel: 'bspline3', mode: 'mirror' });
	let worst = 0;
	for (let i = 0; i < expected.data.length; i++)
		worst = Math.max(worst, Math.abs(exported.data[i]! - expected.data[i]!));
	expect(worst).toBeLessThan(1e-4);

	// Attached to the case: still there after a reload.
	await page.reload();
	await expect(page.getByRole('combobox', { name: 'Tensor', exact: true })).toContainText('[2×10×12×14]');
	// The first tensor shows after a reload; the result opens from the store into the worker when picked.
	await expect
		.poll(() => page.getByLabel('Slice view').evaluate((c: HTMLCanvasElement) => [c.width, c.height]))
		.toEqual([7, 6]);
	await page.getByRole('combobox', { name: 'Tensor', exact: true }).selectOption({ index: 1 });
	await expect
		.poll(() => page.getByLabel('Slice view').evaluate((c: HTMLCanvasElement) => [c.width, c.height]))
		.toEqual([14, 12]);

	// The CPU backend, on the tensor worker's own threads, gives the CPU reference bit for bit.
	const tensors = page.getByRole('combobox', { name: 'Tensor', exact: true });
	await tensors.selectOption({ index: 0 });
	await page.getByRole('combobox', { name: 'Backend' }).selectOption('CPU');
	await page.getByRole('button', { name: 'Resample' }).click();
	await expect(tensors.getByRole('option')).toHaveCount(3, { timeout: 60_000 });
	const cpuDownload = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export .npy' }).click();
	const cpuExported = parseNpy(new Uint8Array(await readFile(await (await cpuDownload).path())));
	expect(cpuExported.shape).toEqual([2, 10, 12, 14]);
	expect(Array.from(cpuExported.data)).toEqual(Array.from(expected.data));
});

test('refuses a .npy that is not a 4D float tensor, with a plain message', async ({ page }) => {
	const library = new Library(page);
	await library.open();
	await library.createCase('Bad scan case');
	await new CasePage(page).tab('Tensors').click();
	const flat = encodeNpy({ shape: [4, 4, 4], data: new Float32Array(64) });
	await page
		.getByLabel('Import tensor')
		.setInputFiles({ name: 'flat.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(flat) });
	await expect(page.getByRole('alert')).toContainText('4D');
	await expect(page.getByText('No tensors in this case yet.')).toBeVisible();
});
