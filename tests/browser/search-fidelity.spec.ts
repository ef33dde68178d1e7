import { expect, test, type Page } from '@playwright/test';
import { CasePage, Library } from './pages.ts';

/**
 * Generated documents only: a two-page contract (a form feed separates the pages) and a memo, with a word
 * split at a line end ("deliv- ery") so snippets show it joined.
 */
const CONTRACT = [
	'Supply contract between Alder Holdings and Brook Foods. The supplier keeps the delivery records for six years and hands them to the buyer on request. '.repeat(
		3
	),
	'Termination. Either party may terminate after two late deliveries, by written notice. The deliv- ery records decide any dispute about lateness.'
].join('\f');
const MEMO = 'Memo. The court ordered disclosure of the delivery records by Friday; the buyer agreed.';

async function caseWithDocuments(page: Page, title: string): Promise<CasePage> {
	const library = new Library(page);
	await library.open();
	await library.createCase(title);
	const casePage = new CasePage(page);
	await casePage.tab('Documents').click();
	await page.getByLabel('Add documents').setInputFiles([
		{ name: 'contract.txt', mimeType: 'text/plain', buffer: Buffer.from(CONTRACT) },
		{ name: 'memo.txt', mimeType: 'text/plain', buffer: Buffer.from(MEMO) }
	]);
	const rows = page.getByRole('list', { name: 'Documents in this case' });
	for (const name of ['contract.txt', 'memo.txt'])
		await expect(rows.getByRole('listitem', { name })).toContainText('Indexed', { timeout: 60_000 });
	return casePage;
}

test('search marks the matched words, groups passages by document, and Back restores the query', async ({ page }) => {
	test.setTimeout(120_000);
	const casePage = await caseWithDocuments(page, 'Search fidelity');
	await casePage.tab('Search').click();
	const box = page.getByRole('searchbox', { name: 'Search this case' });
	await box.fill('delivery records');
	await box.press('Enter');
	const results = page.getByRole('list', { name: 'Results' });
	await expect(page.getByRole('status').filter({ hasText: /passages? in 2 documents/ })).toBeVisible();
	const contract = results.getByRole('list', { name: 'Passages in contract.txt' });
	await expect(results.getByRole('list', { name: 'Passages in memo.txt' })).toBeVisible();
	// Only the matched words (and their inflections) are marked, and the word split at a line end reads whole.
	const marks = results.locator('mark');
	await expect(marks.first()).toBeVisible();
	const marked = new Set((await marks.allTextContents()).map((t) => t.toLowerCase()));
	expect(marked).toContain('delivery');
	expect(marked).toContain('records');
	expect([...marked].filter((w) => !/^(delivery|deliveries|records)$/.test(w))).toEqual([]);
	await expect(contract).toContainText('The delivery records decide');
	await expect(page).toHaveURL(/[?&]q=delivery(\+|%20)records/);

	// The viewer marks the same words inside the (lighter) passage.
	await contract.getByRole('link').first().click();
	await expect(page).toHaveURL(/\/documents\/.+\?page=\d+&.*q=/);
	const text = page.getByLabel(/Page \d+ text/);
	await expect(text.locator('mark.match').first()).toHaveText(/delivery|records/i);

	await page.goBack();
	await expect(page.getByRole('searchbox', { name: 'Search this case' })).toHaveValue('delivery records');
	await expect(page.getByRole('list', { name: 'Passages in contract.txt' })).toBeVisible();
	// A reload (or a shared link) shows the same search.
	await page.reload();
	await expect(page.getByRole('searchbox', { name: 'Search this case' })).toHaveValue('delivery records');
	await expect(page.getByRole('list', { name: 'Passages in memo.txt' })).toBeVisible();
});

test('chat without a model shows each passage’s text and links Settings › Models', async ({ page }) => {
	test.setTimeout(120_000);
	const casePage = await caseWithDocuments(page, 'No model chat');
	await casePage.tab('Chat').click();
	await page.getByRole('textbox', { name: 'Ask about this case' }).fill('Who keeps the delivery records?');
	await page.getByRole('button', { name: 'Send' }).click();
	const reply = page
		.getByRole('list', { name: 'Messages' })
		.getByRole('listitem')
		.filter({ hasText: 'The language model is not loaded' })
		.first();
	await expect(reply).toBeVisible({ timeout: 30_000 });
	await expect(reply.getByRole('link', { name: 'Settings › Models' })).toHaveAttribute('href', /\/settings/);
	const sources = reply.getByRole('list', { name: 'Sources' });
	await expect(sources).toContainText('contract.txt, p. 1');
	await expect(sources).toContainText('The supplier keeps the delivery records');
	await expect(sources.locator('mark').first()).toBeVisible();
});

test('adding documents makes no request to another host until a model is chosen', async ({ page, context }) => {
	test.setTimeout(120_000);
	const foreign: string[] = [];
	context.on('request', (request) => {
		const url = new URL(request.url());
		if (!['http:', 'https:'].includes(url.protocol)) return;
		if (url.hostname !== 'localhost' && url.hostname !== '127.0.0.1') foreign.push(request.url());
	});
	const casePage = await caseWithDocuments(page, 'Private case');
	// The embedding queue has run and parked the documents (searchable by keyword) without fetching a model.
	await casePage.tab('Search').click();
	const offer = page.getByRole('region', { name: 'Download an embedding model' });
	await expect(offer).toContainText('huggingface.co', { timeout: 30_000 });
	await expect(offer).toContainText(/\d+(\.\d+)? (MB|MiB|GB|GiB)/);
	const box = page.getByRole('searchbox', { name: 'Search this case' });
	await box.fill('disclosure');
	await box.press('Enter');
	await expect(page.getByRole('list', { name: 'Passages in memo.txt' })).toBeVisible();
	expect(foreign).toEqual([]);
	// Declining is remembered: the offer does not come back after a reload, and still nothing is fetched.
	await offer.getByRole('button', { name: 'Not now' }).click();
	await expect(offer).toHaveCount(0);
	await page.reload();
	await expect(page.getByRole('searchbox', { name: 'Search this case' })).toBeVisible();
	await expect(page.getByRole('region', { name: 'Download an embedding model' })).toHaveCount(0);
	expect(foreign).toEqual([]);
});
