import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from './config.ts';
import { startServer, type RunningServer } from './main.ts';
import { apiClient, DATABASE_MODES, newUser, openBackend, put, tus, tusMetadata, type TestBackend } from './testing.ts';
import { CURSOR_AHEAD, LIMITS } from '../src/lib/sync/protocol.ts';

const uuid = () => crypto.randomUUID();
const json = (body: unknown): RequestInit => ({
	method: 'POST',
	headers: { 'content-type': 'application/json' },
	body: typeof body === 'string' ? body : JSON.stringify(body)
});

describe.each(DATABASE_MODES)('hardening over HTTP (%s)', (mode) => {
	let backend: TestBackend;
	let server: RunningServer;

	beforeAll(async () => {
		backend = await openBackend(mode);
		server = await backend.start();
	});
	afterAll(async () => {
		await backend.close();
	});

	async function team() {
		return apiClient(server.url, await newUser(server, `team-${uuid()}`));
	}

	it('rejects only the mutations a database cannot store and applies the rest of the batch', async () => {
		const api = await team();
		const caseId = uuid();
		const goodThread = uuid();
		const deep: unknown = Array.from({ length: 40 }).reduce<unknown>((inner) => ({ inner }), 'bottom');
		const batch = [
			put('cases', caseId, 0, { title: 'Smith v Jones' }),
			put('chunks', uuid(), 0, { caseId, documentId: uuid(), text: 'page one\u0000page two' }),
			put('threads', goodThread, 0, { caseId, title: 'Questions' }),
			put('messages', uuid(), 0, { caseId, content: 'half a pair \uD83D here' }),
			put('messages', uuid(), 0, { caseId, citations: [{ note: 'lone low \uDC00' }] }),
			put('threads', uuid(), 0, { caseId, nested: deep }),
			put('chunks', uuid(), 0, { caseId, documentId: uuid(), text: 'x', embedding: [1e39, 0] }),
			// Within 256 KiB as UTF-16 units, over it as the UTF-8 bytes the server stores.
			put('threads', uuid(), 0, { caseId, title: '€'.repeat(100_000) }),
			{ ...put('threads', uuid(), 0, { caseId }), table: 'users' },
			put('threads', uuid(), 0, { caseId, title: 'Emoji are fine 😀' })
		];
		const clientId = uuid();
		const results = (await api.push(clientId, batch as Parameters<typeof api.push>[1])).results;
		expect(results.map((r) => r.status)).toEqual([
			'applied',
			'rejected',
			'applied',
			'rejected',
			'rejected',
			'rejected',
			'rejected',
			'rejected',
			'rejected',
			'applied'
		]);
		expect(results[1]?.reason).toMatch(/U\+0000/);
		expect(results[3]?.reason).toMatch(/surrogate/);
		expect(results[5]?.reason).toMatch(/deeper/);
		expect(results[6]?.reason).toMatch(/32-bit/);
		expect(results[7]?.reason).toMatch(/bytes/);
		expect(results.every((r) => r.mutationId === batch[results.indexOf(r)]!.mutationId)).toBe(true);
		const { changes } = await api.pullAll();
		expect(changes.map((c) => c.id).sort()).toEqual([caseId, goodThread, batch[9]!.id].sort());
		// A replay answers the same, rejections included.
		const again = await api.push(clientId, batch.slice(0, 3) as Parameters<typeof api.push>[1]);
		expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'rejected', 'duplicate']);
	});

	it('answers every bad input with a 4xx, never a 500', async () => {
		const api = await team();
		const caseId = uuid();
		await api.push(uuid(), [put('cases', caseId, 0, { title: 'c' })]);
		const nested = '['.repeat(5000) + ']'.repeat(5000);
		const deepObject = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
		const cases: [string, RequestInit | undefined][] = [
			['/api/v1/search', json({ caseId, vector: [1e39, 0], k: 1 })],
			['/api/v1/search', json(`{"caseId":"${caseId}","vector":${nested},"k":1}`)],
			['/api/v1/push', json(deepObject)],
			['/api/v1/push', json(nested)],
			['/api/v1/push', json('{"clientId":')],
			[`/api/v1/files/${'-'.repeat(36)}`, undefined],
			[`/api/v1/files/${'g'.repeat(36)}`, undefined],
			[`/api/v1/files/%00`, undefined],
			[`/api/v1/files/${'a'.repeat(5000)}`, undefined],
			[`/api/v1/pull?since=1e400`, undefined],
			[`/api/v1/pull?since=-1`, undefined]
		];
		for (const [path, init] of cases) {
			const response = await api.raw(path, init);
			expect(response.status, `${path} ${String(init?.body ?? '').slice(0, 40)}`).toBeGreaterThanOrEqual(400);
			expect(response.status, path).toBeLessThan(500);
		}
		// Nesting thousands deep inside a mutation, or as one, is that mutation's rejection.
		const asMutation = await api.raw('/api/v1/push', json(`{"clientId":"${uuid()}","mutations":${nested}}`));
		expect(asMutation.status).toBe(200);
		expect(((await asMutation.json()) as { results: { status: string }[] }).results[0]?.status).toBe('rejected');
		const deepField = `{"clientId":"${uuid()}","mutations":[{"mutationId":"${uuid()}","table":"threads","id":"${uuid()}","baseRev":0,"op":"put","fields":{"caseId":"${caseId}","x":${nested}}}]}`;
		const push = await api.raw('/api/v1/push', json(deepField));
		expect(push.status).toBe(200);
		expect(((await push.json()) as { results: { status: string }[] }).results[0]?.status).toBe('rejected');
	});

	it('answers a search with a zero vector with distance null', async () => {
		const api = await team();
		const caseId = uuid();
		await api.push(uuid(), [
			put('cases', caseId, 0, { title: 'c' }),
			put('chunks', uuid(), 0, { caseId, documentId: uuid(), text: 'a', embedding: [1, 0, 0] })
		]);
		const response = await api.raw('/api/v1/search', json({ caseId, vector: [0, 0, 0], k: 3 }));
		expect(response.status).toBe(200);
		const body = (await response.json()) as { results: { distance: number | null }[] };
		expect(body.results).toHaveLength(1);
		expect(body.results[0]?.distance).toBeNull();
	});

	it('survives random input on every route with a 4xx or a 2xx', async () => {
		const api = await team();
		const routes = ['/api/v1/push', '/api/v1/search', '/api/v1/pull', `/api/v1/files/${uuid()}`, '/files/'];
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom(...routes),
				fc.constantFrom('GET', 'POST', 'PATCH', 'HEAD'),
				fc.oneof(fc.json({ depthSize: 'large' }), fc.string(), fc.string({ unit: 'binary' })),
				async (route, method, body) => {
					const init: RequestInit =
						method === 'GET' || method === 'HEAD'
							? { method }
							: { method, headers: { 'content-type': 'application/json', 'tus-resumable': '1.0.0' }, body };
					const response = await api.raw(method === 'GET' ? `${route}?since=${encodeURIComponent(body)}` : route, init);
					await response.arrayBuffer();
					return response.status < 500;
				}
			),
			{ numRuns: 60 }
		);
	});

	it('answers a pull cursor ahead of the server with 409 cursor-ahead, and sends the epoch', async () => {
		const api = await team();
		const caseId = uuid();
		await api.push(uuid(), [put('cases', caseId, 0, { title: 'c' })]);
		const page = await api.pull(0);
		expect(page.epoch).toMatch(/^[0-9a-f-]{36}$/);
		expect((await api.raw(`/api/v1/pull?since=${page.checkpoint}`)).status).toBe(200);
		const ahead = await api.raw(`/api/v1/pull?since=${page.checkpoint + 1}`);
		expect(ahead.status).toBe(409);
		expect(await ahead.json()).toMatchObject({ error: { code: CURSOR_AHEAD } });
	});

	it('draws a new epoch when the database is restored to an older state', async () => {
		const dir = await mkdtemp(join(tmpdir(), 'docket-epoch-'));
		// Its own backend: pglite-socket serves one connection at a time, and this test starts servers in turn.
		const backend = await openBackend(mode);
		try {
			const first = await backend.start({}, { data: dir });
			const api = apiClient(first.url, await newUser(first, `team-${uuid()}`));
			const caseId = uuid();
			await api.push(uuid(), [put('cases', caseId, 0, { title: 'before the backup' })]);
			const backupEpoch = (await api.pull(0)).epoch;
			await api.push(uuid(), [put('cases', caseId, 1, { title: 'after the backup' })]);
			await first.close();
			// A plain restart keeps the epoch.
			const again = await backend.start({}, { data: dir });
			expect((await apiClient(again.url, undefined).raw('/api/v1/health')).status).toBe(200);
			const token = await newUser(again, `team-${uuid()}`);
			const otherTeam = apiClient(again.url, token);
			expect((await otherTeam.pull(0)).epoch).toBe(backupEpoch);
			await again.close();
			// "Restore" the backup, through a server on another directory: the team's change counter and its
			// row go back to before the second push.
			const restorer = await backend.start();
			const pool = restorer.database.pool;
			await pool.query(`UPDATE cases SET seq = 1, rev = 1, fields = '{"title":"before the backup"}' WHERE id = $1`, [
				caseId
			]);
			await pool.query('UPDATE teams SET seq = 1 WHERE id = (SELECT team_id FROM cases WHERE id = $1)', [caseId]);
			await restorer.close();
			const restored = await backend.start({}, { data: dir });
			const after = apiClient(restored.url, token);
			const page = await after.pull(0);
			expect(page.epoch).not.toBe(backupEpoch);
			await restored.close();
		} finally {
			await backend.close();
			await rm(dir, { recursive: true, force: true });
		}
	});

	it('sends security headers on everything it serves', async () => {
		for (const path of ['/api/v1/health', '/api/v1/pull', '/', '/nothing-here']) {
			const response = await fetch(`${server.url}${path}`, { headers: { accept: 'text/html' } });
			const csp = response.headers.get('content-security-policy') ?? '';
			expect(csp, path).toContain("default-src 'self'");
			expect(csp).toContain("frame-ancestors 'none'");
			expect(csp).toContain("'wasm-unsafe-eval'");
			expect(csp).toMatch(/worker-src 'self' blob:/);
			// Nothing remote: only loopback origins besides this one.
			const origins = csp.match(/\b(?:https?|wss?):\/\/[^\s;]+/g) ?? [];
			expect(origins.filter((o) => !/^(?:http|ws):\/\/(?:localhost|127\.0\.0\.1):\*$/.test(o))).toEqual([]);
			expect(response.headers.get('x-content-type-options')).toBe('nosniff');
			expect(response.headers.get('referrer-policy')).toBe('no-referrer');
		}
	});

	it('leaves no row behind for an upload refused at creation', async () => {
		const token = await newUser(server, `team-${uuid()}`);
		const api = apiClient(server.url, token);
		const caseId = uuid();
		const documentId = uuid();
		await api.push(uuid(), [put('cases', caseId, 0, { title: 'c' }), put('documents', documentId, 0, { caseId })]);
		const count = async () =>
			Number(
				(
					await server.database.pool.query<{ n: string }>('SELECT count(*) AS n FROM uploads WHERE document_id = $1', [
						documentId
					])
				).rows[0]?.n
			);
		const meta = { caseId, documentId, sha256: 'a'.repeat(64), filename: 'big.pdf' };
		const refused = await tus(server.url, token).create(meta, LIMITS.maxUploadBytes + 1);
		expect(refused.status).toBe(413);
		expect(await count()).toBe(0);
		// Deferring the size would skip that check: refused as well, before a row is written.
		const deferred = await fetch(`${server.url}/files/`, {
			method: 'POST',
			headers: {
				authorization: `Bearer ${token}`,
				'tus-resumable': '1.0.0',
				'upload-defer-length': '1',
				'upload-metadata': tusMetadata(meta)
			}
		});
		expect(deferred.status).toBe(400);
		expect(await count()).toBe(0);
		const accepted = await tus(server.url, token).create(meta, 10);
		expect(accepted.status).toBe(201);
		expect(await count()).toBe(1);
	});
});

describe('authentication failures', () => {
	let backend: TestBackend;
	let server: RunningServer;

	beforeAll(async () => {
		backend = await openBackend('pglite');
		server = await backend.start({ rateLimit: { burst: 1e6, perSecond: 1e6 } });
	});
	afterAll(async () => {
		await backend.close();
	});

	it('answers a flood of bad tokens with 429s while another team’s pulls keep their latency', async () => {
		const good = apiClient(server.url, await newUser(server, `team-${uuid()}`));
		await good.push(uuid(), [put('cases', uuid(), 0, { title: 'c' })]);
		const timePulls = async (n: number) => {
			const samples: number[] = [];
			for (let i = 0; i < n; i++) {
				const start = performance.now();
				expect((await good.raw('/api/v1/pull?since=0')).status).toBe(200);
				samples.push(performance.now() - start);
			}
			return samples.sort((a, b) => a - b)[Math.floor(n / 2)]!;
		};
		const quiet = await timePulls(30);
		const statuses = new Map<number, number>();
		let flooding = true;
		const flood = (async () => {
			const workers = Array.from({ length: 8 }, async () => {
				while (flooding) {
					const bad = `dkt_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`;
					const response = await fetch(`${server.url}/api/v1/pull?since=0`, {
						headers: { authorization: `Bearer ${bad}` }
					});
					await response.arrayBuffer();
					statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
				}
			});
			await Promise.all(workers);
		})();
		await new Promise((resolve) => setTimeout(resolve, 300));
		const busy = await timePulls(30);
		flooding = false;
		await flood;
		expect(statuses.get(401)).toBeLessThanOrEqual(40);
		expect(statuses.get(429) ?? 0).toBeGreaterThan(statuses.get(401) ?? 0);
		// Loose on purpose (a shared machine): the flood costs the good team no more than a few times.
		expect(busy).toBeLessThan(quiet * 5 + 25);
	});
});

describe('a stranger at the firm’s address', () => {
	let backend: TestBackend;
	beforeAll(async () => {
		backend = await openBackend('pglite');
	});
	afterAll(async () => {
		await backend.close();
	});

	const junk = () => `Bearer dkt_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`;
	async function flood(url: string, headers: Record<string, string> = {}) {
		const statuses: number[] = [];
		for (let i = 0; i < 40; i++) {
			const response = await fetch(`${url}/api/v1/pull?since=0`, { headers: { authorization: junk(), ...headers } });
			await response.arrayBuffer();
			statuses.push(response.status);
		}
		return statuses;
	}

	/** One raw HTTP/1.1 exchange, the request line as given; resolves to the status and whether the socket closed. */
	function raw(port: number, head: string, body = ''): Promise<{ status: number; closed: boolean }> {
		return new Promise((resolve, reject) => {
			const socket = connect(port, '127.0.0.1', () => socket.write(head + body));
			let data = '';
			socket.on('data', (chunk) => (data += chunk.toString()));
			socket.on('error', reject);
			socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? 0), closed: true }));
		});
	}

	it('keeps no one out with junk tokens: a token that signs in always passes', async () => {
		const server = await backend.start();
		const statuses = await flood(server.url);
		expect(statuses).toContain(429);
		// A teammate's device that has not been used since the server started.
		const fresh = apiClient(server.url, await newUser(server, `team-${uuid()}`));
		expect((await fresh.raw('/api/v1/pull?since=0')).status).toBe(200);
		// Junk is still refused at the failing address, before it costs more than its lookup.
		expect((await fetch(`${server.url}/api/v1/pull?since=0`, { headers: { authorization: junk() } })).status).toBe(429);
	});

	it('limits a request whose request line names the whole URL like any other', async () => {
		const server = await backend.start();
		const port = Number(new URL(server.url).port);
		const statuses: number[] = [];
		for (let i = 0; i < 40; i++)
			statuses.push(
				(
					await raw(
						port,
						`GET http://127.0.0.1:${port}/api/v1/pull?since=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${junk()}\r\nConnection: close\r\n\r\n`
					)
				).status
			);
		expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(31);
		expect(statuses).toContain(429);
	});

	it('tells clients apart behind a trusted proxy by X-Forwarded-For, and only behind one', async () => {
		const behind = await backend.start({}, { 'trust-proxy': 'loopback' });
		expect(await flood(behind.url, { 'x-forwarded-for': '203.0.113.7' })).toContain(429);
		const other = await fetch(`${behind.url}/api/v1/pull?since=0`, {
			headers: { authorization: junk(), 'x-forwarded-for': '203.0.113.8' }
		});
		expect(other.status).toBe(401);
		// Without --trust-proxy the header names nobody: a client cannot pick a fresh address for itself.
		const direct = await backend.start();
		await flood(direct.url, { 'x-forwarded-for': '203.0.113.7' });
		const spoofed = await fetch(`${direct.url}/api/v1/pull?since=0`, {
			headers: { authorization: junk(), 'x-forwarded-for': '203.0.113.9' }
		});
		expect(spoofed.status).toBe(429);
	});

	it('closes a connection whose body never finishes arriving', async () => {
		const server = await backend.start({ timeouts: { idleMs: 300, requestMs: 1000 } });
		const port = Number(new URL(server.url).port);
		const result = await raw(
			port,
			`POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n`,
			'{'
		);
		expect(result.closed).toBe(true);
	});

	it('refuses --trust-proxy values that would believe anyone', () => {
		expect(() => resolveConfig({ 'trust-proxy': 'true' }, {})).toThrow(/not an address/);
		expect(() => resolveConfig({ 'trust-proxy': '*' }, {})).toThrow(/not an address/);
		expect(resolveConfig({ 'trust-proxy': '10.0.0.0/8, loopback' }, {}).trustProxy).toEqual(['10.0.0.0/8', 'loopback']);
	});
});

describe('file modes', () => {
	it('keeps the data directory 0700 and its files 0600, PGlite’s included, under umask 0022', async () => {
		const dir = await mkdtemp(join(tmpdir(), 'docket-modes-'));
		const previous = process.umask(0o022);
		try {
			const server = await startServer(
				resolveConfig(
					{ port: '0', data: join(dir, 'data'), static: join(dir, 'none'), 'log-level': 'silent' },
					{},
					dir
				),
				{ handleSignals: false }
			);
			await newUser(server, `team-${uuid()}`);
			await server.close();
			const wrong: string[] = [];
			const walk = async (path: string) => {
				const info = await stat(path);
				const mode = info.mode & 0o777;
				if (info.isDirectory()) {
					if (mode !== 0o700) wrong.push(`${path} ${mode.toString(8)}`);
					for (const name of await readdir(path)) await walk(join(path, name));
				} else if (mode !== 0o600) wrong.push(`${path} ${mode.toString(8)}`);
			};
			await walk(join(dir, 'data'));
			expect(wrong).toEqual([]);
			expect((await readdir(join(dir, 'data', 'postgres'))).length).toBeGreaterThan(3);
		} finally {
			process.umask(previous);
			await rm(dir, { recursive: true, force: true });
		}
	});
});
