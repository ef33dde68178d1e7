import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { BROWSER_TEST_PORT } from '../../playwright.config.ts';
import { makePdf } from '../../src/lib/ingest/testing/make-pdf.ts';
import { CasePage, Library } from './pages.ts';
import { addUser } from './server.ts';

/**
 * A folder imported with `docket ingest --server` is searchable in a teammate's app at once: the
 * teammate pulls the documents and chunks and finds a passage by keyword without extracting anything
 * (downloads of originals are blocked here, so there is nothing to extract from).
 */
const SERVER = `http://localhost:${BROWSER_TEST_PORT}`;
const run = promisify(execFile);

test('a teammate finds a passage of a bulk-imported folder by keyword, without ingesting it', async ({ browser }) => {
	test.setTimeout(180_000);
	const importer = await addUser(`importer-${Date.now()}`, 'import-firm');
	const teammate = await addUser(`teammate-${Date.now()}`, 'import-firm');
	const dir = await mkdtemp(join(tmpdir(), 'docket-import-browser-'));
	const stateDir = await mkdtemp(join(tmpdir(), 'docket-import-state-'));
	const title = `Imported share ${Date.now()}`;
	try {
		for (let i = 0; i < 6; i++)
			await writeFile(
				join(dir, `memo-${i}.pdf`),
				makePdf({
					pages: 3,
					lines: (p) => [
						`Memo ${i}, page ${p}.`,
						i === 4 && p === 2 ? 'The escrow agent was Quillfeather.' : 'Nothing.'
					]
				})
			);
		const { stdout } = await run(
			process.execPath,
			['bin/docket.js', 'ingest', dir, '--server', SERVER, '--case', title, '--team-token', importer, '--json'],
			{ env: { ...process.env, XDG_STATE_HOME: stateDir } }
		);
		expect(stdout.trim().split('\n')).toHaveLength(6);

		const context = await browser.newContext();
		await context.route('**/api/v1/files/**', (route) => route.abort());
		const page = await context.newPage();
		const app = new Library(page);
		await app.open();
		await app.gotoSettings();
		const form = page.getByRole('form', { name: 'Sync server' });
		await form.getByRole('textbox', { name: 'Server URL' }).fill(SERVER);
		await form.getByRole('textbox', { name: 'Access token' }).fill(teammate);
		await form.getByRole('button', { name: 'Connect' }).click();
		await expect(app.connection).toHaveText('Synced');
		await app.gotoCases();
		await app.caseLink(title).click();
		const row = page.getByRole('listitem').filter({ hasText: 'memo-4.pdf' });
		await expect(row).toContainText('Indexed');

		await new CasePage(page).tab('Search').click();
		const box = page.getByRole('searchbox', { name: 'Search this case' });
		await box.fill('Quillfeather');
		await box.press('Enter');
		const first = page.getByRole('list', { name: 'Results' }).getByRole('listitem').first();
		await expect(first).toContainText('memo-4.pdf');
		await expect(first).toContainText(/p\. 2(?!\d)/);
		await context.close();
	} finally {
		await rm(dir, { recursive: true, force: true });
		await rm(stateDir, { recursive: true, force: true });
	}
});
