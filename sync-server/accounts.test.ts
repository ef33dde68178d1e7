import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from './auth.ts';
import type { RunningServer } from './main.ts';
import { apiClient, DATABASE_MODES, newUser, openBackend, type TestBackend } from './testing.ts';

/** Accounts over real HTTP: setup, invites, sign-in, throttling, revocation, and what reaches the logs. */

const uuid = () => crypto.randomUUID();
const PASSWORD = 'correct horse battery staple';

function json(server: RunningServer, path: string, body: unknown, token?: string, method = 'POST') {
	return fetch(`${server.url}${path}`, {
		method,
		headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
		body: JSON.stringify(body)
	});
}

async function tokenOf(response: Response): Promise<string> {
	expect(response.status).toBe(200);
	const body = (await response.json()) as { token: string };
	expect(body.token).toMatch(/^dkt_/);
	return body.token;
}

async function errorCode(response: Response): Promise<string> {
	return ((await response.json()) as { error: { code: string } }).error.code;
}

describe.each(DATABASE_MODES)('accounts over HTTP (%s)', (mode) => {
	let backend: TestBackend;
	let server: RunningServer;
	const logs: string[] = [];
	let admin = '';
	let clock = Date.now();

	beforeAll(async () => {
		backend = await openBackend(mode);
		const stream = new PassThrough();
		stream.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
		server = await backend.start(
			{
				logStream: stream,
				now: () => clock,
				loginLimit: {
					accountFreeFailures: 3,
					addressFreeFailures: 1000,
					baseDelayMs: 1000,
					maxDelayMs: 60_000,
					forgetAfterMs: 3600_000
				}
			},
			{ 'log-level': 'debug' }
		);
	});
	afterAll(async () => {
		await backend.close();
	});

	const login = (email: string, password: string, deviceName = 'laptop') =>
		json(server, '/api/v1/auth/login', { email, password, deviceName });

	async function invite(email: string, name: string, role: 'admin' | 'member' = 'member') {
		const response = await json(server, '/api/v1/team/invites', { email, name, role }, admin);
		expect(response.status).toBe(200);
		return ((await response.json()) as { token: string; expiresAt: string }).token;
	}

	async function member(email = `${uuid()}@firm.example`) {
		const token = await invite(email, 'Ben Member');
		const device = await tokenOf(
			await json(server, '/api/v1/auth/invite/accept', { token, password: PASSWORD, deviceName: 'ben-laptop' })
		);
		return { email, device };
	}

	it('sets up a fresh server once: the admin is made and signed in, a second setup is refused', async () => {
		expect(await (await fetch(`${server.url}/api/v1/auth/setup`)).json()).toEqual({ needed: true });
		const body = {
			team: 'Smith & Co',
			name: 'Ann Admin',
			email: 'Ann@Firm.example',
			password: PASSWORD,
			deviceName: 'ann-pc'
		};
		// Two at once: exactly one wins.
		const [a, b] = await Promise.all([
			json(server, '/api/v1/auth/setup', body),
			json(server, '/api/v1/auth/setup', { ...body, deviceName: 'ann-other-pc' })
		]);
		expect([a.status, b.status].sort()).toEqual([200, 409]);
		const winner = a.status === 200 ? a : b;
		admin = await tokenOf(winner);
		expect(await (await fetch(`${server.url}/api/v1/auth/setup`)).json()).toEqual({ needed: false });
		const again = await json(server, '/api/v1/auth/setup', { ...body, email: 'mallory@evil.example' });
		expect(again.status).toBe(409);
		expect(await errorCode(again)).toBe('already-set-up');
		const me = await apiClient(server.url, admin).raw('/api/v1/auth/me');
		expect(await me.json()).toMatchObject({ role: 'admin', team: 'Smith & Co' });
		// Hashed with Argon2id, never stored in plain text.
		const { rows } = await server.database.pool.query<{ password_hash: string }>(
			'SELECT password_hash FROM users WHERE password_hash IS NOT NULL'
		);
		expect(rows).toHaveLength(1);
		expect(rows[0]?.password_hash).toMatch(/^\$argon2id\$/);
		expect(rows[0]?.password_hash).not.toContain(PASSWORD);
		// The admin's team syncs like any other.
		expect((await apiClient(server.url, admin).pull(0)).changes).toEqual([]);
	});

	it('signs in with email and password (any case of the email), refuses a wrong password', async () => {
		const first = await tokenOf(await login('ann@firm.example', PASSWORD, 'ann-laptop'));
		const second = await tokenOf(await login('ANN@FIRM.EXAMPLE', PASSWORD, 'ann-phone'));
		expect(first).not.toBe(second);
		const wrong = await login('ann@firm.example', 'not the password');
		expect(wrong.status).toBe(401);
		expect(await errorCode(wrong)).toBe('wrong-credentials');
		const nobody = await login('nobody@firm.example', PASSWORD);
		expect(nobody.status).toBe(401);
		// Only the token's hash is stored, with the device's name.
		const { rows } = await server.database.pool.query<{ token_hash: string; name: string }>(
			'SELECT token_hash, name FROM devices'
		);
		expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['ann-laptop', 'ann-phone']));
		expect(rows.map((r) => r.token_hash)).toEqual(expect.arrayContaining([hashToken(first), hashToken(second)]));
		expect(rows.some((r) => r.token_hash.includes(first) || r.token_hash.includes(second))).toBe(false);
	});

	it('accepts an invite once; a used or expired link is refused', async () => {
		const email = `${uuid()}@firm.example`;
		const token = await invite(email, 'Cat Colleague');
		const seen = await json(server, '/api/v1/auth/invite', { token });
		expect(await seen.json()).toEqual({ email, name: 'Cat Colleague', team: 'Smith & Co' });
		const device = await tokenOf(
			await json(server, '/api/v1/auth/invite/accept', { token, password: PASSWORD, deviceName: 'cat-pc' })
		);
		expect(await (await apiClient(server.url, device).raw('/api/v1/auth/me')).json()).toMatchObject({
			role: 'member',
			email
		});
		const reuse = await json(server, '/api/v1/auth/invite/accept', { token, password: PASSWORD, deviceName: 'x' });
		expect(reuse.status).toBe(410);
		expect(await errorCode(reuse)).toBe('invite-used');
		await tokenOf(await login(email, PASSWORD));

		const late = await invite(`${uuid()}@firm.example`, 'Dan Late');
		const { rows } = await server.database.pool.query<{ expires_at: Date; created_at: Date }>(
			'SELECT expires_at, created_at FROM invites WHERE accepted_at IS NULL'
		);
		// Seven days, then it is moved into the past to test expiry.
		expect(rows[0] && rows[0].expires_at.getTime() - rows[0].created_at.getTime()).toBeGreaterThan(6.99 * 86400_000);
		await server.database.pool.query(`UPDATE invites SET expires_at = now() - interval '1 minute'`);
		const expired = await json(server, '/api/v1/auth/invite/accept', {
			token: late,
			password: PASSWORD,
			deviceName: 'x'
		});
		expect(expired.status).toBe(410);
		expect(await errorCode(expired)).toBe('invite-expired');
		const unknown = await json(server, '/api/v1/auth/invite/accept', {
			token: 'dki_nope',
			password: PASSWORD,
			deviceName: 'x'
		});
		expect(unknown.status).toBe(404);
	});

	it('throttles sign-in per account with a growing delay, and a success resets it', async () => {
		const { email } = await member();
		for (let i = 0; i < 3; i++) expect((await login(email, 'wrong')).status).toBe(401);
		// The fourth failure earns 1 s, the fifth 2 s, the sixth 4 s.
		const delays: number[] = [];
		for (let i = 0; i < 3; i++) {
			expect((await login(email, 'wrong')).status).toBe(401);
			const blocked = await login(email, PASSWORD);
			expect(blocked.status).toBe(429);
			const body = (await blocked.json()) as { error: { retryAfterMs: number } };
			expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
			delays.push(body.error.retryAfterMs);
			clock += body.error.retryAfterMs;
		}
		expect(delays).toEqual([1000, 2000, 4000]);
		// Other accounts are not held up by this one.
		await tokenOf(await login('ann@firm.example', PASSWORD));
		await tokenOf(await login(email, PASSWORD));
		expect((await login(email, 'wrong')).status).toBe(401);
	});

	it('logout revokes the calling token only; its next request is refused with the reason', async () => {
		const { email, device } = await member();
		const other = await tokenOf(await login(email, PASSWORD, 'second'));
		const out = await json(server, '/api/v1/auth/logout', {}, device);
		expect(out.status).toBe(204);
		const after = await apiClient(server.url, device).raw('/api/v1/pull?since=0');
		expect(after.status).toBe(401);
		expect(await errorCode(after)).toBe('signed-out');
		expect((await apiClient(server.url, other).raw('/api/v1/pull?since=0')).status).toBe(200);
	});

	it('an admin revoking a device or removing a person takes effect on the next request', async () => {
		const { email, device } = await member();
		const spare = await tokenOf(await login(email, PASSWORD, 'spare'));
		const api = apiClient(server.url, device);
		expect((await api.raw('/api/v1/pull?since=0')).status).toBe(200);
		const team = (await (await apiClient(server.url, admin).raw('/api/v1/team')).json()) as {
			people: {
				id: string;
				email: string | null;
				devices: { id: string; name: string; lastSeenAt: string | null }[];
			}[];
		};
		const person = team.people.find((p) => p.email === email);
		const laptop = person?.devices.find((d) => d.name === 'ben-laptop');
		expect(laptop?.lastSeenAt).not.toBeNull();
		const revoked = await apiClient(server.url, admin).raw(`/api/v1/team/devices/${laptop?.id}`, { method: 'DELETE' });
		expect(revoked.status).toBe(204);
		const next = await api.raw('/api/v1/pull?since=0');
		expect(next.status).toBe(401);
		expect(await errorCode(next)).toBe('revoked-by-admin');
		expect((await apiClient(server.url, spare).raw('/api/v1/pull?since=0')).status).toBe(200);

		const removed = await apiClient(server.url, admin).raw(`/api/v1/team/people/${person?.id}`, { method: 'DELETE' });
		expect(removed.status).toBe(204);
		const gone = await apiClient(server.url, spare).raw('/api/v1/pull?since=0');
		expect(gone.status).toBe(401);
		expect(await errorCode(gone)).toBe('revoked-by-admin');
		expect((await login(email, PASSWORD)).status).toBe(401);
	});

	it('a password change ends every other device of that person', async () => {
		const { email, device } = await member();
		const other = await tokenOf(await login(email, PASSWORD, 'other'));
		const wrong = await json(
			server,
			'/api/v1/auth/password',
			{ currentPassword: 'nope', newPassword: 'a new long password' },
			device
		);
		expect(wrong.status).toBe(403);
		const changed = await json(
			server,
			'/api/v1/auth/password',
			{ currentPassword: PASSWORD, newPassword: 'a new long password' },
			device
		);
		expect(await changed.json()).toEqual({ revokedDevices: 1 });
		const next = await apiClient(server.url, other).raw('/api/v1/pull?since=0');
		expect(next.status).toBe(401);
		expect(await errorCode(next)).toBe('password-changed');
		expect((await apiClient(server.url, device).raw('/api/v1/pull?since=0')).status).toBe(200);
		expect((await login(email, PASSWORD)).status).toBe(401);
		await tokenOf(await login(email, 'a new long password'));
	});

	it('only admins manage the team, and only their own team', async () => {
		const { device } = await member();
		const asMember = apiClient(server.url, device);
		expect((await asMember.raw('/api/v1/team')).status).toBe(403);
		expect((await json(server, '/api/v1/team/invites', { email: 'x@y.example', name: 'X' }, device)).status).toBe(403);
		const team = (await (await apiClient(server.url, admin).raw('/api/v1/team')).json()) as {
			people: { id: string; role: string }[];
		};
		const annId = team.people.find((p) => p.role === 'admin')?.id;
		expect((await asMember.raw(`/api/v1/team/people/${annId}`, { method: 'DELETE' })).status).toBe(403);
		// An admin of another team (made on the command line) sees none of this team's people.
		const otherAdmin = await newUser(server, `other-${uuid()}`, 'Olga');
		await server.database.pool.query(`UPDATE users SET role = 'admin' WHERE name = 'Olga'`);
		const other = apiClient(server.url, otherAdmin);
		const theirs = (await (await other.raw('/api/v1/team')).json()) as { people: { name: string }[] };
		expect(theirs.people.map((p) => p.name)).toEqual(['Olga']);
		expect((await other.raw(`/api/v1/team/people/${annId}`, { method: 'DELETE' })).status).toBe(404);
		// The last admin cannot be removed.
		const self = await apiClient(server.url, admin).raw(`/api/v1/team/people/${annId}`, { method: 'DELETE' });
		expect(self.status).toBe(409);
	});

	it('never writes a password or a token to the log', async () => {
		const secret = `secret-${uuid()}`;
		await login('ann@firm.example', secret);
		const email = `${uuid()}@firm.example`;
		const inviteToken = await invite(email, 'Log Tester');
		const device = await tokenOf(
			await json(server, '/api/v1/auth/invite/accept', { token: inviteToken, password: `${secret}-x`, deviceName: 'd' })
		);
		await json(server, '/api/v1/auth/password', { currentPassword: `${secret}-x`, newPassword: `${secret}-y` }, device);
		await json(server, '/api/v1/auth/setup', {
			name: 'n',
			email: 'e@x.example',
			password: `${secret}-z`,
			deviceName: 'd'
		});
		const text = logs.join('');
		expect(text).toContain('sign-in refused');
		expect(text).toContain('invite accepted');
		for (const forbidden of [secret, PASSWORD, inviteToken, device, admin]) expect(text).not.toContain(forbidden);
	});
});
