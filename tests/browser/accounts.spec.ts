import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { BROWSER_TEST_PORT } from '../../playwright.config.ts';
import { Library } from './pages.ts';

/**
 * Accounts end to end. First-run setup needs a server with nobody on it, and the server Playwright
 * starts is shared with specs that add users by command line, so this spec runs its own server (own
 * data dir, port BROWSER_TEST_PORT + 100) and order between specs does not matter.
 */

const PORT = BROWSER_TEST_PORT + 100;
const SERVER = `http://localhost:${PORT}`;
const ADMIN = { team: 'Smith & Co', name: 'Ann Admin', email: 'ann@firm.example', password: 'admin password 1' };
const COLLEAGUE = {
	name: 'Cat Colleague',
	email: 'cat@firm.example',
	password: 'colleague password 1',
	newPassword: 'colleague password 2'
};

let child: ChildProcess | undefined;
let dataDir = '';
let adminContext: BrowserContext;
let colleagueContext: BrowserContext;
let admin: Page;
let colleague: Page;
let inviteLink = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
	dataDir = await mkdtemp(join(tmpdir(), 'docket-accounts-'));
	const server = spawn(
		process.execPath,
		['bin/docket.js', 'server', '--port', String(PORT), '--static', 'build', '--data', dataDir, '--log-level', 'warn'],
		{ stdio: ['ignore', 'ignore', 'pipe'] }
	);
	child = server;
	await new Promise<void>((resolve, reject) => {
		let output = '';
		server.stderr?.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			if (/running at/.test(output)) resolve();
		});
		server.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
	});
	adminContext = await browser.newContext();
	colleagueContext = await browser.newContext();
	admin = await adminContext.newPage();
	colleague = await colleagueContext.newPage();
});

test.afterAll(async () => {
	await adminContext.close();
	await colleagueContext.close();
	if (child && child.exitCode === null) {
		const exited = new Promise((resolve) => child?.once('exit', resolve));
		child.kill('SIGTERM');
		await exited;
	}
	await rm(dataDir, { recursive: true, force: true });
});

const connection = (page: Page) => page.getByRole('status', { name: 'Connection' });
const syncForm = (page: Page) => page.getByRole('form', { name: 'Sync server' });
const teamHeading = (page: Page) => page.getByRole('heading', { name: 'Team', level: 2 });

async function settings(page: Page) {
	await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
	await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
}

test('first-run setup creates the admin, who then sees Settings › Team', async () => {
	await admin.goto(`${SERVER}/settings`);
	await admin.getByRole('link', { name: 'Set up this server' }).click();
	const form = admin.getByRole('form', { name: 'Set up this server' });
	await form.getByRole('textbox', { name: 'Team name' }).fill(ADMIN.team);
	await form.getByRole('textbox', { name: 'Your name' }).fill(ADMIN.name);
	await form.getByRole('textbox', { name: 'Email' }).fill(ADMIN.email);
	await form.getByRole('textbox', { name: 'Password' }).fill(ADMIN.password);
	await form.getByRole('button', { name: 'Create admin account' }).click();
	await expect(admin.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
	await expect(connection(admin)).toHaveText('Synced');
	await expect(teamHeading(admin)).toBeVisible();
	await expect(admin.getByRole('listitem', { name: ADMIN.name })).toContainText('admin');

	// Once only: the setup page now says so, and the Sync section no longer offers it.
	await colleague.goto(`${SERVER}/setup`);
	await expect(colleague.getByText('This server is already set up.')).toBeVisible();
	await expect(colleague.getByRole('form', { name: 'Set up this server' })).toHaveCount(0);
});

test('an invite is accepted in a second browser context', async () => {
	const form = admin.getByRole('form', { name: 'Invite a colleague' });
	await form.getByRole('textbox', { name: 'Colleague’s email' }).fill(COLLEAGUE.email);
	await form.getByRole('textbox', { name: 'Colleague’s name' }).fill(COLLEAGUE.name);
	await form.getByRole('button', { name: 'Invite' }).click();
	const link = admin.getByRole('textbox', { name: 'Invite link' });
	await expect(link).toHaveValue(new RegExp(`^${SERVER}/invite#dki_`));
	inviteLink = await link.inputValue();

	await colleague.goto(inviteLink);
	await expect(colleague.getByText(`you are invited to ${ADMIN.team} as ${COLLEAGUE.email}`)).toBeVisible();
	const accept = colleague.getByRole('form', { name: 'Accept invite' });
	await accept.getByRole('textbox', { name: 'Password' }).fill(COLLEAGUE.password);
	await accept.getByRole('button', { name: 'Set password' }).click();
	await expect(colleague.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
	await expect(connection(colleague)).toHaveText('Synced');
	// A member does not get Settings › Team.
	await expect(teamHeading(colleague)).toHaveCount(0);

	// The link works once.
	const again = await colleagueContext.newPage();
	await again.goto(inviteLink);
	await expect(again.getByRole('alert')).toContainText('already been used');
	await again.close();
});

test('sign-out, then sign-in with email and password, and sync', async () => {
	await colleague.getByRole('button', { name: 'Sign out' }).click();
	await expect(connection(colleague)).toHaveText('Local only');
	const form = syncForm(colleague);
	await form.getByRole('textbox', { name: 'Server URL' }).fill(SERVER);
	await form.getByRole('textbox', { name: 'Email' }).fill(COLLEAGUE.email);
	await form.getByRole('textbox', { name: 'Password' }).fill('not the password');
	await form.getByRole('button', { name: 'Sign in' }).click();
	await expect(form.getByRole('alert')).toContainText('The email or the password is not right.');
	await form.getByRole('textbox', { name: 'Password' }).fill(COLLEAGUE.password);
	await form.getByRole('button', { name: 'Sign in' }).click();
	await expect(connection(colleague)).toHaveText('Synced');

	// A password change keeps this device signed in (and would sign out the others).
	await colleague.locator('summary', { hasText: 'Change password' }).click();
	const change = colleague.getByRole('form', { name: 'Change password' });
	await change.getByRole('textbox', { name: 'Current password' }).fill(COLLEAGUE.password);
	await change.getByRole('textbox', { name: 'New password' }).fill(COLLEAGUE.newPassword);
	await change.getByRole('button', { name: 'Change password' }).click();
	await expect(change.getByRole('status')).toHaveText('Password changed; 0 other devices were signed out.');
	await expect(connection(colleague)).toHaveText('Synced');

	const library = new Library(colleague);
	await library.gotoCases();
	await library.createCase('Invited v Revoked');
	await expect(connection(colleague)).toHaveText('Synced');

	// The admin pulls the colleague's case: same team.
	await settings(admin);
	await admin.getByRole('button', { name: 'Sync now' }).click();
	await expect(connection(admin)).toHaveText('Synced');
	const adminLibrary = new Library(admin);
	await adminLibrary.gotoCases();
	await expect(adminLibrary.caseLink('Invited v Revoked')).toBeVisible();
});

test('an admin revokes the device: it shows "Signed out by the team admin" and keeps its local data', async () => {
	await settings(admin);
	const devices = admin.getByRole('list', { name: `Devices of ${COLLEAGUE.name}` });
	// Signing out ended the first device; the one signed in since is the only one left.
	await expect(devices.getByRole('listitem')).toHaveCount(1);
	await expect(devices).toContainText('last synced');
	await devices.getByRole('button', { name: /^Revoke / }).click();
	await expect(devices.getByText('No devices signed in.')).toBeVisible();

	await settings(colleague);
	await colleague.getByRole('button', { name: 'Sync now' }).click();
	await expect(colleague.getByRole('alert')).toContainText('Signed out by the team admin');
	await expect(connection(colleague)).toHaveText('Sync error');
	const library = new Library(colleague);
	await library.gotoCases();
	await expect(library.caseLink('Invited v Revoked')).toBeVisible();
	// Still so after a reload: the server keeps saying why.
	await colleague.reload();
	await settings(colleague);
	await expect(colleague.getByRole('alert')).toContainText('Signed out by the team admin');
});
