import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCase, renameCase } from '../src/lib/db/cases.ts';
import { DocketDatabase } from '../src/lib/db/database.ts';
import { write } from '../src/lib/db/writes.ts';
import { normaliseServerUrl, SyncApi, type SyncServer } from '../src/lib/sync/api-client.ts';
import {
	CHECKPOINT_KEY,
	pullChanges,
	pushOutbox,
	readCheckpoint,
	readQuarantine,
	REPULLED_KEY
} from '../src/lib/sync/replicate.ts';
import type { RunningServer } from './main.ts';
import { apiClient, newUser, openBackend, put, type TestBackend } from './testing.ts';

async function device() {
	const db = new DocketDatabase(`client-${crypto.randomUUID()}`);
	await db.open();
	return db;
}

describe('the sync client against a hardened server', () => {
	let backend: TestBackend;
	let server: RunningServer;
	let team: SyncServer;

	beforeAll(async () => {
		backend = await openBackend('pglite');
		server = await backend.start();
		team = { url: server.url, token: await newUser(server, `firm-${crypto.randomUUID()}`) };
	});
	afterAll(async () => {
		await backend.close();
	});

	it('moves a rejected entry out of the outbox, into the list Settings › Sync shows, and pushes the rest', async () => {
		const db = await device();
		const created = await createCase(db, 'Smith v Jones');
		const threadId = crypto.randomUUID();
		// An older app version stored text the server cannot take.
		await write(db, [], async (w) => {
			await w.record([
				{
					table: 'threads',
					rowId: crypto.randomUUID(),
					caseId: created.id,
					op: 'put',
					baseRev: 0,
					fields: { title: 'bad\u0000title' }
				},
				{ table: 'threads', rowId: threadId, caseId: created.id, op: 'put', baseRev: 0, fields: { title: 'good' } }
			]);
		});
		const summary = await pushOutbox(db, new SyncApi(team));
		expect(summary).toEqual({ pushed: 3, conflicts: 1 });
		expect(await db.outbox.count()).toBe(0);
		const [conflict] = await db.conflicts.toArray();
		expect(conflict?.server['rejected']).toMatch(/U\+0000/);
		const other = await device();
		await pullChanges(other, new SyncApi(team));
		expect((await other.threads.toArray()).map((t) => t.id)).toEqual([threadId]);
	});

	it('quarantines a teammate’s malformed row and applies the rest of the page', async () => {
		const raw = apiClient(team.url, team.token);
		const caseId = crypto.randomUUID();
		await raw.push(crypto.randomUUID(), [
			put('cases', caseId, 0, { title: 'Fine' }),
			put('threads', crypto.randomUUID(), 0, { caseId, title: { not: 'a string' } }),
			put('messages', crypto.randomUUID(), 0, { caseId, role: 'system', content: 'x' })
		]);
		const db = await device();
		const summary = await pullChanges(db, new SyncApi(team));
		expect(summary.quarantined).toBe(2);
		expect((await db.cases.get(caseId))?.title).toBe('Fine');
		const kept = await readQuarantine(db);
		expect(kept.map((q) => q.table).sort()).toEqual(['messages', 'threads']);
		expect(kept.find((q) => q.table === 'threads')?.reason).toMatch(/title/);
	});

	it('pulls everything again when the server answers cursor-ahead, and says when', async () => {
		const db = await device();
		const api = new SyncApi(team);
		const mine = await createCase(db, 'Mine');
		await pushOutbox(db, api);
		await pullChanges(db, api);
		// The device has seen further than the (restored) server has got.
		await db.syncState.put({ key: CHECKPOINT_KEY, value: (await readCheckpoint(db)) + 1000 });
		await db.cases.delete(mine.id);
		const summary = await pullChanges(db, api);
		expect(summary.repulled).toBe(true);
		expect((await db.cases.get(mine.id))?.title).toBe('Mine');
		expect(typeof (await db.syncState.get(REPULLED_KEY))?.value).toBe('number');
	});

	it('pulls everything again when the server’s epoch changes', async () => {
		const db = await device();
		const api = new SyncApi(team);
		const mine = await createCase(db, 'Epoch');
		await pushOutbox(db, api);
		await pullChanges(db, api);
		await server.database.pool.query('UPDATE server_epoch SET epoch = gen_random_uuid()');
		await renameCase(db, mine.id, 'Epoch, renamed here');
		const summary = await pullChanges(db, api);
		expect(summary.repulled).toBe(true);
		// A change waiting in the outbox is kept over the server's copy until it goes up.
		expect((await db.cases.get(mine.id))?.title).toBe('Epoch, renamed here');
	});

	it('refuses http:// for any host but this machine, saying why', () => {
		expect(normaliseServerUrl('http://localhost:8080')).toBe('http://localhost:8080');
		expect(normaliseServerUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
		for (const address of ['http://docket.firm.example', 'http://192.168.1.20:8080', 'http://localhost.evil.example'])
			expect(() => normaliseServerUrl(address)).toThrow(/over http:\/\/: anyone on the network/);
		expect(normaliseServerUrl('docket.firm.example')).toBe('https://docket.firm.example');
	});
});
