import { readFileSync } from 'node:fs';
import { expect, test, type APIRequestContext, type BrowserContext, type Page } from '@playwright/test';
import { BROWSER_TEST_PORT } from '../../playwright.config.ts';
import { letter, withThreeWordsChanged } from '../../src/lib/duplicates/testing.ts';
import { CasePage, Library } from './pages.ts';
import { addUser } from './server.ts';

/**
 * The chronology, quotation marks and near-duplicates in the app (issue 17), on documents the tests write
 * themselves: dates known in advance, a letter and its copy with three words changed.
 */

const SERVER = `http://localhost:${BROWSER_TEST_PORT}`;

const LEASE = {
	name: 'lease.txt',
	mimeType: 'text/plain',
	buffer: Buffer.from(
		'The lease between Alder Holdings and Brook Tenant was signed on 3 March 2024. The keys were handed to Jane Doe on 10 March 2024.'
	)
};
const LETTER = {
	name: 'letter.txt',
	mimeType: 'text/plain',
	buffer: Buffer.from(
		'On 1 February 2024 John Roe wrote to Alder Holdings about the deposit. The first rent fell due on 04/05/2024.'
	)
};

async function addDocuments(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]) {
	await new CasePage(page).tab('Documents').click();
	await page.getByLabel('Add documents').setInputFiles(files);
	const list = page.getByRole('list', { name: 'Documents in this case' });
	for (const f of files)
		await expect(list.getByRole('listitem', { name: f.name })).toContainText('Indexed', { timeout: 60_000 });
}

const chronology = (page: Page) => page.getByRole('table', { name: 'Chronology' });
/** The chronology's rows below the header, as their text. */
async function rows(page: Page): Promise<string[]> {
	const all = await chronology(page).getByRole('row').allInnerTexts();
	return all.slice(1).map((r) => r.replace(/\s+/g, ' ').trim());
}

async function signedIn(context: BrowserContext, token: string): Promise<{ page: Page; app: Library }> {
	const page = await context.newPage();
	const app = new Library(page);
	await app.open();
	await app.gotoSettings();
	const form = page.getByRole('form', { name: 'Sync server' });
	await form.getByRole('textbox', { name: 'Server URL' }).fill(SERVER);
	await form.getByRole('textbox', { name: 'Access token' }).fill(token);
	await form.getByRole('button', { name: 'Connect' }).click();
	await expect(app.connection).toHaveText('Synced');
	await app.gotoCases();
	return { page, app };
}

async function serverEdits(request: APIRequestContext, token: string): Promise<Record<string, unknown>[]> {
	const response = await request.get(`${SERVER}/api/v1/pull?since=0&limit=1000`, {
		headers: { authorization: `Bearer ${token}` }
	});
	const body = (await response.json()) as { changes: { table: string; fields: Record<string, unknown> }[] };
	return body.changes.filter((c) => c.table === 'eventEdits').map((c) => c.fields);
}

test('the chronology lists dated events in order, filters, takes edits that survive a reload and reach a teammate', async ({
	browser,
	request
}) => {
	test.setTimeout(180_000);
	const team = `Chronology firm ${Date.now()}`;
	const [alice, bob] = [await addUser('Alice', team), await addUser('Bob', team)];
	const contextA = await browser.newContext({ locale: 'en-US' });
	const contextB = await browser.newContext({ locale: 'en-GB' });
	const a = await signedIn(contextA, alice);
	const title = `Orchard lease ${Date.now()}`;
	await a.app.createCase(title);
	const casePage = new CasePage(a.page);

	// Before any document: a clear empty state.
	await casePage.tab('Timeline').click();
	await expect(a.page.getByRole('heading', { name: 'No documents yet' })).toBeVisible();

	await addDocuments(a.page, [LEASE, LETTER]);
	await casePage.tab('Timeline').click();
	// US English reads 04/05/2024 month first.
	await expect(a.page.getByRole('combobox', { name: 'Date order' })).toHaveValue('mdy');
	await expect(chronology(a.page).getByRole('row')).toHaveCount(5);
	expect(await rows(a.page)).toEqual([
		expect.stringMatching(/^2024-02-01 On 1 February 2024 John Roe wrote .* letter\.txt, p\. 1 Edit Drop$/),
		expect.stringMatching(/^2024-03-03 The lease .* was signed on 3 March 2024\. .*lease\.txt, p\. 1 Edit Drop$/),
		expect.stringMatching(
			/^2024-03-10 The keys were handed to Jane Doe on 10 March 2024\. .*Jane Doe.* lease\.txt, p\. 1/
		),
		expect.stringMatching(/^2024-04-05 The first rent fell due on 04\/05\/2024\./)
	]);
	// Day first reads the same text again: 4 May, now last in order.
	await a.page.getByRole('combobox', { name: 'Date order' }).selectOption('dmy');
	await expect(chronology(a.page).getByRole('row').nth(4)).toContainText('2024-05-04');

	// Filters: by person, by document, by date range.
	await a.page.getByRole('combobox', { name: 'Person' }).selectOption('Jane Doe');
	expect(await rows(a.page)).toEqual([expect.stringContaining('The keys were handed to Jane Doe')]);
	await a.page.getByRole('button', { name: 'Clear filters' }).first().click();
	// A company is an organisation, not a person.
	await expect(
		a.page.getByRole('combobox', { name: 'Person' }).getByRole('option', { name: 'Alder Holdings' })
	).toHaveCount(0);
	await a.page.getByRole('combobox', { name: 'Organisation' }).selectOption('Alder Holdings');
	expect(await rows(a.page)).toEqual([expect.stringContaining('John Roe wrote to Alder Holdings')]);
	await a.page.getByRole('button', { name: 'Clear filters' }).first().click();
	await a.page.getByRole('combobox', { name: 'Document' }).selectOption({ label: 'letter.txt' });
	await expect(chronology(a.page).getByRole('row')).toHaveCount(3);
	await a.page.getByRole('combobox', { name: 'Document' }).selectOption({ label: 'All documents' });
	await a.page.getByLabel('From', { exact: true }).fill('2024-03-01');
	await a.page.getByLabel('To', { exact: true }).fill('2024-03-31');
	await expect(chronology(a.page).getByRole('row')).toHaveCount(3);
	const csv = a.page.waitForEvent('download');
	await a.page.getByRole('button', { name: 'Export CSV' }).click();
	const csvText = readFileSync(await (await csv).path(), 'utf8');
	expect(csvText.split('\r\n').filter(Boolean)).toHaveLength(3);
	expect(csvText).toContain('"2024-03-10"');
	await a.page.getByRole('button', { name: 'Clear filters' }).first().click();

	// Edit by keyboard: Escape cancels and gives focus back; then fix a date and add a note, Enter saves.
	const keys = chronology(a.page).getByRole('row').filter({ hasText: 'The keys were handed' });
	await keys.getByRole('button', { name: 'Edit' }).focus();
	await a.page.keyboard.press('Enter');
	await expect(a.page.getByRole('textbox', { name: 'Corrected date' })).toBeFocused();
	await a.page.keyboard.press('Escape');
	await expect(a.page.getByRole('form', { name: 'Edit event' })).toHaveCount(0);
	await expect(keys.getByRole('button', { name: 'Edit' })).toBeFocused();
	await a.page.keyboard.press('Enter');
	const date = a.page.getByRole('textbox', { name: 'Corrected date' });
	await expect(date).toBeFocused();
	await date.fill('11 March');
	await a.page.getByRole('textbox', { name: 'Note' }).fill('The receipt says 11 March.');
	await a.page.getByRole('button', { name: 'Save' }).click();
	await expect(a.page.getByRole('form', { name: 'Edit event' }).getByRole('alert')).toContainText(
		'is not a date Docket can sort by'
	);
	await date.fill('2024-03-11');
	await date.press('Enter');
	await expect(keys.getByRole('button', { name: 'Edit' })).toBeFocused();
	await expect(keys).toContainText('2024-03-11');
	await expect(keys).toContainText('text says 2024-03-10');
	await expect(keys).toContainText('Note: The receipt says 11 March.');
	// Drop a false event: it leaves the list, and comes back with "Show dropped events".
	await chronology(a.page)
		.getByRole('row')
		.filter({ hasText: 'first rent fell due' })
		.getByRole('button', { name: 'Drop' })
		.click();
	await expect(chronology(a.page).getByRole('row')).toHaveCount(4);

	await a.page.reload();
	await expect(chronology(a.page).getByRole('row')).toHaveCount(4);
	await expect(chronology(a.page).getByRole('row').filter({ hasText: 'The keys were handed' })).toContainText(
		'Note: The receipt says 11 March.'
	);
	await a.page.getByRole('checkbox', { name: 'Show dropped events' }).check();
	await expect(chronology(a.page).getByRole('row').filter({ hasText: 'first rent fell due' })).toContainText('dropped');

	// The edits reach the server, and Bob sees them on his own laptop.
	await expect
		.poll(async () => (await serverEdits(request, alice)).map((f) => f['note'] ?? f['dropped']).sort(), {
			timeout: 60_000
		})
		.toEqual(['The receipt says 11 March.', true]);
	const b = await signedIn(contextB, bob);
	await expect(b.app.caseLink(title)).toBeVisible({ timeout: 30_000 });
	await b.app.caseLink(title).click();
	await new CasePage(b.page).tab('Timeline').click();
	await expect(chronology(b.page).getByRole('row')).toHaveCount(4, { timeout: 60_000 });
	const bobKeys = chronology(b.page).getByRole('row').filter({ hasText: 'The keys were handed' });
	await expect(bobKeys).toContainText('2024-03-11');
	await expect(bobKeys).toContainText('Note: The receipt says 11 March.');
	await expect(chronology(b.page).getByRole('row').filter({ hasText: 'first rent fell due' })).toHaveCount(0);
	await contextA.close();
	await contextB.close();
});

test.describe('with the scripted test engine', () => {
	test.beforeEach(async ({ page }) => {
		await page.addInitScript(() => localStorage.setItem('docket.testAiEngine', 'scripted'));
	});

	test('quotations get exactly the right marks; a report with a flagged one is refused until the setting is off; a period is summarised', async ({
		page
	}) => {
		test.setTimeout(120_000);
		const library = new Library(page);
		await library.open();
		await library.createCase(`Quotes ${Date.now()}`);
		const lease = [
			'Lease between Alder Holdings and Brook Tenant. The tenant shall pay the rent of 900 euros monthly, from 1 April 2024.',
			'Termination. The landlord may terminate the lease after two missed rent payments, by written notice of thirty days.'
		].join('\f');
		await addDocuments(page, [{ name: 'lease.txt', mimeType: 'text/plain', buffer: Buffer.from(lease) }]);
		await new CasePage(page).tab('Chat').click();
		await page
			.getByRole('textbox', { name: 'Ask about this case' })
			.fill('Quote the lease on rent and how the landlord may terminate the lease');
		await page.getByRole('button', { name: 'Send' }).click();

		const answer = page.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: 'See also' });
		await expect(answer.getByRole('img', { name: /^Quotation verified in \[1\]$/ })).toHaveCount(1);
		await expect(answer.getByRole('img', { name: /^Quotation not found in \[1\]$/ })).toHaveCount(2);
		await expect(answer.getByRole('img', { name: /^Citation \[9\] does not exist$/ })).toHaveCount(1);
		await expect(answer.getByRole('img')).toHaveCount(4);
		// The quote from the other passage is shown where it really is.
		await expect(answer.getByRole('list', { name: 'Flagged quotations' })).toContainText('Closest text, in [2]');

		await answer.getByRole('button', { name: 'Add to report' }).click();
		// The report's list says so before any export is tried.
		await expect(page.getByRole('list', { name: 'Chosen answers' })).toContainText(
			'⚠ 3 quotations do not match the cited passage'
		);
		await page.getByRole('textbox', { name: 'Report title' }).fill('Quote report');
		await expect(page.getByRole('checkbox', { name: 'Refuse to export flagged quotations' })).toBeChecked();
		let downloaded = false;
		page.on('download', () => (downloaded = true));
		await page.getByRole('button', { name: 'Export Markdown' }).click();
		await expect(page.getByRole('alert')).toContainText('Not exported: 3 quotations do not match');
		expect(downloaded).toBe(false);
		await page.getByRole('checkbox', { name: 'Refuse to export flagged quotations' }).uncheck();
		const exporting = page.waitForEvent('download');
		await page.getByRole('button', { name: 'Export Markdown' }).click();
		const markdown = readFileSync(await (await exporting).path(), 'utf8');
		expect(markdown.match(/✓ \\\(verified in \[1\]\\\)/g)).toHaveLength(1);
		expect(markdown.match(/⚠ \\\(quotation not found in \[1\]/g)).toHaveLength(2);
		expect(markdown).toContain('⚠ \\(citation [9] does not exist\\)');
		await expect(page.getByText('1 verified, 3 flagged')).toBeVisible();

		// The Timeline's period, summarised by the model, with citations that open the event's page.
		await new CasePage(page).tab('Timeline').click();
		await expect(chronology(page).getByRole('row')).toHaveCount(2);
		await page.getByRole('button', { name: 'Summarise this period' }).click();
		const summary = page.getByRole('article', { name: 'Period summary' });
		await expect(summary.getByRole('link', { name: '[1]' })).toBeVisible({ timeout: 30_000 });
		await page.getByRole('button', { name: 'Add to report' }).click();
		await new CasePage(page).tab('Chat').click();
		await expect(page.getByRole('list', { name: 'Chosen chronology' })).toContainText(
			'Chronology, with its period summary'
		);
		const again = page.waitForEvent('download');
		await page.getByRole('button', { name: 'Export Markdown' }).click();
		const withChronology = readFileSync(await (await again).path(), 'utf8');
		expect(withChronology).toContain('## Chronology\n\nlease.txt says something about this on page 1 [1].');
		expect(withChronology).toContain('- 2024-04-01: The tenant shall pay the rent of 900 euros monthly');
		// The summary is kept: back on the Timeline, it is still there.
		await new CasePage(page).tab('Timeline').click();
		await expect(page.getByRole('article', { name: 'Period summary' })).toContainText('written by test/scripted-chat');
		// An event's source opens its page with the date phrase highlighted.
		await chronology(page).getByRole('link', { name: 'lease.txt, p. 1' }).click();
		await expect(page.getByLabel('Page 1 text').locator('mark')).toHaveText('1 April 2024');

		// The same settings live in Settings › Timeline and reports.
		await library.gotoSettings();
		const settings = page.getByRole('region', { name: 'Timeline and reports' });
		const refuse = settings.getByRole('checkbox', { name: 'Refuse to export flagged quotations' });
		await expect(refuse).not.toBeChecked();
		await refuse.check();
		await expect(settings.getByRole('combobox', { name: 'Date order' })).toHaveValue('mdy');
		await expect(settings.getByRole('spinbutton', { name: 'Near-duplicate similarity (%)' })).toHaveValue('80');
		await page.reload();
		await expect(refuse).toBeChecked();
	});
});

test('a letter and its copy with three words changed are grouped, an unrelated one is not, and the difference is shown', async ({
	page
}) => {
	test.setTimeout(120_000);
	const library = new Library(page);
	await library.open();
	await library.createCase(`Copies ${Date.now()}`);
	const original = letter(11);
	await addDocuments(page, [
		{ name: 'letter.txt', mimeType: 'text/plain', buffer: Buffer.from(original) },
		{ name: 'letter-copy.txt', mimeType: 'text/plain', buffer: Buffer.from(withThreeWordsChanged(original)) },
		{ name: 'other.txt', mimeType: 'text/plain', buffer: Buffer.from(letter(12)) }
	]);
	await new CasePage(page).tab('Near-duplicates').click();
	const groups = page.getByRole('list', { name: 'Near-duplicate groups' });
	await expect(groups.getByRole('listitem', { name: /^Group 1: 2 documents, at least \d+% similar$/ })).toBeVisible();
	await expect(groups.getByRole('listitem', { name: /^Group/ })).toHaveCount(1);
	await expect(groups).toContainText('letter-copy.txt');
	await expect(groups).not.toContainText('other.txt');
	await groups.getByRole('button', { name: /^Compare / }).click();
	const diff = page.getByRole('region', { name: /^Differences between/ });
	await expect(diff.getByRole('status')).toHaveText(
		/3 words only in letter(-copy)?\.txt, 3 words only in letter(-copy)?\.txt\./
	);
	await expect(diff.getByRole('insertion')).toHaveCount(3);
	await expect(diff.getByRole('deletion')).toHaveCount(3);

	// A stricter threshold than the pair's similarity leaves no group.
	await page.getByRole('spinbutton', { name: 'Similarity threshold (%)' }).fill('100');
	await page.getByRole('button', { name: 'Apply' }).click();
	await expect(page.getByRole('heading', { name: 'No near-duplicates' })).toBeVisible();
});
