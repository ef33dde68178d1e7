import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.ts';
import { CasePage, Library, Shell } from './pages.ts';
import { startServerWithCopy } from './server.ts';

test.describe('case library', () => {
	test('shows what to do when there are no cases', async ({ page }) => {
		const library = new Library(page);
		await library.open();
		await expect(page.getByRole('heading', { name: 'No cases yet' })).toBeVisible();
	});

	test('creates a case that survives a reload', async ({ page }) => {
		const library = new Library(page);
		await library.open();
		await library.createCase('Acme v. Roadrunner');
		// Focus lands on the new case's heading, not on the page body.
		await expect(page.getByRole('heading', { name: 'Acme v. Roadrunner', level: 1 })).toBeFocused();
		for (const name of ['Documents', 'Search', 'Chat', 'Tensors', 'Activity'])
			await expect(new CasePage(page).tab(name)).toBeVisible();
		await page.reload();
		await expect(page.getByRole('heading', { name: 'Acme v. Roadrunner', level: 1 })).toBeVisible();
		await library.gotoCases();
		await expect(library.caseLink('Acme v. Roadrunner')).toBeVisible();
	});

	test('refuses an empty name and keeps the dialog open', async ({ page }) => {
		const library = new Library(page);
		await library.open();
		await page.getByRole('button', { name: 'New case' }).click();
		const dialog = page.getByRole('dialog', { name: 'New case' });
		await dialog.getByRole('button', { name: 'Create' }).click();
		await expect(dialog.getByRole('alert')).toHaveText(/A case needs a name/);
		await expect(dialog).toBeVisible();
		await page.keyboard.press('Escape');
		await expect(dialog).toBeHidden();
	});

	test('renders titles as text, renames and deletes with confirmation', async ({ page }) => {
		const library = new Library(page);
		await library.open();
		const hostile = '<img src=x onerror="window.__pwned=1">';
		await library.createCase(hostile);
		expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
		const casePage = new CasePage(page);
		await casePage.rename('Smith & Sons');
		await casePage.delete();
		await expect(page).toHaveURL(/\/$/);
		await expect(page.getByRole('heading', { name: 'No cases yet' })).toBeVisible();
	});

	test('lists cases by last activity', async ({ page }) => {
		const library = new Library(page);
		await library.open();
		await library.createCase('Older');
		await library.gotoCases();
		await library.createCase('Newer');
		await library.gotoCases();
		await expect(page.getByRole('list', { name: 'Cases' }).getByRole('link')).toHaveText(['Newer', 'Older']);
		await library.caseLink('Older').click();
		await expect(page.getByRole('heading', { name: 'Older', level: 1 })).toBeVisible();
		await library.gotoCases();
		await expect(page.getByRole('list', { name: 'Cases' }).getByRole('link')).toHaveText(['Older', 'Newer']);
	});

	test('works from the keyboard: dialog, tabs and arrow keys', async ({ page }) => {
		const library = new Library(page);
		await library.open();
		await page.getByRole('button', { name: 'New case' }).focus();
		await page.keyboard.press('Enter');
		await page.keyboard.type('Keyboard case');
		await page.keyboard.press('Enter');
		await expect(page.getByRole('heading', { name: 'Keyboard case', level: 1 })).toBeVisible();
		const casePage = new CasePage(page);
		await casePage.tab('Documents').focus();
		await page.keyboard.press('ArrowRight');
		await expect(casePage.tab('Search')).toBeFocused();
		await expect(casePage.tab('Search')).toHaveAttribute('aria-selected', 'true');
		await page.keyboard.press('End');
		await expect(casePage.tab('Activity')).toHaveAttribute('aria-selected', 'true');
		await page.reload();
		await expect(casePage.tab('Activity')).toHaveAttribute('aria-selected', 'true');
	});
});

test.describe('offline app', () => {
	test('reopens offline from the service worker with its cases', async ({ page, context }) => {
		const library = new Library(page);
		await library.open();
		await library.createCase('Train case');
		await library.waitForServiceWorker();
		await context.setOffline(true);
		await page.goto('/');
		await expect(library.caseLink('Train case')).toBeVisible();
		// Chromium 150 forgets the offline emulation of navigator.onLine when a new document loads (the
		// network itself stays cut); toggling it re-applies it, as a real network drop would be seen.
		await context.setOffline(false);
		await context.setOffline(true);
		await expect(library.connection).toHaveText('Offline');
		await library.caseLink('Train case').click();
		// Let the client-side navigation land before reloading, or the reload reloads the library.
		await expect(page.getByRole('heading', { name: 'Train case', level: 1 })).toBeVisible();
		await expect(page).toHaveURL(/\/cases\//);
		await page.reload();
		await expect(page.getByRole('heading', { name: 'Train case', level: 1 })).toBeVisible();
		await context.setOffline(false);
		await expect(library.connection).not.toHaveText('Offline');
	});

	test('has what Chrome needs to offer installation', async ({ baseURL }) => {
		// Chrome never offers installation in an incognito profile, which is what a fresh test context is.
		const profile = await mkdtemp(join(tmpdir(), 'docket-profile-'));
		const context = await chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM_PATH,
			args: CHROMIUM_ARGS,
			baseURL
		});
		const page = context.pages()[0] ?? (await context.newPage());
		const shell = new Shell(page);
		await page.goto('/');
		await shell.waitForServiceWorker();
		const href = await page.locator('link[rel="manifest"]').getAttribute('href');
		expect(href).toBeTruthy();
		const manifest = (await (await page.request.get(href!)).json()) as {
			name: string;
			short_name: string;
			start_url: string;
			display: string;
			theme_color: string;
			icons: { src: string; sizes: string; purpose?: string }[];
		};
		expect(manifest).toMatchObject({
			name: expect.stringContaining('Docket'),
			short_name: 'Docket',
			start_url: '/',
			display: 'standalone'
		});
		expect(manifest.theme_color).toMatch(/^#/);
		for (const size of ['192x192', '512x512']) expect(manifest.icons.some((i) => i.sizes === size)).toBe(true);
		expect(manifest.icons.some((i) => i.purpose === 'maskable')).toBe(true);
		for (const icon of manifest.icons) {
			const response = await page.request.get(icon.src);
			expect(response.status(), icon.src).toBe(200);
			const bytes = await response.body();
			// PNG width and height sit at bytes 16–23 of the IHDR chunk.
			const [w, h] = icon.sizes.split('x').map(Number);
			expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], icon.src).toEqual([w, h]);
		}
		// Chrome's own verdict, through the DevTools protocol, from the library, a case page and the viewer:
		// a relative manifest link resolves to a 404 below /cases/ and Chrome then refuses to install.
		const cdp = await context.newCDPSession(page);
		const library = new Library(page);
		await library.open();
		await library.createCase('Installable case');
		const casePath = new URL(page.url()).pathname;
		for (const path of ['/', casePath, `${casePath}/documents/not-a-document?page=1`]) {
			await page.goto(path);
			const link = await page.locator('link[rel="manifest"]').getAttribute('href');
			expect(new URL(link!, page.url()).pathname, path).toBe('/manifest.webmanifest');
			const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
				installabilityErrors: unknown[];
			};
			expect(installabilityErrors, path).toEqual([]);
		}
		await context.close();
		await rm(profile, { recursive: true, force: true });
	});

	test('precaches the shaders, so GPU code runs offline', async ({ page }) => {
		await page.goto('/');
		await new Shell(page).waitForServiceWorker();
		const cached = await page.evaluate(async () => {
			const urls: string[] = [];
			for (const name of await caches.keys())
				for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
			return urls;
		});
		expect(cached.some((u) => /\.wgsl(\?|$)/.test(u))).toBe(true);
		expect(cached.some((u) => u.endsWith('/index.html') || u.includes('index.html?'))).toBe(true);
	});

	test('offers a Reload when a new version is waiting', async ({ page }) => {
		const server = await startServerWithCopy();
		try {
			await page.goto(server.url);
			const shell = new Shell(page);
			await shell.waitForServiceWorker();
			// A returning visit: the page is controlled by the installed worker, so a new one must wait.
			await page.reload();
			await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
			await expect(page.getByRole('status', { name: 'Update' })).toHaveCount(0);
			// Deploy a "new version": any byte change to sw.js makes the browser install it as waiting.
			await appendFile(join(server.staticDir, 'sw.js'), '\n// next release\n');
			await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
			const toast = page.getByRole('status', { name: 'Update' });
			await expect(toast).toContainText('A new version of Docket is ready');
			expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting?.state)).toBe(
				'installed'
			);
			await page.evaluate(() => ((window as { beforeUpdate?: boolean }).beforeUpdate = true));
			const reloaded = page.waitForEvent('load');
			await toast.getByRole('button', { name: 'Reload' }).click();
			await reloaded;
			expect(await page.evaluate(() => (window as { beforeUpdate?: boolean }).beforeUpdate)).toBeUndefined();
			await expect(page.getByRole('status', { name: 'Update' })).toHaveCount(0);
			expect(
				await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null)
			).toBeNull();
			await expect(page.getByRole('heading', { name: 'Cases', level: 1 })).toBeVisible();
		} finally {
			await server.stop();
		}
	});
});

test.describe('GPU and storage', () => {
	test('finds a WebGPU adapter and runs the self-test shader', async ({ page }) => {
		const shell = new Shell(page);
		await page.goto('/');
		await shell.gotoSettings();
		const gpu = page.getByRole('region', { name: 'GPU' });
		await expect(gpu.getByText('swiftshader')).toBeVisible();
		await gpu.getByRole('button', { name: 'Run GPU self-test' }).click();
		await expect(gpu.getByRole('status')).toContainText('Passed', { timeout: 30_000 });
	});

	test('Settings shows storage usage, quota and size per case, one figure in Models and Storage', async ({ page }) => {
		const library = new Library(page);
		await library.open();
		await library.createCase('Sized case');
		await library.gotoSettings();
		const storage = page.getByRole('region', { name: 'Storage' });
		// One reading, one format: "72.8 MB of 10.8 GB" in both sections.
		const figure = /\d[\d.]* [kMGT]?B of \d[\d.]* [kMGT]?B/;
		await expect(storage).toContainText(figure);
		await expect(page.getByRole('region', { name: 'Models' })).toContainText(figure);
		// Both read at one instant: the shared reading may be refreshed between two separate reads.
		const figures = (await page.getByTestId('storage-usage').allTextContents()).map((t) => figure.exec(t)?.[0]);
		expect(figures).toHaveLength(2);
		expect(figures[0]).toBeDefined();
		expect(figures[1]).toBe(figures[0]);
		await expect(storage.getByRole('rowheader', { name: 'Sized case' })).toBeVisible();
		// Asking to keep data gives the browser's answer in words, whatever it is.
		const ask = storage.getByRole('button', { name: 'Ask to keep data' });
		if (await ask.isVisible()) {
			await ask.click();
			await expect(storage.getByRole('status')).toContainText(/The browser (agreed|said no)/);
		}
		// An empty Server URL is named beside the field, as an error.
		const sync = page.getByRole('region', { name: 'Sync' });
		await sync.getByRole('button', { name: 'Connect' }).click();
		await expect(sync.getByRole('alert')).toContainText('Enter your team server’s address');
		await expect(sync.getByRole('textbox', { name: 'Server URL' })).toHaveAttribute('aria-invalid', 'true');
		await sync.getByRole('textbox', { name: 'Server URL' }).fill('docket dot example');
		await sync.getByRole('button', { name: 'Connect' }).click();
		await expect(sync.getByRole('alert')).toContainText('is not a web address');
		await expect(page.getByRole('region', { name: 'Models' })).toBeVisible();
		await expect(page.getByRole('region', { name: 'Sync' })).toBeVisible();
	});

	test('says plainly when WebGPU is missing, and the rest still works', async ({ page }) => {
		await page.addInitScript(() => {
			Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
		});
		const library = new Library(page);
		await library.open();
		await expect(page.getByRole('note').filter({ hasText: 'No WebGPU here' })).toBeVisible();
		await library.createCase('Still works');
	});

	test('says plainly when local storage cannot be opened, without crashing', async ({ page }) => {
		await page.addInitScript(() => {
			Object.defineProperty(window, 'indexedDB', { get: () => undefined, configurable: true });
		});
		await page.goto('/');
		await expect(page.getByRole('alert')).toContainText('Docket cannot use this browser’s storage');
		await expect(page.getByRole('button', { name: 'New case' })).toBeDisabled();
		await new Shell(page).gotoSettings();
		await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
	});
});
