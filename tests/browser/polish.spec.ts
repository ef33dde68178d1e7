import { writeFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { makePdf } from '../../src/lib/ingest/testing/make-pdf.ts';
import { encodeNpy } from '../../src/lib/tensor/npy.ts';
import { CasePage, Library } from './pages.ts';

async function openDocuments(page: Page, title: string) {
	const library = new Library(page);
	await library.open();
	await library.createCase(title);
	await new CasePage(page).tab('Documents').click();
	return page.getByRole('list', { name: 'Documents in this case' });
}

/** Dark pixels (luma under 60) in a rectangle of the rendered page, read from a screenshot in the browser. */
async function darkPixels(page: Page, clip: { x: number; y: number; width: number; height: number }): Promise<number> {
	const png = (await page.screenshot({ clip, fullPage: true })).toString('base64');
	return page.evaluate(async (data) => {
		const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${data}`)).blob());
		const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
		const context = canvas.getContext('2d')!;
		context.drawImage(bitmap, 0, 0);
		const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
		let dark = 0;
		for (let i = 0; i < pixels.length; i += 4)
			if (0.299 * pixels[i]! + 0.587 * pixels[i + 1]! + 0.114 * pixels[i + 2]! < 60) dark++;
		return dark;
	}, png);
}

test('the viewer centres a page fitted to the width, keeps its toolbar, pages from the keyboard, and draws no dark box under a scan', async ({
	page
}, testInfo) => {
	test.setTimeout(120_000);
	await page.setViewportSize({ width: 1366, height: 860 });
	const scan = testInfo.outputPath('scan.pdf');
	// Image-only pages: a scan with no text layer, which is what made pdf.js's measuring canvas appear.
	writeFileSync(scan, makePdf({ pages: 3, lines: () => [], imageBytesPerPage: 30_000 }));
	const rows = await openDocuments(page, 'Viewer polish');
	await page.getByLabel('Add documents').setInputFiles(scan);
	await expect(rows.getByRole('listitem', { name: 'scan.pdf' })).toContainText('3 pages', { timeout: 60_000 });
	await rows.getByRole('link', { name: 'Open scan.pdf' }).click();

	const region = page.getByRole('region', { name: 'Page 1' });
	await expect(region).toBeFocused({ timeout: 30_000 });
	await expect.poll(() => region.locator('canvas').evaluate((c: HTMLCanvasElement) => c.width)).toBeGreaterThan(300);
	const toolbar = page.getByRole('navigation', { name: 'Document navigation' });
	await expect(page.getByRole('button', { name: 'Fit to width' })).toHaveAttribute('aria-pressed', 'true');
	// Fitted and centred: the page spans nearly all of the content column, with equal margins.
	const box = (await region.boundingBox())!;
	const bar = (await toolbar.boundingBox())!;
	expect(box.width).toBeGreaterThan(bar.width * 0.9);
	expect(Math.abs(box.x + box.width / 2 - (bar.x + bar.width / 2))).toBeLessThan(4);
	await testInfo.attach('viewer-scan', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });

	// Nothing dark below the page (pdf.js's opaque 300×150 canvas was drawn there).
	const scroll = await page.evaluate(() => ({ y: window.scrollY, height: document.documentElement.scrollHeight }));
	const below = box.y + scroll.y + box.height + 2;
	const height = Math.min(300, scroll.height - below);
	if (height > 10) expect(await darkPixels(page, { x: 0, y: below, width: 1366, height })).toBe(0);
	await expect(page.locator('canvas.hiddenCanvasElement')).toBeHidden();

	// The toolbar stays in view while the page scrolls under it.
	await page.mouse.wheel(0, 900);
	await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(300);
	const stuck = (await toolbar.boundingBox())!;
	expect(stuck.y).toBeGreaterThanOrEqual(-1);
	expect(stuck.y).toBeLessThan(5);

	// Page keys with the page focused.
	await page.keyboard.press('ArrowRight');
	await expect(page.getByRole('region', { name: 'Page 2' })).toBeVisible();
	await page.keyboard.press('PageDown');
	await expect(page.getByRole('region', { name: 'Page 3' })).toBeVisible();
	await expect(page).toHaveURL(/page=3/);
	await page.keyboard.press('PageUp');
	await expect(page.getByRole('region', { name: 'Page 2' })).toBeVisible();
	await page.keyboard.press('ArrowLeft');
	await expect(page.getByRole('region', { name: 'Page 1' })).toBeVisible();
	// Typing a page number is not paging: the keys belong to the field there.
	const number = toolbar.getByRole('spinbutton', { name: 'Page' });
	await number.focus();
	await page.keyboard.press('ArrowRight');
	await expect(page.getByRole('region', { name: 'Page 1' })).toBeVisible();
});

test('the Tensors tab lays out Minimum and Maximum above the slice, follows the volume shown, and says when a resample finished', async ({
	page
}) => {
	test.setTimeout(120_000);
	// Volume 0 spans about ±1, volume 1 about 99…101: one range for both would wash volume 0 out.
	const shape = [2, 4, 6, 8];
	const size = 4 * 6 * 8;
	const data = Float32Array.from({ length: 2 * size }, (_, i) => (i < size ? Math.sin(i) : 100 + Math.sin(i)));
	await openDocuments(page, 'Tensor polish');
	await new CasePage(page).tab('Tensors').click();
	await page.getByLabel('Import tensor').setInputFiles({
		name: 'two.npy',
		mimeType: 'application/octet-stream',
		buffer: Buffer.from(encodeNpy({ shape, data }))
	});
	const minimum = page.getByRole('spinbutton', { name: 'Minimum' });
	const maximum = page.getByRole('spinbutton', { name: 'Maximum' });
	await expect.poll(async () => Number(await maximum.inputValue())).toBeLessThan(1.01);
	expect(Number(await minimum.inputValue())).toBeGreaterThan(-1.01);
	await page.getByRole('slider', { name: 'Volume' }).fill('1');
	await expect.poll(async () => Number(await minimum.inputValue())).toBeGreaterThan(98);
	expect(Number(await maximum.inputValue())).toBeLessThan(101.01);

	// Both fields wholly visible, side by side, above the slice.
	const slice = (await page.getByLabel('Slice view').boundingBox())!;
	const fieldset = (await page.getByRole('group', { name: 'Slice viewer' }).boundingBox())!;
	for (const field of [minimum, maximum]) {
		const b = (await field.boundingBox())!;
		expect(b.y + b.height).toBeLessThanOrEqual(slice.y);
		expect(b.x).toBeGreaterThanOrEqual(fieldset.x);
		expect(b.x + b.width).toBeLessThanOrEqual(fieldset.x + fieldset.width);
	}

	await page.getByRole('combobox', { name: 'Backend' }).selectOption('cpu');
	await page.getByRole('button', { name: 'Resample' }).click();
	await expect(page.getByRole('group', { name: 'Resample' }).getByRole('status')).toContainText(
		/Resampled two\.npy to \[2×8×12×16\] in [\d.]+ s on the CPU/,
		{ timeout: 60_000 }
	);
});
