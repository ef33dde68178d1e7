import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freshStore } from '../testing/db.ts';
import { createCase } from '../db/cases.ts';
import { SyncStatus } from './sync-status.svelte.ts';
import { PROTOCOL_VERSION, PushRequest } from './protocol.ts';

/** A stand-in server: health, an empty pull, and a push that applies everything. */
function fakeServer({ token = 'dkt_good' } = {}) {
	const pushed: string[] = [];
	const fetcher: typeof fetch = async (input, init) => {
		const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
		const headers = new Headers(init?.headers);
		const json = (body: unknown, status = 200) =>
			new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
		if (url.pathname === '/api/v1/health') return json({ ok: true, protocol: PROTOCOL_VERSION });
		if (headers.get('authorization') !== `Bearer ${token}`)
			return json({ error: { code: 'unauthorized', message: 'no' } }, 401);
		if (url.pathname === '/api/v1/pull') return json({ changes: [], checkpoint: 0, hasMore: false });
		if (url.pathname === '/api/v1/push') {
			const body = PushRequest.parse(JSON.parse(String(init?.body)));
			pushed.push(...body.mutations.map((m) => m.mutationId));
			return json({
				results: body.mutations.map((m, i) => ({ mutationId: m.mutationId, status: 'applied', rev: 1, seq: i + 1 }))
			});
		}
		return json({ error: { code: 'not-found', message: 'no' } }, 404);
	};
	return { fetcher, pushed };
}

describe('SyncStatus', () => {
	afterEach(() => vi.useRealTimers());

	it('says Local only until connected, then Syncing and Synced; pushes the outbox', async () => {
		const { db, store } = await freshStore();
		const server = fakeServer();
		const status = new SyncStatus({ db, files: store, fetcher: server.fetcher, upload: async () => 0 });
		await status.start();
		expect(status.connection).toBe('Local only');
		await createCase(db, 'Offline case');
		await status.connect('localhost:9', 'dkt_good');
		flushSync();
		expect(['Syncing', 'Synced']).toContain(status.connection);
		await vi.waitFor(() => expect(status.text).toBe('Synced'));
		expect(server.pushed).toHaveLength(1);
		expect(await db.outbox.count()).toBe(0);
		expect(status.lastSyncedAt).toBeTypeOf('number');
		status.stop();
	});

	it('refuses a wrong token at Connect, and shows Sync error when a saved token stops working', async () => {
		const { db, store } = await freshStore();
		const server = fakeServer();
		const status = new SyncStatus({ db, files: store, fetcher: server.fetcher, upload: async () => 0 });
		await expect(status.connect('https://docket.example', 'dkt_bad')).rejects.toThrow(/token/);
		expect(status.configured).toBe(false);
		await status.connect('https://docket.example', 'dkt_good');
		await vi.waitFor(() => expect(status.text).toBe('Synced'));
		await db.settings.put({ key: 'sync.token', value: 'dkt_revoked' });
		status.syncNow();
		await vi.waitFor(() => expect(status.text).toBe('Sync error'));
		expect(status.error).toMatch(/access token/);
		status.stop();
	});

	/** Connected and synced, with no interval run within a test (an hour): only the outbox watch starts runs. */
	async function connected(debounceMs: number) {
		const { db, store } = await freshStore();
		const server = fakeServer();
		const status = new SyncStatus({
			db,
			files: store,
			fetcher: server.fetcher,
			upload: async () => 0,
			debounceMs,
			intervalMs: 3_600_000
		});
		await status.connect('https://docket.example', 'dkt_good');
		await vi.waitFor(() => expect(status.text).toBe('Synced'));
		return { db, server, status };
	}

	it('syncs by itself soon after a local change', async () => {
		const { db, server, status } = await connected(10);
		expect(server.pushed).toHaveLength(0);
		await createCase(db, 'Made while connected');
		// No interval fires within the test (an hour): only the outbox watch can start this run.
		await vi.waitFor(() => expect(server.pushed).toHaveLength(1));
		await vi.waitFor(() => expect(status.text).toBe('Synced'));
		expect(await db.outbox.count()).toBe(0);
		status.stop();
	});

	it('says Syncing, not Synced, while a local change waits to be sent', async () => {
		const { db, server, status } = await connected(3_600_000);
		await createCase(db, 'Made while connected');
		await vi.waitFor(() => expect(status.text).toBe('Syncing'));
		// Waiting, not running: nothing is sent until the wait ends (here: Sync now).
		expect([status.state, server.pushed.length]).toEqual(['idle', 0]);
		status.syncNow();
		await vi.waitFor(() => expect(server.pushed).toHaveLength(1));
		await vi.waitFor(() => expect(status.text).toBe('Synced'));
		status.stop();
	});
});
