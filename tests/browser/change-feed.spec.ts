import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { BROWSER_TEST_PORT } from '../../playwright.config.ts';
import { FALLBACK_EMBEDDING } from '../../src/lib/ai/model-registry.ts';
import { makePdf } from '../../src/lib/ingest/testing/make-pdf.ts';
import { FIXTURE_MODELS_DIR, TINY_MODEL_REPO } from '../../src/lib/testing/tiny-model.ts';
import { CasePage, Library } from './pages.ts';
import { addUser } from './server.ts';

/**
 * The search worker's indexes follow the change feed: whatever writes (this tab's controls, background
 * embedding, a teammate's sync), search sees it at once, without a reload. Every test searches first, so
 * the index is warm before the change: a stale index would show.
 */

const SERVER = `http://localhost:${BROWSER_TEST_PORT}`;

/** Several paragraphs, so a word of the document is in more than one passage. */
function text(words: string, paragraphs = 6): Buffer {
	return Buffer.from(
		Array.from(
			{ length: paragraphs },
			(_, i) =>
				`Paragraph ${i + 1} of the record. ${words} The clerk filed the contract and the schedule of payments on day ${i + 3}, and counsel noted it.`
		).join('\n\n')
	);
}

const txt = (name: string, words: string) => ({ name, mimeType: 'text/plain', buffer: text(words) });

class Search {
	readonly box: Locator;
	readonly results: Locator;
	constructor(readonly page: Page) {
		this.box = page.getByRole('searchbox', { name: 'Search this case' });
		this.results = page.getByRole('list', { name: 'Results' });
	}

	async open() {
		await new CasePage(this.page).tab('Search').click();
	}

	async run(query: string) {
		await this.box.fill(query);
		await this.box.press('Enter');
	}

	get didYouMean(): Locator {
		return this.page.getByRole('button', { name: /Did you mean/ });
	}

	get noMatch(): Locator {
		return this.page.getByText('No passages match.');
	}
}

async function addDocuments(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]) {
	await new CasePage(page).tab('Documents').click();
	await page.getByLabel('Add documents').setInputFiles(files);
	for (const file of files) await expect(row(page, file.name)).toContainText('Indexed', { timeout: 60_000 });
}

function row(page: Page, name: string): Locator {
	return page.getByRole('list', { name: 'Documents in this case' }).getByRole('listitem', { name });
}

async function confirmRemove(page: Page) {
	const dialog = page.getByRole('dialog', { name: 'Remove document' });
	await dialog.getByRole('button', { name: 'Remove' }).click();
	await expect(dialog).toBeHidden();
}

/** Resolves once the named document's embed job is done with a vector for every chunk (read from IndexedDB). */
async function embedded(page: Page, name: string) {
	await expect
		.poll(
			() =>
				page.evaluate(async (docName) => {
					const db = await new Promise<IDBDatabase>((resolve, reject) => {
						const request = indexedDB.open('docket');
						request.onsuccess = () => resolve(request.result);
						request.onerror = () => reject(request.error);
					});
					const all = (store: string) =>
						new Promise<Record<string, unknown>[]>((resolve, reject) => {
							const request = db.transaction(store).objectStore(store).getAll();
							request.onsuccess = () => resolve(request.result as Record<string, unknown>[]);
							request.onerror = () => reject(request.error);
						});
					const doc = (await all('documents')).find((d) => d['name'] === docName);
					const mine = (rows: Record<string, unknown>[]) => rows.filter((r) => r['documentId'] === doc?.['id']);
					const chunks = mine(await all('chunks')).length;
					const vectors = mine(await all('vectors')).length;
					const jobs = mine(await all('jobs')).filter((j) => j['kind'] === 'embed' && j['state'] !== 'done').length;
					db.close();
					return chunks > 0 && vectors === chunks && jobs === 0;
				}, name),
			{ timeout: 90_000 }
		)
		.toBe(true);
}

/** Rows of every IndexedDB store that belong to `caseId` (by `caseId`, or for `files` by the hashes given). */
async function leftovers(page: Page, caseId: string, hashes: string[]): Promise<string[]> {
	return page.evaluate(
		async ({ caseId, hashes }) => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const request = indexedDB.open('docket');
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
			const found: string[] = [];
			for (const store of db.objectStoreNames) {
				const rows = await new Promise<unknown[]>((resolve, reject) => {
					const request = db.transaction(store).objectStore(store).getAll();
					request.onsuccess = () => resolve(request.result as unknown[]);
					request.onerror = () => reject(request.error);
				});
				for (const r of rows) {
					const record = r as Record<string, unknown>;
					if (record['caseId'] === caseId || record['id'] === caseId) found.push(`${store}: ${JSON.stringify(r)}`);
					if ((store === 'files' || store === 'blobs') && hashes.includes(String(record['sha256'])))
						found.push(`${store}: ${String(record['sha256'])}`);
				}
			}
			db.close();
			return found;
		},
		{ caseId, hashes }
	);
}

test.describe('every index follows the change feed, without a reload', () => {
	test('a document removed from the list or the viewer leaves results and "Did you mean"; a deleted case leaves nothing', async ({
		page
	}) => {
		test.setTimeout(150_000);
		const library = new Library(page);
		await library.open();
		await library.createCase('Harbour dispute');
		const caseId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
		const exhibit = Buffer.from(
			makePdf({
				pages: 2,
				lines: (n) => [`Exhibit page ${n}.`, 'The quartermaster logged the ironwood cargo and the contract.']
			})
		);
		await addDocuments(page, [
			txt('keep.txt', 'The harbourmaster inspected the pier.'),
			txt('gone.txt', 'The zanzibarite samples were assayed by the laboratory.'),
			{ name: 'exhibit.pdf', mimeType: 'application/pdf', buffer: exhibit }
		]);

		const search = new Search(page);
		await search.open();
		await search.run('contract');
		for (const name of ['keep.txt', 'gone.txt', 'exhibit.pdf'])
			await expect(search.results.getByRole('listitem').filter({ hasText: name }).first()).toBeVisible();
		await search.run('zanzibarrite');
		await expect(search.didYouMean).toContainText('zanzibarite');

		// Removed with the list's control.
		await new CasePage(page).tab('Documents').click();
		await row(page, 'gone.txt').getByRole('button', { name: 'Remove document' }).click();
		await confirmRemove(page);
		await expect(row(page, 'gone.txt')).toHaveCount(0);

		// Removed from the viewer.
		await row(page, 'exhibit.pdf').getByRole('link', { name: 'Open exhibit.pdf' }).click();
		// The viewer's own control, once the list has gone (clicking sooner could find the list's ones).
		await expect(page.getByRole('region', { name: 'Page 1' })).toBeVisible();
		await expect(page.getByRole('button', { name: 'Remove document' })).toHaveCount(1);
		await page.getByRole('button', { name: 'Remove document' }).click();
		await confirmRemove(page);
		await expect(row(page, 'exhibit.pdf')).toHaveCount(0);
		await expect(row(page, 'keep.txt')).toBeVisible();

		await search.open();
		await search.run('contract');
		await expect(search.results.getByRole('listitem').filter({ hasText: 'keep.txt' }).first()).toBeVisible();
		await expect(search.results.getByRole('listitem').filter({ hasText: /gone\.txt|exhibit\.pdf/ })).toHaveCount(0);
		await search.run('zanzibarrite');
		await expect(search.noMatch).toBeVisible();
		await expect(search.didYouMean).toHaveCount(0);
		await search.run('zanzibarite');
		await expect(search.noMatch).toBeVisible();
		await search.run('quartermaster ironwood');
		await expect(search.noMatch).toBeVisible();

		// A deleted case: nothing of it is left in any store, its original bytes included.
		const hashes = [text('The harbourmaster inspected the pier.'), exhibit].map((bytes) =>
			createHash('sha256').update(bytes).digest('hex')
		);
		await new CasePage(page).delete();
		await expect(page.getByRole('heading', { name: 'Cases', level: 1 })).toBeVisible();
		// The search worker hears of it after the commit; give it the time to (wrongly) write anything back.
		await page.waitForTimeout(1_000);
		expect(await leftovers(page, caseId, hashes)).toEqual([]);
	});
});

async function connect(page: Page, token: string) {
	const library = new Library(page);
	await library.open();
	await library.gotoSettings();
	const form = page.getByRole('form', { name: 'Sync server' });
	await form.getByRole('textbox', { name: 'Server URL' }).fill(SERVER);
	await form.getByRole('textbox', { name: 'Access token' }).fill(token);
	await form.getByRole('button', { name: 'Connect' }).click();
	await expect(library.connection).toHaveText('Synced');
}

/** Waits until the server holds what `done` looks for. */
async function serverHas(
	request: APIRequestContext,
	token: string,
	done: (rows: { table: string; deleted: boolean; fields: Record<string, unknown> }[]) => boolean
) {
	await expect
		.poll(
			async () => {
				const rows: { table: string; deleted: boolean; fields: Record<string, unknown> }[] = [];
				let since = 0;
				for (;;) {
					const response = await request.get(`${SERVER}/api/v1/pull?since=${since}&limit=1000`, {
						headers: { authorization: `Bearer ${token}` }
					});
					const page = (await response.json()) as { changes: typeof rows; checkpoint: number; hasMore: boolean };
					rows.push(...page.changes);
					since = page.checkpoint;
					if (!page.hasMore) return done(rows);
				}
			},
			{ timeout: 60_000 }
		)
		.toBe(true);
}

/** Syncs now from Settings, then comes back to the case's Search tab (client-side: nothing reloads). */
async function syncAndSearch(page: Page, caseTitle: string): Promise<Search> {
	const library = new Library(page);
	await library.gotoSettings();
	await page.getByRole('button', { name: 'Sync now' }).click();
	await expect(library.connection).toHaveText('Synced');
	await library.gotoCases();
	await library.caseLink(caseTitle).click();
	const search = new Search(page);
	await search.open();
	return search;
}

test('a teammate’s chunks are found by keyword, and a teammate’s removal leaves results and "Did you mean"', async ({
	browser,
	request
}) => {
	test.setTimeout(180_000);
	const team = `Feed firm ${Date.now()}`;
	const [alice, bob] = [await addUser('Alice', team), await addUser('Bob', team)];
	const [contextA, contextB] = [await browser.newContext(), await browser.newContext()];
	try {
		const a = await contextA.newPage();
		const b = await contextB.newPage();
		await connect(a, alice);
		await connect(b, bob);
		const title = `Shared docket ${Date.now()}`;
		await new Library(a).gotoCases();
		await new Library(a).createCase(title);
		await addDocuments(a, [txt('first.txt', 'The bellwether invoices were disputed.')]);
		await serverHas(request, alice, (rows) =>
			rows.some((r) => r.table === 'chunks' && String(r.fields['text']).includes('bellwether'))
		);

		// Bob's index of the case is warm before anything else arrives.
		let search = await syncAndSearch(b, title);
		await search.run('bellwether');
		await expect(search.results.getByRole('listitem').filter({ hasText: 'first.txt' }).first()).toBeVisible();

		await addDocuments(a, [txt('second.txt', 'The marmoreal statue was appraised.')]);
		await serverHas(request, alice, (rows) =>
			rows.some((r) => r.table === 'chunks' && String(r.fields['text']).includes('marmoreal'))
		);
		search = await syncAndSearch(b, title);
		await search.run('marmoreal');
		await expect(search.results.getByRole('listitem').filter({ hasText: 'second.txt' }).first()).toBeVisible();
		await search.run('bellwetherr');
		await expect(search.didYouMean).toContainText('bellwether');

		// Alice removes the first document; Bob's search forgets it once he has synced.
		await new CasePage(a).tab('Documents').click();
		await row(a, 'first.txt').getByRole('button', { name: 'Remove document' }).click();
		await confirmRemove(a);
		await expect(row(a, 'first.txt')).toHaveCount(0);
		await serverHas(request, alice, (rows) => rows.some((r) => r.table === 'documents' && r.deleted));
		search = await syncAndSearch(b, title);
		await search.run('bellwether');
		await expect(search.noMatch).toBeVisible();
		await search.run('bellwetherr');
		await expect(search.noMatch).toBeVisible();
		await expect(search.didYouMean).toHaveCount(0);
		await search.run('marmoreal');
		await expect(search.results.getByRole('listitem').filter({ hasText: 'second.txt' }).first()).toBeVisible();
	} finally {
		await contextA.close();
		await contextB.close();
	}
});

/** The fixture embedding model, served under the fallback's name (as `models.spec.ts` does). */
async function startModelServer() {
	const source = join(FIXTURE_MODELS_DIR, TINY_MODEL_REPO, 'resolve/main');
	const target = `/${FALLBACK_EMBEDDING.repo}/resolve/main/`;
	const files = new Map<string, Buffer>([
		[`${target}config.json`, readFileSync(join(source, 'config.json'))],
		[`${target}tokenizer.json`, readFileSync(join(source, 'tokenizer.json'))],
		[`${target}tokenizer_config.json`, readFileSync(join(source, 'tokenizer_config.json'))],
		[`${target}onnx/model_quantized.onnx`, readFileSync(join(source, 'onnx/model.onnx'))],
		[`${target}onnx/model.onnx`, readFileSync(join(source, 'onnx/model.onnx'))]
	]);
	const server = createServer((req, res) => {
		const body = files.get(new URL(req.url ?? '/', 'http://x').pathname);
		const cors = { 'access-control-allow-origin': '*' };
		if (!body) res.writeHead(404, cors).end();
		else res.writeHead(200, { ...cors, 'content-type': 'application/octet-stream' }).end(body);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	if (address === null || typeof address === 'string') throw new Error('no port');
	return {
		url: `http://127.0.0.1:${address.port}/`,
		close: () => {
			server.closeAllConnections();
			return new Promise((resolve) => server.close(resolve));
		}
	};
}

test('vectors stored by background embedding are found by semantic search at once', async ({ page }) => {
	test.setTimeout(150_000);
	const models = await startModelServer();
	try {
		const library = new Library(page);
		await library.open();
		await library.gotoSettings();
		const settings = page.getByRole('region', { name: 'Models' });
		await expect(settings.getByText('Checking…')).toHaveCount(0);
		await settings.getByRole('textbox', { name: 'Model base URL' }).fill(models.url);
		await settings.getByRole('button', { name: 'Save' }).click();
		await expect(settings.getByRole('textbox', { name: 'Model base URL' })).toHaveValue(models.url);
		await library.gotoCases();
		await library.createCase('Orchard lease');

		await addDocuments(page, [txt('lease.txt', 'The tenant pays rent for the apple orchard every quarter.')]);
		await embedded(page, 'lease.txt');
		const search = new Search(page);
		await search.open();
		const mode = page.getByRole('combobox', { name: 'Search mode' });
		await expect(mode.getByRole('option', { name: 'Meaning (semantic)' })).toBeEnabled({ timeout: 60_000 });
		await mode.selectOption('semantic');
		await search.run('apple orchard rent');
		await expect(search.results.getByRole('listitem').filter({ hasText: 'lease.txt' }).first()).toBeVisible();

		// The warm vector index of the case gains the new document's vectors as the embedding job stores them.
		await addDocuments(page, [txt('survey.txt', 'A surveyor measured the boundary of the vineyard.')]);
		await embedded(page, 'survey.txt');
		await search.open();
		await mode.selectOption('semantic');
		await search.run('surveyor vineyard boundary');
		await expect(search.results.getByRole('listitem').filter({ hasText: 'survey.txt' }).first()).toBeVisible();
	} finally {
		await models.close();
	}
});
