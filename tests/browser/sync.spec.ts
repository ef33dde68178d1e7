import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { expect, test, type APIRequestContext, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { BROWSER_TEST_PORT } from '../../playwright.config.ts';
import { makePdf } from '../../src/lib/ingest/testing/make-pdf.ts';
import { makeImagePdf, scanLines } from '../../src/lib/ocr/testing/make-scan.ts';
import { CasePage, Library } from './pages.ts';
import { addUser } from './server.ts';

/**
 * Two people of one team, each in their own browser context (their own IndexedDB and OPFS), against the
 * server Playwright starts. Users are made with `docket server user add` on that server's data dir:
 * the server owns the embedded database, so the command goes through it.
 */

const SERVER = `http://localhost:${BROWSER_TEST_PORT}`;
const CORPUS = '../shared/corpus/pdfs';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

class SyncSettings extends Library {
	async connect(token: string) {
		await this.gotoSettings();
		const form = this.page.getByRole('form', { name: 'Sync server' });
		await form.getByRole('textbox', { name: 'Server URL' }).fill(SERVER);
		await form.getByRole('textbox', { name: 'Access token' }).fill(token);
		await form.getByRole('button', { name: 'Connect' }).click();
		await expect(this.connection).toHaveText('Synced');
	}
}

async function person(context: BrowserContext, token: string): Promise<{ page: Page; app: SyncSettings }> {
	const page = await context.newPage();
	const app = new SyncSettings(page);
	await app.open();
	await app.connect(token);
	await app.gotoCases();
	return { page, app };
}

interface PulledRow {
	table: string;
	id: string;
	deleted: boolean;
	fields: Record<string, unknown>;
}

/** Everything the team's server holds, as one of its users sees it. */
async function serverRows(request: APIRequestContext, token: string): Promise<PulledRow[]> {
	const rows: PulledRow[] = [];
	let since = 0;
	for (;;) {
		const response = await request.get(`${SERVER}/api/v1/pull?since=${since}&limit=1000`, {
			headers: { authorization: `Bearer ${token}` }
		});
		expect(response.ok()).toBe(true);
		const page = (await response.json()) as { changes: PulledRow[]; checkpoint: number; hasMore: boolean };
		rows.push(...page.changes);
		since = page.checkpoint;
		if (!page.hasMore) return rows;
	}
}

/** Waits until one laptop has sent the document (recognised as `kind`) and its bytes to the server. */
async function waitForServerFile(request: APIRequestContext, token: string, name: string, kind: string): Promise<void> {
	await expect
		.poll(
			async () => {
				const id = (await serverRows(request, token)).find(
					(row) =>
						row.table === 'documents' && row.fields['name'] === name && row.fields['kind'] === kind && !row.deleted
				)?.id;
				if (!id) return 0;
				return (
					await request.get(`${SERVER}/api/v1/files/${id}`, { headers: { authorization: `Bearer ${token}` } })
				).status();
			},
			{ timeout: 60_000 }
		)
		.toBe(200);
}

/** Pulls now, then opens the named document of the case in the viewer. */
async function openPulled(who: { page: Page; app: SyncSettings }, caseTitle: string, name: string): Promise<void> {
	await who.app.gotoSettings();
	await who.page.getByRole('button', { name: 'Sync now' }).click();
	await expect(who.app.connection).toHaveText('Synced');
	await who.app.gotoCases();
	await who.app.caseLink(caseTitle).click();
	await new CasePage(who.page).tab('Documents').click();
	await who.page.getByRole('link', { name: `Open ${name}` }).click();
}

/**
 * The first person makes a case and adds `file`; once the server holds it, the second person pulls and
 * opens it in the viewer. Returns the second person's page and a way to close both contexts.
 */
async function shareDocument(
	browser: Browser,
	request: APIRequestContext,
	[sender, receiver]: [string, string],
	caseTitle: string,
	file: { name: string; mimeType: string; buffer: Buffer },
	kind: string
): Promise<{ viewer: Page; close: () => Promise<void> }> {
	const [contextA, contextB] = [await browser.newContext(), await browser.newContext()];
	const a = await person(contextA, sender);
	const b = await person(contextB, receiver);
	await a.app.createCase(caseTitle);
	await new CasePage(a.page).tab('Documents').click();
	await a.page.getByLabel('Add documents').setInputFiles(file);
	await expect(
		a.page.getByRole('list', { name: 'Documents in this case' }).getByRole('listitem', { name: file.name })
	).toBeVisible();
	await waitForServerFile(request, sender, file.name, kind);
	await openPulled(b, caseTitle, file.name);
	return {
		viewer: b.page,
		close: async () => {
			await contextA.close();
			await contextB.close();
		}
	};
}

test.describe('team sync between two people', () => {
	let alice: string;
	let bob: string;

	test.beforeAll(async () => {
		const team = `Sync firm ${Date.now()}`;
		alice = await addUser('Alice', team);
		bob = await addUser('Bob', team);
	});

	test('a case made offline on one laptop appears on the other once both are online', async ({ browser, request }) => {
		const [contextA, contextB] = [await browser.newContext(), await browser.newContext()];
		const a = await person(contextA, alice);
		const b = await person(contextB, bob);
		// Offline, the case page's code comes from the service worker's precache.
		await a.app.waitForServiceWorker();

		await contextA.setOffline(true);
		await contextB.setOffline(true);
		await expect(a.app.connection).toHaveText('Offline');
		const title = `Made on the train ${Date.now()}`;
		await a.app.createCase(title);
		await a.app.gotoCases();
		await expect(a.app.caseLink(title)).toBeVisible();
		await expect(b.app.caseLink(title)).toHaveCount(0);

		await contextA.setOffline(false);
		await expect
			.poll(async () =>
				(await serverRows(request, alice)).some((row) => row.table === 'cases' && row.fields['title'] === title)
			)
			.toBe(true);
		await contextB.setOffline(false);
		await expect(b.app.caseLink(title)).toBeVisible();
		await expect(b.app.connection).toHaveText('Synced');
		await contextA.close();
		await contextB.close();
	});

	test('an upload cut off by going offline finishes after reconnecting, byte for byte', async ({
		browser,
		request
	}) => {
		test.setTimeout(120_000);
		const context = await browser.newContext();
		const { page, app } = await person(context, alice);
		const title = `Large exhibit ${Date.now()}`;
		await app.createCase(title);

		// tus sends 8 MiB per PATCH: the second one is cut by the connection dropping.
		const offsets: string[] = [];
		let cut = false;
		await page.route(/\/files\//, async (route) => {
			const req = route.request();
			if (req.method() !== 'PATCH') return route.continue();
			offsets.push(req.headers()['upload-offset'] ?? '');
			if (!cut && offsets.length === 2) {
				cut = true;
				await context.setOffline(true);
				return route.abort('internetdisconnected');
			}
			return route.continue();
		});
		const bytes = randomBytes(20 * 1024 * 1024);
		const name = 'exhibit-scan.bin';
		await new CasePage(page).tab('Documents').click();
		await page.getByLabel('Add documents').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: bytes });
		await expect.poll(() => cut, { timeout: 60_000 }).toBe(true);
		await expect(app.connection).toHaveText('Offline');

		const doc = (await serverRows(request, alice)).find(
			(row) => row.table === 'documents' && row.fields['name'] === name
		);
		expect(doc).toBeDefined();
		const file = () =>
			request.get(`${SERVER}/api/v1/files/${doc!.id}`, { headers: { authorization: `Bearer ${alice}` } });
		expect((await file()).status()).toBe(404);

		await context.setOffline(false);
		await expect.poll(async () => (await file()).status(), { timeout: 60_000 }).toBe(200);
		expect(sha256(await (await file()).body())).toBe(sha256(bytes));
		// It went on from the server's offset instead of starting again.
		expect(offsets.slice(0, 2)).toEqual(['0', String(8 * 1024 * 1024)]);
		expect(offsets[2]).toBe(String(8 * 1024 * 1024));
		await context.close();
	});

	test('a document pulled from a teammate opens in the viewer, its bytes fetched from the server', async ({
		browser,
		request
	}) => {
		// The only PDF here comes from the shared corpus; a clone without ../shared has none to send.
		test.skip(!existsSync(CORPUS), 'needs ../shared/corpus (the shared PDF corpus), absent in this checkout');
		test.setTimeout(120_000);
		const file = { name: 'basicapi.pdf', mimeType: 'application/pdf', buffer: readFileSync(`${CORPUS}/basicapi.pdf`) };
		const { viewer, close } = await shareDocument(
			browser,
			request,
			[alice, bob],
			`Shared brief ${Date.now()}`,
			file,
			'pdf'
		);
		await expect(viewer.getByRole('region', { name: 'Page 1' })).toContainText(/\w{3,}/, { timeout: 30_000 });
		await expect(viewer.getByRole('alert')).toHaveCount(0);
		await close();
	});

	test('a PDF pulled from a teammate names its pages as printed', async ({ browser, request }) => {
		test.setTimeout(120_000);
		const buffer = Buffer.from(
			makePdf({ pages: 3, lines: (n) => [`Exhibit page ${n} of the lease.`], footer: (n) => `- ${n + 10} -` })
		);
		const file = { name: 'printed.pdf', mimeType: 'application/pdf', buffer };
		const { viewer, close } = await shareDocument(browser, request, [alice, bob], `Printed ${Date.now()}`, file, 'pdf');
		await expect(viewer.getByRole('region', { name: 'Page 1' })).toContainText('Exhibit page 1', { timeout: 30_000 });
		await expect(viewer.getByLabel('Printed page')).toHaveText('p. 11 (PDF 1)');
		await viewer.getByRole('button', { name: 'Next page' }).click();
		await expect(viewer.getByLabel('Printed page')).toHaveText('p. 12 (PDF 2)');
		await close();
	});

	test('a scan pulled from a teammate has the words OCR read there as its text layer, found and marked', async ({
		browser,
		request
	}) => {
		test.setTimeout(240_000);
		const buffer = Buffer.from(
			makeImagePdf([await scanLines(['Exhibit 14 is a letter from Margaret Holloway.'], { dpi: 150 })])
		);
		const [contextA, contextB] = [await browser.newContext(), await browser.newContext()];
		const a = await person(contextA, alice);
		const b = await person(contextB, bob);
		const title = `Scanned ${Date.now()}`;
		await a.app.createCase(title);
		await new CasePage(a.page).tab('Documents').click();
		await a.page
			.getByLabel('Add documents')
			.setInputFiles({ name: 'letter-scan.pdf', mimeType: 'application/pdf', buffer });
		const row = a.page
			.getByRole('list', { name: 'Documents in this case' })
			.getByRole('listitem', { name: 'letter-scan.pdf' });
		await expect(row).toContainText('Indexed (OCR)', { timeout: 180_000 });
		await waitForServerFile(request, alice, 'letter-scan.pdf', 'pdf');
		// The layer is pushed with the document's text; wait until the server has it.
		await expect
			.poll(async () => (await serverRows(request, alice)).some((r) => r.table === 'ocrLayers' && !r.deleted), {
				timeout: 30_000
			})
			.toBe(true);

		await openPulled(b, title, 'letter-scan.pdf');
		const region = b.page.getByRole('region', { name: 'Page 1' });
		await expect(region.locator('.ocr-word')).not.toHaveCount(0, { timeout: 30_000 });
		await expect(region).toContainText('Margaret Holloway');
		// Found by search on the teammate's laptop, and marked on the scan.
		await b.page.getByRole('link', { name: 'Back to documents' }).click();
		await new CasePage(b.page).tab('Search').click();
		const box = b.page.getByRole('searchbox', { name: 'Search this case' });
		await box.fill('Holloway');
		await box.press('Enter');
		await b.page.getByRole('list', { name: 'Results' }).getByRole('link').first().click();
		await expect(b.page.getByRole('region', { name: 'Page 1' }).locator('mark.match')).toHaveText(/Holloway/);
		await contextA.close();
		await contextB.close();
	});

	test('a text document pulled from a teammate shows its pages, split from the downloaded original', async ({
		browser,
		request
	}) => {
		test.setTimeout(120_000);
		const text = 'Witness list, first page.\fSecond page: the hearing was adjourned to Friday.\n';
		const file = { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(text) };
		const { viewer, close } = await shareDocument(
			browser,
			request,
			[alice, bob],
			`Shared notes ${Date.now()}`,
			file,
			'text'
		);
		await expect(viewer.getByLabel('Page 1 text')).toHaveText('Witness list, first page.');
		await viewer.getByRole('button', { name: 'Next page' }).click();
		await expect(viewer.getByLabel('Page 2 text')).toContainText('the hearing was adjourned to Friday.');
		await expect(viewer.getByRole('alert')).toHaveCount(0);
		await close();
	});

	test('a rename made on both laptops offline is shown as a conflict, and “Keep mine” wins everywhere', async ({
		browser,
		request
	}) => {
		test.setTimeout(120_000);
		const [contextA, contextB] = [await browser.newContext(), await browser.newContext()];
		const a = await person(contextA, alice);
		const b = await person(contextB, bob);
		await a.app.waitForServiceWorker();
		await b.app.waitForServiceWorker();
		const original = `Disputed ${Date.now()}`;
		await a.app.createCase(original);
		await expect
			.poll(async () => (await serverRows(request, alice)).some((row) => row.fields['title'] === original))
			.toBe(true);
		await b.app.gotoSettings();
		await b.page.getByRole('button', { name: 'Sync now' }).click();
		await b.app.gotoCases();
		await b.app.caseLink(original).click();

		await contextA.setOffline(true);
		await contextB.setOffline(true);
		await new CasePage(a.page).rename(`${original} (Alice)`);
		await new CasePage(b.page).rename(`${original} (Bob)`);
		await contextA.setOffline(false);
		await expect
			.poll(async () => (await serverRows(request, alice)).some((row) => row.fields['title'] === `${original} (Alice)`))
			.toBe(true);
		await contextB.setOffline(false);

		// Bob's laptop takes the server's title and keeps his, for him to decide.
		await expect(b.page.getByRole('heading', { name: `${original} (Alice)`, level: 1 })).toBeVisible();
		await b.app.gotoSettings();
		const conflict = b.page.getByRole('listitem', { name: `Conflict in ${original} (Alice)` });
		await expect(conflict.getByRole('row', { name: /title/ })).toContainText(`${original} (Bob)`);
		await expect(conflict.getByRole('row', { name: /title/ })).toContainText(`${original} (Alice)`);
		await conflict.getByRole('button', { name: 'Keep mine' }).click();
		await expect(conflict).toHaveCount(0);
		await expect
			.poll(async () => (await serverRows(request, bob)).some((row) => row.fields['title'] === `${original} (Bob)`))
			.toBe(true);

		await a.app.gotoSettings();
		await a.page.getByRole('button', { name: 'Sync now' }).click();
		await a.app.gotoCases();
		await expect(a.app.caseLink(`${original} (Bob)`)).toBeVisible();
		await contextA.close();
		await contextB.close();
	});
});
