import { existsSync, readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { makePdf } from '../../src/lib/ingest/testing/make-pdf.ts';
import { CasePage, Library } from './pages.ts';

const CORPUS = '../shared/corpus/pdfs';

test.describe('documents and search', () => {
	test.skip(!existsSync(CORPUS), 'needs ../shared/corpus (the shared PDF corpus), absent in this checkout');

	test('ingests several files to their true states, asks for a password, searches and opens the cited page', async ({
		page
	}) => {
		test.setTimeout(180_000);
		const library = new Library(page);
		await library.open();
		await library.createCase('Corpus case');
		await new CasePage(page).tab('Documents').click();

		const pdf = (name: string) => ({ name, mimeType: 'application/pdf', buffer: readFileSync(`${CORPUS}/${name}`) });
		await page.getByLabel('Add documents').setInputFiles([
			pdf('tracemonkey.pdf'),
			pdf('issue6010_1.pdf'),
			pdf('empty.pdf'),
			// A PNG under a PDF name: recognised by its bytes as an image (cut short here, so damaged, not a PDF).
			{ name: 'photo.pdf', mimeType: 'application/pdf', buffer: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex') }
		]);
		const rows = page.getByRole('list', { name: 'Documents in this case' });
		const row = (name: string) => rows.getByRole('listitem', { name });
		await expect(row('tracemonkey.pdf')).toContainText('Indexed', { timeout: 120_000 });
		await expect(row('empty.pdf')).toContainText('No text layer');
		await expect(row('photo.pdf')).toContainText('Damaged');
		await expect(row('photo.pdf')).toContainText('PNG image');
		await expect(row('issue6010_1.pdf')).toContainText('Needs password');

		const password = page.getByLabel('Password for issue6010_1.pdf');
		await password.fill('wrong');
		await row('issue6010_1.pdf').getByRole('button', { name: 'Unlock' }).click();
		await expect(row('issue6010_1.pdf')).toContainText('Needs password');
		await page.getByLabel('Password for issue6010_1.pdf').fill('abc');
		await row('issue6010_1.pdf').getByRole('button', { name: 'Unlock' }).click();
		await expect(row('issue6010_1.pdf')).not.toContainText('Needs password', { timeout: 30_000 });

		await new CasePage(page).tab('Search').click();
		const box = page.getByRole('searchbox', { name: 'Search this case' });
		await box.fill('"Trace-based Just-in-Time Type Specialization"');
		await box.press('Enter');
		const results = page.getByRole('list', { name: 'Results' });
		const first = results.getByRole('listitem').first();
		await expect(first).toContainText('tracemonkey.pdf');
		await expect(first).toContainText(/p\. 1(?!\d)/);

		await box.fill('specializaton');
		await box.press('Enter');
		await expect(page.getByRole('button', { name: /Did you mean: specialization/ })).toBeVisible();

		await box.fill('"Trace-based Just-in-Time Type Specialization"');
		await box.press('Enter');
		await results.getByRole('link').first().click();
		await expect(page).toHaveURL(/\/documents\/.+\?page=1&/);
		const pageRegion = page.getByRole('region', { name: 'Page 1' });
		await expect(pageRegion).toContainText('Trace-based Just-in-Time Type Specialization');
		// The cited passage is highlighted in the text layer over the rendered page.
		await expect(pageRegion.locator('.highlight').first()).toBeVisible({ timeout: 30_000 });
	});
});

test.describe('printed page labels', () => {
	test('a result and the viewer name the page as printed, beside the PDF page', async ({ page }) => {
		test.setTimeout(120_000);
		const library = new Library(page);
		await library.open();
		await library.createCase('Labels case');
		await new CasePage(page).tab('Documents').click();
		const bodies = [
			'The index of exhibits and the list of witnesses.',
			'The tenant shall pay rent monthly to the landlord.',
			'The landlord may terminate the lease after two missed payments.'
		];
		const buffer = Buffer.from(
			makePdf({ pages: 3, lines: (n) => [bodies[n - 1]!], header: () => 'LEASE BUNDLE', footer: (n) => `${n + 10}` })
		);
		await page.getByLabel('Add documents').setInputFiles([{ name: 'bundle.pdf', mimeType: 'application/pdf', buffer }]);
		const rows = page.getByRole('list', { name: 'Documents in this case' });
		await expect(rows.getByRole('listitem', { name: 'bundle.pdf' })).toContainText('Indexed', { timeout: 60_000 });

		await new CasePage(page).tab('Search').click();
		const box = page.getByRole('searchbox', { name: 'Search this case' });
		await box.fill('terminate');
		await box.press('Enter');
		const first = page.getByRole('list', { name: 'Results' }).getByRole('listitem').first();
		await expect(first).toContainText('p. 13 (PDF 3)');
		// The running header is not part of the passage.
		await expect(first).not.toContainText('LEASE BUNDLE');
		await first.getByRole('link').click();
		await expect(page.getByLabel('Printed page')).toHaveText('p. 13 (PDF 3)');
	});
});
