import { describe, expect, it } from 'vitest';
import { deviceName, signIn, TeamApi } from './accounts-client.ts';
import { SyncAuthError } from '../errors.ts';
import { SyncApi } from './api-client.ts';

const reply =
	(status: number, body: unknown): typeof fetch =>
	async () =>
		new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('accounts client', () => {
	it('words a refused token by the server’s reason', async () => {
		const api = new SyncApi(
			{ url: 'https://docket.example', token: 't' },
			reply(401, { error: { code: 'revoked-by-admin', message: 'ended' } })
		);
		const error = await api.pull(0).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(SyncAuthError);
		expect(error instanceof SyncAuthError && error.reason).toBe('revoked-by-admin');
		expect(error instanceof SyncAuthError && error.userMessage).toMatch(/^Signed out by the team admin\./);
		const plain = await new SyncApi({ url: 'https://d.example', token: 't' }, reply(401, {}))
			.pull(0)
			.catch((e: unknown) => e);
		expect(plain instanceof SyncAuthError && plain.message).toBe('The server did not accept the access token.');
	});

	it('shows the server’s sentence when sign-in is refused, and makes invite links with the secret in the fragment', async () => {
		await expect(
			signIn('docket.example', 'a@b.example', 'x', reply(401, { error: { code: 'wrong-credentials', message: 'No.' } }))
		).rejects.toThrow('No.');
		const team = new TeamApi(
			{ url: 'https://docket.example', token: 't' },
			reply(200, { id: 'i', token: 'dki_secret', expiresAt: '2026-12-09T00:00:00.000Z' })
		);
		expect((await team.invite('c@d.example', 'C', 'member')).link).toBe('https://docket.example/invite#dki_secret');
	});

	it('names the device by browser and system', () => {
		expect(
			deviceName({
				userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36'
			})
		).toBe('Chromium on Linux');
		expect(deviceName({ userAgent: 'Mozilla/5.0 (Windows NT 10.0; rv:140.0) Gecko/20100101 Firefox/140.0' })).toBe(
			'Firefox on Windows'
		);
	});
});
