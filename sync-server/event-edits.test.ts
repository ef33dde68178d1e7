import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './main.ts';
import { apiClient, DATABASE_MODES, del, newUser, openBackend, put, type TestBackend } from './testing.ts';

const uuid = () => crypto.randomUUID();

describe.each(DATABASE_MODES)('chronology event edits over HTTP (%s)', (mode) => {
	let backend: TestBackend;
	let server: RunningServer;
	beforeAll(async () => {
		backend = await openBackend(mode);
		server = await backend.start();
	});
	afterAll(async () => {
		await backend.close();
	});

	it('sync like any row: pulled by a teammate, merged per field, and gone with their case', async () => {
		const api = apiClient(server.url, await newUser(server, `team-${uuid()}`));
		const [alice, bob] = [uuid(), uuid()];
		const caseId = uuid();
		const eventId = uuid();
		await api.push(alice, [put('cases', caseId, 0, { title: 'Orchard' })]);
		const first = await api.push(alice, [put('eventEdits', eventId, 0, { caseId, dropped: true })]);
		expect(first.results[0]).toMatchObject({ status: 'applied', rev: 1 });
		// Bob, from the same base, adds a note: a different field, so both edits stand (no shared timestamp field).
		const note = await api.push(bob, [put('eventEdits', eventId, 0, { note: 'Check the copy' })]);
		expect(note.results[0]?.status).toBe('applied');
		const pulled = (await api.pullAll()).changes.find((c) => c.table === 'eventEdits' && c.id === eventId);
		expect(pulled?.fields).toMatchObject({ caseId, dropped: true, note: 'Check the copy' });
		// An edit in no known case is refused, alone.
		const stray = await api.push(alice, [put('eventEdits', uuid(), 0, { caseId: uuid(), note: 'x' })]);
		expect(stray.results[0]?.status).toBe('rejected');
		const checkpoint = (await api.pullAll()).checkpoint;
		await api.push(alice, [del('cases', caseId, 1)]);
		const after = await api.pullAll(checkpoint);
		expect(after.changes.find((c) => c.table === 'eventEdits' && c.id === eventId)?.deleted).toBe(true);
	});
});
