import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './main.ts';
import { apiClient, newUser, openBackend, put, tus, type TestBackend } from './testing.ts';
import { LIMITS } from '../src/lib/sync/protocol.ts';

const uuid = () => crypto.randomUUID();
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('tus uploads and file downloads (PGlite)', () => {
	let backend: TestBackend;
	let server: RunningServer;
	let dataDir: string;

	beforeAll(async () => {
		backend = await openBackend('pglite');
		server = await backend.start();
		dataDir = server.dataDir;
	});
	afterAll(async () => {
		await backend.close();
	});

	async function teamWithDocument() {
		const token = await newUser(server, `team-${uuid()}`);
		const api = apiClient(server.url, token);
		const caseId = uuid();
		const documentId = uuid();
		await api.push(uuid(), [
			put('cases', caseId, 0, { title: 'c' }),
			put('documents', documentId, 0, { caseId, name: 'a.pdf' })
		]);
		return { token, api, caseId, documentId };
	}

	it('uploads in pieces, checks the SHA-256, and serves the file with Range to its team only', async () => {
		const { token, api, caseId, documentId } = await teamWithDocument();
		const bytes = randomBytes(300_000);
		const client = tus(server.url, token);
		const created = await client.create(
			{ caseId, documentId, sha256: sha256(bytes), filename: '../../etc/passwd' },
			bytes.length
		);
		expect(created.status).toBe(201);
		const location = created.headers.get('location') ?? '';
		expect(location).toMatch(/^\/files\/[0-9a-f]{32}$/);
		expect((await client.patch(location, 0, bytes.subarray(0, 100_000))).status).toBe(204);
		expect((await client.head(location)).headers.get('upload-offset')).toBe('100000');
		expect((await client.patch(location, 100_000, bytes.subarray(100_000))).status).toBe(204);

		const whole = await api.raw(`/api/v1/files/${documentId}`);
		expect(whole.status).toBe(200);
		expect(sha256(new Uint8Array(await whole.arrayBuffer()))).toBe(sha256(bytes));
		const part = await api.raw(`/api/v1/files/${documentId}`, { headers: { range: 'bytes=1000-1999' } });
		expect(part.status).toBe(206);
		expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${bytes.length}`);
		expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(1000, 2000))).toBe(true);
		const tail = await api.raw(`/api/v1/files/${documentId}`, { headers: { range: 'bytes=-10' } });
		expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 10))).toBe(true);
		expect(
			(await api.raw(`/api/v1/files/${documentId}`, { headers: { range: `bytes=${bytes.length}-` } })).status
		).toBe(416);

		// The `../` file name was display text only: nothing was written outside the server's own layout.
		const teamDirs = await readdir(join(dataDir, 'files'));
		for (const dir of teamDirs) {
			expect(dir).toMatch(/^[0-9a-f-]{36}$/);
			for (const file of await readdir(join(dataDir, 'files', dir))) expect(file).toMatch(/^[0-9a-f]{64}$/);
		}

		// Finishing again (a retried last PATCH, or the start-up pass) changes nothing.
		const uploadId = location.split('/').pop() ?? '';
		await server.app.uploads?.finish(uploadId);
		expect(sha256(new Uint8Array(await (await api.raw(`/api/v1/files/${documentId}`)).arrayBuffer()))).toBe(
			sha256(bytes)
		);

		// Another team sees neither the upload nor the file.
		const other = await teamWithDocument();
		expect((await tus(server.url, other.token).head(location)).status).toBe(404);
		expect((await tus(server.url, other.token).patch(location, bytes.length, new Uint8Array(1))).status).toBe(404);
		expect((await other.api.raw(`/api/v1/files/${documentId}`)).status).toBe(404);
		expect((await tus(server.url, undefined).head(location)).status).toBe(401);
		// tus's own GET (no Range, no team check of its own) is closed.
		expect((await fetch(`${server.url}${location}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
			405
		);
	});

	it('refuses a file whose bytes do not match its SHA-256', async () => {
		const { token, api, caseId, documentId } = await teamWithDocument();
		const bytes = randomBytes(5000);
		const client = tus(server.url, token);
		const created = await client.create(
			{ caseId, documentId, sha256: sha256(randomBytes(8)), filename: 'x.pdf' },
			bytes.length
		);
		const response = await client.patch(created.headers.get('location') ?? '', 0, bytes);
		expect(response.status).toBe(460);
		expect((await api.raw(`/api/v1/files/${documentId}`)).status).toBe(404);
	});

	it('refuses bad metadata, other teams’ documents, and path tricks in upload ids', async () => {
		const { token, caseId, documentId } = await teamWithDocument();
		const other = await teamWithDocument();
		const client = tus(server.url, token);
		const good = { caseId, documentId, sha256: 'a'.repeat(64), filename: 'x' };
		expect((await client.create({ ...good, caseId: '../../etc' }, 10)).status).toBe(400);
		expect((await client.create({ ...good, documentId: `${documentId}/../x` }, 10)).status).toBe(400);
		expect((await client.create({ ...good, sha256: '../'.repeat(20) }, 10)).status).toBe(400);
		expect((await client.create({ caseId, documentId, sha256: 'a'.repeat(64) }, 10)).status).toBe(400);
		expect((await client.create({ ...good, caseId: other.caseId, documentId: other.documentId }, 10)).status).toBe(404);
		expect((await tus(server.url, 'bad').create(good, 10)).status).toBe(401);
		for (const path of [
			'/files/..%2F..%2Fserver.lock',
			'/files/../server.lock',
			'/files/%2e%2e%2fserver.lock',
			'/files/abc'
		]) {
			const response = await fetch(`${server.url}${path}`, {
				method: 'HEAD',
				headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' }
			});
			expect(response.status, path).toBeGreaterThanOrEqual(400);
			expect(response.status, path).toBeLessThan(500);
		}
	});

	it('refuses an upload larger than the limit before taking a byte', async () => {
		const { token, caseId, documentId } = await teamWithDocument();
		const created = await tus(server.url, token).create(
			{ caseId, documentId, sha256: 'a'.repeat(64), filename: 'huge.pdf' },
			LIMITS.maxUploadBytes + 1
		);
		expect(created.status).toBe(413);
		expect(created.headers.get('location')).toBeNull();
	});

	it('finishes at start-up an upload whose finishing step never ran', async () => {
		const { token, api, caseId, documentId } = await teamWithDocument();
		const bytes = randomBytes(4096);
		const client = tus(server.url, token);
		const created = await client.create({ caseId, documentId, sha256: sha256(bytes), filename: 'x' }, bytes.length);
		const location = created.headers.get('location') ?? '';
		await client.patch(location, 0, bytes);
		// Undo the finishing step, as if the process died right after the last byte was written.
		const uploadId = location.split('/').pop() ?? '';
		await server.database.pool.query(`UPDATE uploads SET state = 'open' WHERE id = $1`, [uploadId]);
		await server.database.pool.query('DELETE FROM files WHERE document_id = $1', [documentId]);
		expect((await api.raw(`/api/v1/files/${documentId}`)).status).toBe(404);
		expect(await server.app.uploads?.reconcile()).toBe(1);
		expect(sha256(new Uint8Array(await (await api.raw(`/api/v1/files/${documentId}`)).arrayBuffer()))).toBe(
			sha256(bytes)
		);
	});

	it('rate-limits per token', async () => {
		const limited = await backend.start({ rateLimit: { burst: 3, perSecond: 0.01 } });
		const token = await newUser(limited, `team-${uuid()}`);
		const api = apiClient(limited.url, token);
		const statuses = [];
		for (let i = 0; i < 5; i++) statuses.push((await api.raw('/api/v1/pull?since=0')).status);
		expect(statuses).toEqual([200, 200, 200, 429, 429]);
		// Someone else's token has its own bucket.
		expect(
			(await apiClient(limited.url, await newUser(limited, `team-${uuid()}`)).raw('/api/v1/pull?since=0')).status
		).toBe(200);
	});
});
