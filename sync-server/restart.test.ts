import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import { resolveConfig } from './config.ts';
import { DataDirBusyError } from './data-dir-lock.ts';
import { startServer } from './main.ts';
import { apiClient, put, spawnServer, tus } from './testing.ts';

const uuid = () => crypto.randomUUID();
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function cli(args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
	const stdout: string[] = [];
	const stderr: string[] = [];
	const code = await main(args, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) });
	return { code, stdout, stderr };
}

describe('one owner per data directory, and uploads that survive a killed server', () => {
	const children: ChildProcess[] = [];
	let dataDir = '';
	afterAll(async () => {
		for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
		if (dataDir) await rm(dataDir, { recursive: true, force: true });
	});

	it('resumes an upload after SIGKILL and a restart; the stored file’s SHA-256 matches', async () => {
		dataDir = await mkdtemp(join(tmpdir(), 'docket-restart-'));
		const first = await spawnServer(dataDir);
		children.push(first.child);

		// While a server owns the directory, `user add` goes through it, and nothing else may open it.
		const added = await cli(['server', 'user', 'add', 'Ann Lawyer', '--team', 'Firm', '--data', dataDir]);
		expect(added.code).toBe(0);
		const token = added.stdout.at(-1) ?? '';
		expect(token).toMatch(/^dkt_/);
		const config = resolveConfig({ port: '0', data: dataDir, 'log-level': 'silent' });
		await expect(startServer(config, { handleSignals: false })).rejects.toBeInstanceOf(DataDirBusyError);

		const api = apiClient(first.url, token);
		const caseId = uuid();
		const documentId = uuid();
		await api.push(uuid(), [
			put('cases', caseId, 0, { title: 'c' }),
			put('documents', documentId, 0, { caseId, name: 'big.pdf' })
		]);
		const bytes = randomBytes(6 * 1024 * 1024);
		const client = tus(first.url, token);
		const created = await client.create(
			{ caseId, documentId, sha256: sha256(bytes), filename: 'big.pdf' },
			bytes.length
		);
		const location = created.headers.get('location') ?? '';
		expect((await client.patch(location, 0, bytes.subarray(0, 2 * 1024 * 1024))).status).toBe(204);

		// A PATCH that is still streaming when the server is killed.
		const streaming = request(`${first.url}${location}`, {
			method: 'PATCH',
			headers: {
				authorization: `Bearer ${token}`,
				'tus-resumable': '1.0.0',
				'upload-offset': String(2 * 1024 * 1024),
				'content-type': 'application/offset+octet-stream',
				'content-length': String(bytes.length - 2 * 1024 * 1024)
			}
		});
		streaming.on('error', () => undefined);
		streaming.write(bytes.subarray(2 * 1024 * 1024, 3 * 1024 * 1024));
		await new Promise((r) => setTimeout(r, 700));
		const exited = new Promise((r) => first.child.once('exit', r));
		first.child.kill('SIGKILL');
		await exited;
		streaming.destroy();

		const second = await spawnServer(dataDir);
		children.push(second.child);
		const resumed = tus(second.url, token);
		const head = await resumed.head(location);
		expect(head.status).toBe(200);
		const offset = Number(head.headers.get('upload-offset'));
		expect(offset).toBeGreaterThanOrEqual(2 * 1024 * 1024);
		expect(offset).toBeLessThanOrEqual(3 * 1024 * 1024);
		expect((await resumed.patch(location, offset, bytes.subarray(offset))).status).toBe(204);
		const stored = await apiClient(second.url, token).raw(`/api/v1/files/${documentId}`);
		expect(stored.status).toBe(200);
		expect(sha256(new Uint8Array(await stored.arrayBuffer()))).toBe(sha256(bytes));
		// Data pushed before the kill survived it.
		expect((await apiClient(second.url, token).pullAll()).changes.map((c) => c.id).sort()).toEqual(
			[caseId, documentId].sort()
		);

		// With no server running, `user add` opens the directory itself.
		const stopped = new Promise((r) => second.child.once('exit', r));
		second.child.kill('SIGTERM');
		await stopped;
		const direct = await cli(['server', 'user', 'add', 'Ben', '--team', 'Firm', '--data', dataDir]);
		expect(direct.code).toBe(0);
		expect(direct.stdout.at(-1)).toMatch(/^dkt_/);
		expect(direct.stdout.at(-1)).not.toBe(token);
	}, 120_000);
});
