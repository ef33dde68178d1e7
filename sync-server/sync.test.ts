import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './main.ts';
import { apiClient, DATABASE_MODES, del, newUser, openBackend, put, type TestBackend } from './testing.ts';
import type { Mutation, MutationResult, ServerRow } from '../src/lib/sync/protocol.ts';

const uuid = () => crypto.randomUUID();

describe.each(DATABASE_MODES)('sync API over HTTP (%s)', (mode) => {
	let backend: TestBackend;
	let server: RunningServer;

	beforeAll(async () => {
		backend = await openBackend(mode);
		server = await backend.start();
	});
	afterAll(async () => {
		await backend.close();
	});

	async function team(name = `team-${uuid()}`) {
		return apiClient(server.url, await newUser(server, name));
	}

	it('applies a push once: a replay changes nothing and answers with the stored results', async () => {
		const api = await team();
		const clientId = uuid();
		const caseId = uuid();
		const mutations = [
			put('cases', caseId, 0, { title: 'Smith v Jones' }),
			put('threads', uuid(), 0, { caseId, title: 'Questions' })
		];
		const first = await api.push(clientId, mutations);
		expect(first.results.map((r) => r.status)).toEqual(['applied', 'applied']);
		const before = await api.pullAll();
		const replay = await api.push(clientId, mutations);
		expect(replay.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
		expect(replay.results.map((r) => [r.rev, r.seq])).toEqual(first.results.map((r) => [r.rev, r.seq]));
		expect(await api.pullAll()).toEqual(before);
		// The same mutation id from another client is a different mutation.
		const other = await api.push(uuid(), [{ ...mutations[0]!, fields: { title: 'Other' } }]);
		expect(other.results[0]?.status).toBe('conflict');
	});

	it('never lets two edits from one baseRev overwrite each other: same field conflicts, other fields merge', async () => {
		const api = await team();
		const [alice, bob, carol] = [uuid(), uuid(), uuid()];
		const caseId = uuid();
		await api.push(alice, [put('cases', caseId, 0, { title: 'Draft', note: 'n0', status: 'open' })]);
		const a = await api.push(alice, [put('cases', caseId, 1, { title: 'Alice title' })]);
		expect(a.results[0]).toMatchObject({ status: 'applied', rev: 2 });
		const b = await api.push(bob, [put('cases', caseId, 1, { title: 'Bob title' })]);
		expect(b.results[0]).toMatchObject({ status: 'conflict', rev: 2 });
		expect(b.results[0]?.server?.fields).toMatchObject({ title: 'Alice title' });
		// A stale edit of a field nobody else touched is merged, and the merged row comes back.
		const c = await api.push(carol, [put('cases', caseId, 1, { note: 'Carol note' })]);
		expect(c.results[0]).toMatchObject({ status: 'applied', rev: 3 });
		expect(c.results[0]?.server?.fields).toEqual({ title: 'Alice title', note: 'Carol note', status: 'open' });
		// The same value as the server's is no conflict.
		const same = await api.push(bob, [put('cases', caseId, 1, { title: 'Alice title' })]);
		expect(same.results[0]?.status).toBe('applied');
		const rows = (await api.pullAll()).changes.filter((r) => r.id === caseId);
		expect(rows[0]?.fields).toEqual({ title: 'Alice title', note: 'Carol note', status: 'open' });
	});

	it('propagates deletes as tombstones, and no stale update brings a row back', async () => {
		const api = await team();
		const [alice, bob] = [uuid(), uuid()];
		const caseId = uuid();
		const threadId = uuid();
		const docId = uuid();
		await api.push(alice, [
			put('cases', caseId, 0, { title: 'To delete' }),
			put('threads', threadId, 0, { caseId, title: 't' }),
			put('documents', docId, 0, { caseId, name: 'a.pdf' })
		]);
		const checkpoint = (await api.pullAll()).checkpoint;
		expect((await api.push(alice, [del('cases', caseId, 1)])).results[0]?.status).toBe('applied');
		const { changes } = await api.pullAll(checkpoint);
		expect(changes.map((c) => [c.table, c.id, c.deleted]).sort()).toEqual(
			[
				['cases', caseId, true],
				['documents', docId, true],
				['threads', threadId, true]
			].sort()
		);
		expect(changes.every((c) => Object.keys(c.fields).filter((k) => k !== 'caseId').length === 0)).toBe(true);
		// Bob edits from before the delete, and even from the tombstone's own revision: the row stays dead.
		const stale = await api.push(bob, [
			put('cases', caseId, 1, { title: 'Revived?' }),
			put('cases', caseId, 2, { title: 'Revived?' })
		]);
		expect(stale.results.map((r) => r.status)).toEqual(['conflict', 'conflict']);
		expect(stale.results[0]?.server).toMatchObject({ deleted: true });
		const child = await api.push(bob, [put('threads', uuid(), 0, { caseId, title: 'late' })]);
		expect(child.results[0]).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/deleted/) });
		const after = await api.pullAll();
		expect(after.changes.find((c) => c.id === caseId)).toMatchObject({ deleted: true });
		expect(after.changes.filter((c) => !c.deleted)).toEqual([]);
	});

	it('rejects a stale delete over someone else’s edit, and contents pushed before their case', async () => {
		const api = await team();
		const caseId = uuid();
		await api.push(uuid(), [put('cases', caseId, 0, { title: 'x' })]);
		await api.push(uuid(), [put('cases', caseId, 1, { title: 'y' })]);
		const stale = await api.push(uuid(), [del('cases', caseId, 1)]);
		expect(stale.results[0]?.status).toBe('conflict');
		const orphan = await api.push(uuid(), [put('documents', uuid(), 0, { caseId: uuid(), name: 'x' })]);
		expect(orphan.results[0]?.status).toBe('rejected');
	});

	it('skips nothing while several clients write at once', async () => {
		const api = await team();
		const caseId = uuid();
		await api.push(uuid(), [put('cases', caseId, 0, { title: 'busy' })]);
		const writers = 4;
		const rounds = 6;
		const expected = new Map<string, number>();
		const seen = new Map<string, { rev: number; seq: number }>();
		let since = 0;
		let done = false;
		const reader = (async () => {
			let lastSeq = 0;
			while (!done) {
				const page = await api.pull(since, 7);
				for (const change of page.changes) {
					expect(change.seq).toBeGreaterThan(lastSeq);
					lastSeq = change.seq;
					seen.set(change.id, { rev: change.rev, seq: change.seq });
				}
				since = page.checkpoint;
			}
		})();
		await Promise.all(
			Array.from({ length: writers }, async (_, w) => {
				const clientId = uuid();
				const ids = Array.from({ length: 3 }, uuid);
				const revs = new Map(ids.map((id) => [id, 0]));
				for (let round = 0; round < rounds; round++) {
					const batch = ids.map((id) => put('threads', id, revs.get(id) ?? 0, { caseId, title: `w${w} r${round}` }));
					const { results } = await api.push(clientId, batch);
					results.forEach((r, i) => {
						expect(r.status).toBe('applied');
						revs.set(ids[i]!, r.rev);
					});
				}
				for (const [id, rev] of revs) expect.soft(expected.set(id, rev)).toBeDefined();
			})
		);
		done = true;
		await reader;
		const rest = await api.pullAll(since, 7);
		for (const change of rest.changes) seen.set(change.id, { rev: change.rev, seq: change.seq });
		for (const [id, rev] of expected) expect(seen.get(id)?.rev).toBe(rev);
	});

	it('converges two clients under random interleavings of edits, deletes, lost replies and syncs', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(commandArbitrary, { minLength: 1, maxLength: 14 }), async (commands) => {
				const api = await team();
				const caseId = uuid();
				await api.push(uuid(), [put('cases', caseId, 0, { title: 'shared' })]);
				const rowIds = [uuid(), uuid(), uuid()];
				const clients = [new ModelClient(api, caseId), new ModelClient(api, caseId)];
				for (const client of clients) await client.sync();
				for (const command of commands) {
					const client = clients[command.client]!;
					if (command.kind === 'edit') client.edit(rowIds[command.row]!, command.field, command.value);
					else if (command.kind === 'delete') client.delete(rowIds[command.row]!);
					else await client.sync({ loseReply: command.kind === 'sync-lost-reply' });
				}
				for (let i = 0; i < 2; i++) for (const client of clients) await client.sync();
				const server = new Map(
					(await api.pullAll()).changes.filter((c) => c.table === 'threads').map((c) => [c.id, c])
				);
				for (const client of clients) {
					expect(client.outbox).toEqual([]);
					expect(client.snapshot()).toEqual(snapshotOf(server));
					// Every local change either reached the server or sits in the conflict list: none vanished.
					for (const mutationId of client.sent) expect(client.outcomes.get(mutationId)).toBeDefined();
				}
			}),
			{ numRuns: mode === 'wire' ? 12 : 20 }
		);
	});

	it('keeps each team to its own rows', async () => {
		const a = await team();
		const b = await team();
		const caseId = uuid();
		await a.push(uuid(), [put('cases', caseId, 0, { title: 'A secret' })]);
		expect((await b.pullAll()).changes).toEqual([]);
		// Team B writing the same id makes its own row; A's is untouched.
		const clash = await b.push(uuid(), [put('cases', caseId, 0, { title: 'B row' })]);
		expect(clash.results[0]?.status).toBe('applied');
		expect((await a.pullAll()).changes[0]?.fields).toEqual({ title: 'A secret' });
		// B cannot hang rows on A's case, nor search it.
		const search = await b.raw('/api/v1/search', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ caseId: uuid(), vector: [1, 0], k: 3 })
		});
		expect(search.status).toBe(404);
	});

	it('lets no team write into, delete or read another team’s case', async () => {
		const a = await team();
		const b = await team();
		const caseId = uuid();
		const documentId = uuid();
		await a.push(uuid(), [
			put('cases', caseId, 0, { title: 'A case' }),
			put('documents', documentId, 0, { caseId, name: 'a.pdf' })
		]);
		const before = await a.pullAll();
		const attempt = await b.push(uuid(), [
			put('documents', uuid(), 0, { caseId, name: 'planted.pdf' }),
			put('chunks', uuid(), 0, { caseId, documentId, text: 'planted', embedding: [1, 0], embeddingModelId: 'm' }),
			put('threads', uuid(), 0, { caseId, title: 'planted' }),
			del('documents', documentId, 1),
			del('cases', caseId, 1)
		]);
		for (const result of attempt.results.slice(0, 3)) expect(result.status).toBe('rejected');
		expect((await a.pullAll()).changes).toEqual(before.changes);
		expect((await b.raw(`/api/v1/files/${documentId}`)).status).toBe(404);
		const search = await b.raw('/api/v1/search', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ caseId, vector: [1, 0], k: 3 })
		});
		expect(search.status).toBe(404);
	});

	it('answers 401 without a valid token and writes nothing', async () => {
		const api = await team();
		const caseId = uuid();
		const body = JSON.stringify({ clientId: uuid(), mutations: [put('cases', caseId, 0, { title: 'x' })] });
		for (const token of [undefined, 'nope', 'dkt_' + 'A'.repeat(43)]) {
			const anon = apiClient(server.url, token);
			const push = await anon.raw('/api/v1/push', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body
			});
			expect(push.status).toBe(401);
			expect((await anon.raw('/api/v1/pull?since=0')).status).toBe(401);
			expect((await anon.raw(`/api/v1/files/${uuid()}`)).status).toBe(401);
		}
		const raw = await fetch(`${server.url}/api/v1/pull`, { headers: { authorization: 'Basic Zm9vOmJhcg==' } });
		expect(raw.status).toBe(401);
		expect((await api.pullAll()).changes).toEqual([]);
	});

	it('stores injection attempts as plain data and refuses them where a name or id is expected', async () => {
		const api = await team();
		const evil = `'); DROP TABLE cases; --`;
		const caseId = uuid();
		const ok = await api.push(uuid(), [put('cases', caseId, 0, { title: evil, [`note`]: `" OR 1=1 --` })]);
		expect(ok.results[0]?.status).toBe('applied');
		const chunk = await api.push(uuid(), [
			put('chunks', uuid(), 0, { caseId, documentId: uuid(), text: evil, embedding: [1, 0], embeddingModelId: evil })
		]);
		expect(chunk.results[0]?.status).toBe('applied');
		const badChunk = await api.push(uuid(), [put('chunks', uuid(), 0, { caseId, documentId: evil, text: 'x' })]);
		expect(badChunk.results[0]?.status).toBe('rejected');
		const badVector = await api.push(uuid(), [
			put('chunks', uuid(), 0, { caseId, documentId: uuid(), embedding: ['1); DROP TABLE chunks; --'] })
		]);
		expect(badVector.results[0]?.status).toBe('rejected');
		const refusedWhole = await api.raw('/api/v1/push', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ clientId: evil, mutations: [] })
		});
		expect(refusedWhole.status).toBe(400);
		// A mutation that does not fit is refused on its own: the batch answers, that mutation is rejected.
		const attempts: unknown[] = [
			{ clientId: uuid(), mutations: [{ ...put('cases', uuid(), 0, {}), table: `cases; DROP TABLE users` }] },
			{ clientId: uuid(), mutations: [{ ...put('cases', uuid(), 0, {}), id: evil }] },
			{ clientId: uuid(), mutations: [{ ...put('cases', uuid(), 0, {}), mutationId: evil }] },
			{ clientId: uuid(), mutations: [put('cases', uuid(), 0, { [evil]: 1 })] },
			{ clientId: uuid(), mutations: [{ ...put('cases', uuid(), 0, {}), baseRev: evil }] },
			{ clientId: uuid(), mutations: [{ ...put('cases', uuid(), 0, {}), op: evil }] }
		];
		for (const body of attempts) {
			const response = await api.raw('/api/v1/push', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body)
			});
			expect(response.status).toBe(200);
			expect(((await response.json()) as { results: MutationResult[] }).results[0]?.status).toBe('rejected');
		}
		expect((await api.raw(`/api/v1/pull?since=${encodeURIComponent('0; DROP TABLE cases')}`)).status).toBe(400);
		expect((await api.raw(`/api/v1/pull?since=0&limit=${encodeURIComponent("1' OR '1'='1")}`)).status).toBe(400);
		expect((await api.raw(`/api/v1/files/${encodeURIComponent(evil)}`)).status).toBe(404);
		const search = await api.raw('/api/v1/search', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ caseId: evil, vector: [1], k: 1 })
		});
		expect(search.status).toBe(400);
		const { changes } = await api.pullAll();
		expect(changes.find((c) => c.id === caseId)?.fields).toEqual({ title: evil, note: `" OR 1=1 --` });
		expect(changes.find((c) => c.table === 'chunks')?.fields).toMatchObject({
			text: evil,
			embeddingModelId: evil,
			embedding: [1, 0]
		});
	});

	it('refuses oversized bodies and too many mutations', async () => {
		const api = await team();
		const big = JSON.stringify({
			clientId: uuid(),
			mutations: [put('cases', uuid(), 0, { title: 'x'.repeat(17 * 1024 * 1024) })]
		});
		const tooBig = await api.raw('/api/v1/push', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: big
		});
		expect(tooBig.status).toBe(413);
		const fat = await api.raw('/api/v1/push', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				clientId: uuid(),
				mutations: [put('cases', uuid(), 0, { title: 'x'.repeat(300 * 1024) })]
			})
		});
		expect(fat.status).toBe(200);
		expect(((await fat.json()) as { results: MutationResult[] }).results[0]).toMatchObject({
			status: 'rejected',
			reason: expect.stringMatching(/bytes/)
		});
		const many = Array.from({ length: 501 }, () => put('cases', uuid(), 0, { title: 'x' }));
		const tooMany = await api.raw('/api/v1/push', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ clientId: uuid(), mutations: many })
		});
		expect(tooMany.status).toBe(400);
		expect((await api.pullAll()).changes).toEqual([]);
	});

	it('searches a case exactly with pgvector', async () => {
		const api = await team();
		const caseId = uuid();
		const otherCase = uuid();
		const docId = uuid();
		const vectors = Array.from({ length: 40 }, (_, i) => [Math.cos(i / 7), Math.sin(i / 7), (i % 5) / 10]);
		const chunkIds = vectors.map(() => uuid());
		await api.push(uuid(), [
			put('cases', caseId, 0, { title: 'v' }),
			put('cases', otherCase, 0, { title: 'w' }),
			...vectors.map((v, i) =>
				put('chunks', chunkIds[i]!, 0, {
					caseId,
					documentId: docId,
					text: `chunk ${i}`,
					embedding: v,
					embeddingModelId: 'tiny'
				})
			),
			put('chunks', uuid(), 0, { caseId: otherCase, documentId: docId, text: 'elsewhere', embedding: [1, 0, 0] })
		]);
		const query = [1, 0.05, 0.1];
		const response = await api.raw('/api/v1/search', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ caseId, vector: query, k: 5 })
		});
		expect(response.status).toBe(200);
		const { results } = (await response.json()) as { results: { chunkId: string; distance: number }[] };
		const cosine = (a: number[], b: number[]) =>
			1 - a.reduce((s, x, i) => s + x * b[i]!, 0) / (Math.hypot(...a) * Math.hypot(...b));
		const expected = vectors
			.map((v, i) => ({ id: chunkIds[i]!, d: cosine(v, query) }))
			.sort((x, y) => x.d - y.d)
			.slice(0, 5);
		expect(results.map((r) => r.chunkId)).toEqual(expected.map((e) => e.id));
		results.forEach((r, i) => expect(r.distance).toBeCloseTo(expected[i]!.d, 5));
	});
});

// ---- a model client for the property test: local rows, an outbox, and the sync steps the app takes ----

type Command =
	| { kind: 'edit'; client: number; row: number; field: 'title' | 'note'; value: string }
	| { kind: 'delete'; client: number; row: number }
	| { kind: 'sync' | 'sync-lost-reply'; client: number };

const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
	fc.record({
		kind: fc.constant('edit' as const),
		client: fc.integer({ min: 0, max: 1 }),
		row: fc.integer({ min: 0, max: 2 }),
		field: fc.constantFrom('title' as const, 'note' as const),
		value: fc.string({ maxLength: 6 })
	}),
	fc.record({
		kind: fc.constant('delete' as const),
		client: fc.integer({ min: 0, max: 1 }),
		row: fc.integer({ min: 0, max: 2 })
	}),
	fc.record({
		kind: fc.constantFrom('sync' as const, 'sync-lost-reply' as const),
		client: fc.integer({ min: 0, max: 1 })
	})
);

interface LocalRow {
	rev: number;
	deleted: boolean;
	fields: Record<string, unknown>;
}

function snapshotOf(
	rows: Map<string, ServerRow>
): Record<string, { deleted: boolean; fields: Record<string, unknown> }> {
	const out: Record<string, { deleted: boolean; fields: Record<string, unknown> }> = {};
	for (const [id, row] of [...rows].sort(([a], [b]) => a.localeCompare(b)))
		out[id] = { deleted: row.deleted, fields: row.fields };
	return out;
}

class ModelClient {
	readonly clientId = uuid();
	readonly rows = new Map<string, LocalRow>();
	outbox: Mutation[] = [];
	readonly sent: string[] = [];
	readonly outcomes = new Map<string, MutationResult['status']>();
	readonly conflicts: { local: Mutation; server: ServerRow | undefined }[] = [];
	private checkpoint = 0;

	constructor(
		private readonly api: ReturnType<typeof apiClient>,
		private readonly caseId: string
	) {}

	edit(id: string, field: string, value: string) {
		const row = this.rows.get(id) ?? { rev: 0, deleted: false, fields: { caseId: this.caseId } };
		if (row.deleted) return;
		row.fields = { ...row.fields, [field]: value };
		this.rows.set(id, row);
		this.outbox.push(put('threads', id, row.rev, { caseId: this.caseId, [field]: value }));
	}

	delete(id: string) {
		const row = this.rows.get(id);
		if (!row || row.deleted) return;
		row.deleted = true;
		row.fields = { caseId: this.caseId };
		this.outbox.push(del('threads', id, row.rev));
	}

	async sync({ loseReply = false } = {}) {
		if (this.outbox.length > 0) {
			const batch = this.outbox;
			const { results } = await this.api.push(this.clientId, batch);
			// A lost reply: the server applied it, the client never heard, and sends the same batch again.
			const final = loseReply ? (await this.api.push(this.clientId, batch)).results : results;
			final.forEach((result, i) => {
				const mutation = batch[i]!;
				this.sent.push(mutation.mutationId);
				this.outcomes.set(mutation.mutationId, result.status);
				if (result.status === 'conflict') this.conflicts.push({ local: mutation, server: result.server });
				// The server's row wins locally (a conflict's local side is kept in `conflicts`, never dropped).
				if (result.server)
					this.rows.set(mutation.id, {
						rev: result.server.rev,
						deleted: result.server.deleted,
						fields: result.server.fields
					});
				else if (result.status === 'applied' || result.status === 'duplicate') {
					const row = this.rows.get(mutation.id);
					if (row && row.rev < result.rev) row.rev = result.rev;
				}
			});
			this.outbox = [];
		}
		const { changes, checkpoint } = await this.api.pullAll(this.checkpoint, 5);
		for (const change of changes)
			if (change.table === 'threads')
				this.rows.set(change.id, { rev: change.rev, deleted: change.deleted, fields: change.fields });
		this.checkpoint = checkpoint;
	}

	snapshot() {
		const rows = new Map<string, ServerRow>();
		for (const [id, row] of this.rows)
			if (row.rev > 0)
				rows.set(id, { table: 'threads', id, rev: row.rev, seq: 0, deleted: row.deleted, fields: row.fields });
		return snapshotOf(rows);
	}
}
