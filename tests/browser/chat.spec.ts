import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { CasePage, Library } from './pages.ts';

/** Two pages (a form feed separates them): rent on page 1, termination on page 2. */
const LEASE = [
	'Lease between Alder Holdings and Brook Tenant. The tenant shall pay the rent of 900 euros monthly to the landlord, on the first day of each month.',
	'Termination. The landlord may terminate the lease after two missed rent payments, by written notice of thirty days.'
].join('\f');

async function caseWithLease(page: Page, title: string) {
	const library = new Library(page);
	await library.open();
	await library.createCase(title);
	const casePage = new CasePage(page);
	await casePage.tab('Documents').click();
	await page
		.getByLabel('Add documents')
		.setInputFiles([{ name: 'lease.txt', mimeType: 'text/plain', buffer: Buffer.from(LEASE) }]);
	await expect(
		page.getByRole('list', { name: 'Documents in this case' }).getByRole('listitem', { name: 'lease.txt' })
	).toContainText('Indexed', { timeout: 60_000 });
	await casePage.tab('Chat').click();
	return casePage;
}

async function ask(page: Page, question: string) {
	await page.getByRole('textbox', { name: 'Ask about this case' }).fill(question);
	await page.getByRole('button', { name: 'Send' }).click();
}

const messages = (page: Page) => page.getByRole('list', { name: 'Messages' });

test.describe('chat with the scripted test engine', () => {
	// The deterministic engine stands in for web-llm at the AI worker boundary (src/lib/ai/test-chat-engine.ts).
	// Only a test build has it (`DOCKET_TEST_ENGINE=scripted npx vite build`, as `npm test` builds); there the
	// AI worker's starter (src/lib/ai/ai-worker.testing.ts) reads this key.
	test.beforeEach(async ({ page }) => {
		await page.addInitScript(() => localStorage.setItem('docket.testAiEngine', 'scripted'));
	});

	test('an answer streams in with citations; [1] opens the cited page highlighted; Stop stops; the thread survives a reload', async ({
		page
	}) => {
		test.setTimeout(120_000);
		await caseWithLease(page, 'Chat case');
		await expect(page.getByText('Answers come from test/scripted-chat.')).toBeVisible();

		await ask(page, 'When may the landlord terminate the lease?');
		const answer = messages(page).getByRole('listitem').filter({ hasText: 'says something' }).first();
		await expect(answer.getByRole('link', { name: '[1]' }).first()).toBeVisible();
		await expect(answer.getByRole('list', { name: 'Sources' })).toContainText('lease.txt, p. 2');

		// Stop mid-answer: a slow answer shows its text while streaming, then stops where it was.
		await ask(page, 'Tell me slowly about the rent');
		const writing = page.getByLabel('Answer being written');
		await expect(writing).toContainText('says something', { timeout: 20_000 });
		await expect(writing.getByRole('link', { name: '[1]' })).toBeVisible();
		await page.getByRole('button', { name: 'Stop' }).click();
		await expect(messages(page).getByText('Stopped.')).toBeVisible();
		await expect(page.getByRole('button', { name: 'Send' })).toBeDisabled(); // empty box
		const stopped = messages(page).getByRole('listitem').filter({ hasText: 'Stopped.' });
		expect(await stopped.textContent()).not.toMatch(/(And more\. ){39}/);

		// The thread is stored: after a reload it is reopened with both questions.
		await page.reload();
		await expect(messages(page)).toContainText('When may the landlord terminate the lease?');
		await expect(messages(page)).toContainText('Tell me slowly about the rent');

		// [1] of the first answer opens the viewer at the cited page with the passage highlighted.
		const first = messages(page).getByRole('listitem').filter({ hasText: 'page 2 [1]' }).first();
		await first.getByRole('link', { name: '[1]' }).first().click();
		await expect(page).toHaveURL(/\/documents\/.+\?page=2&start=\d+&end=\d+/);
		await expect(page.getByLabel('Page 2 text').locator('mark')).toContainText('terminate the lease');
	});

	test('summarises a document and the case, and exports a report as Markdown and as a print-ready page', async ({
		page,
		context
	}) => {
		test.setTimeout(120_000);
		await caseWithLease(page, 'Report case');
		await ask(page, 'When may the landlord terminate the lease?');
		const answer = messages(page).getByRole('listitem').filter({ hasText: 'says something' }).first();
		await expect(answer.getByRole('link', { name: '[1]' }).first()).toBeVisible();
		await answer.getByRole('button', { name: 'Add to report' }).click();
		await expect(answer.getByRole('button', { name: 'Add to report' })).toHaveAttribute('aria-pressed', 'true');
		// A sign that it worked, and the answer listed in the report, by its question.
		await expect(answer).toContainText('In the report');
		const chosen = page.getByRole('list', { name: 'Chosen answers' });
		await expect(chosen).toContainText('When may the landlord terminate the lease?');
		// The summary's menu names the document it will summarise.
		await expect(page.getByRole('combobox', { name: 'Document to summarise' })).toHaveValue(/.+/);
		await expect(page.getByRole('combobox', { name: 'Document to summarise' })).toContainText('lease.txt');

		await page.getByRole('button', { name: 'Summarise document' }).click();
		await expect(page.getByRole('article', { name: 'Summary of lease.txt' })).toContainText('In short:');
		await page.getByRole('button', { name: 'Summarise case' }).click();
		await expect(page.getByRole('article', { name: 'Case summary' })).toContainText('In short:');

		// A key passage picked in Search goes into the same report.
		await new CasePage(page).tab('Search').click();
		const box = page.getByRole('searchbox', { name: 'Search this case' });
		await box.fill('rent monthly');
		await box.press('Enter');
		await page.getByRole('button', { name: 'Add to report: lease.txt, p. 1' }).click();
		await new CasePage(page).tab('Chat').click();
		await expect(page.getByRole('list', { name: 'Key passages' })).toContainText('lease.txt, p. 1');
		// The picks are saved: a reload keeps both the passage and the answer.
		await page.reload();
		await expect(page.getByRole('list', { name: 'Key passages' })).toContainText('lease.txt, p. 1');
		await expect(answer.getByRole('button', { name: 'Add to report' })).toHaveAttribute('aria-pressed', 'true');

		await page.getByRole('textbox', { name: 'Report title' }).fill('Lease report');
		const downloading = page.waitForEvent('download');
		await page.getByRole('button', { name: 'Export Markdown' }).click();
		const download = await downloading;
		expect(download.suggestedFilename()).toBe('Lease-report.md');
		const markdown = readFileSync(await download.path(), 'utf8');
		expect(markdown).toMatch(/^# Lease report/);
		expect(markdown).toContain('## Case summary');
		expect(markdown).toContain('## When may the landlord terminate the lease?');
		expect(markdown).toContain('[1] lease.txt, p. 2');
		expect(markdown).toContain('## lease.txt, p. 1');
		expect(markdown).toContain('900 euros monthly');

		const opening = context.waitForEvent('page');
		await page.getByRole('button', { name: 'Open print-ready page' }).click();
		const printable = await opening;
		await printable.waitForLoadState();
		await expect(printable.getByRole('heading', { name: 'Lease report', level: 1 })).toBeVisible();
		await expect(printable.getByRole('heading', { name: 'Case summary' })).toBeVisible();

		// Each chosen answer can be taken out again.
		await chosen.getByRole('button', { name: 'Remove answer When may the landlord terminate the lease?' }).click();
		await expect(chosen).toHaveCount(0);
		await expect(answer.getByRole('button', { name: 'Add to report' })).toHaveAttribute('aria-pressed', 'false');
	});
});

test('without a chat model, a question shows the matching passages and says the model is not loaded', async ({
	page
}) => {
	test.setTimeout(120_000);
	await caseWithLease(page, 'No model case');
	await ask(page, 'When may the landlord terminate the lease?');
	const reply = messages(page).getByRole('listitem').filter({ hasText: 'The language model is not loaded' });
	await expect(reply).toBeVisible({ timeout: 30_000 });
	await expect(reply.getByRole('list', { name: 'Sources' })).toContainText('lease.txt, p. 2');
	await expect(reply.getByRole('link', { name: '[1]' }).first()).toBeVisible();
	await expect(page.getByText(/No language model is loaded/)).toBeVisible();

	// Search says plainly that only lexical mode runs without an embedding model.
	await new CasePage(page).tab('Search').click();
	await expect(
		page.getByText(/Searching by words only: meaning-based \(semantic and hybrid\) search needs an embedding model/)
	).toBeVisible();
	await expect(page.getByRole('combobox', { name: 'Search mode' })).toHaveValue('lexical');
	await expect(page.getByRole('option', { name: 'Meaning (semantic)' })).toBeDisabled();
	const box = page.getByRole('searchbox', { name: 'Search this case' });
	await box.fill('terminate');
	await box.press('Enter');
	await expect(page.getByRole('list', { name: 'Results' }).getByRole('listitem').first()).toContainText('p. 2');
});
