import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPulledRow } from '../src/lib/sync/protocol.ts';
import type { RunningServer } from './main.ts';
import { apiClient, DATABASE_MODES, del, newUser, openBackend, put, type TestBackend } from './testing.ts';

const uuid = () => crypto.randomUUID();

describe.each(DATABASE_MODES)('OCR layers over HTTP (%s)', (mode) => {
	let backend: TestBackend;
	let server: RunningServer;
	beforeAll(async () => {
		backend = await openBackend(mode);
		server = await backend.start();
	});
	afterAll(async () => {
		await backend.close();
	});

	it('reach a teammate as sent, go when deleted, and with their case', async () => {
		const api = apiClient(server.url, await newUser(server, `team-${uuid()}`));
		const device = uuid();
		const [caseId, documentId, layerId] = [uuid(), uuid(), uuid()];
		await api.push(device, [put('cases', caseId, 0, { title: 'Scans' })]);
		const layer = {
			caseId,
			documentId,
			page: 2,
			text: 'Mr. Holloway signed.',
			confidence: 91.2,
			words: [['Holloway', 93.5, 0.12346, 0.2, 0.3, 0.25, 4, 12]]
		};
		const pushed = await api.push(device, [put('ocrLayers', layerId, 0, layer)]);
		expect(pushed.results[0]).toMatchObject({ status: 'applied', rev: 1 });
		const pulled = (await api.pullAll()).changes.find((c) => c.table === 'ocrLayers' && c.id === layerId);
		expect(pulled?.fields).toEqual(layer);
		// What the teammate's device accepts of a pulled row, and what it sets aside.
		expect(checkPulledRow(pulled).ok).toBe(true);
		expect(checkPulledRow({ ...pulled, fields: { ...layer, words: [['x', 'high']] } }).ok).toBe(false);

		const checkpoint = (await api.pullAll()).checkpoint;
		await api.push(device, [del('ocrLayers', layerId, 1)]);
		expect((await api.pullAll(checkpoint)).changes.find((c) => c.id === layerId)?.deleted).toBe(true);

		const second = uuid();
		await api.push(device, [put('ocrLayers', second, 0, layer)]);
		const before = (await api.pullAll()).checkpoint;
		await api.push(device, [del('cases', caseId, 1)]);
		expect((await api.pullAll(before)).changes.find((c) => c.id === second)?.deleted).toBe(true);
	});
});
