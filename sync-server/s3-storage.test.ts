import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { S3 } from '@aws-sdk/client-s3';
import { Upload } from '@tus/utils';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../cli/main.ts';
import { S3FileStorage, storageKey } from './file-storage.ts';
import type { RunningServer } from './main.ts';
import { apiClient, newUser, openBackend, put, spawnServer, tus, type TestBackend } from './testing.ts';

/**
 * S3FileStorage against a real S3 protocol implementation: moto's S3-compatible server (Python), which
 * enforces S3's 5 MiB minimum for every multipart part but the last, as AWS does.
 */

const MiB = 1024 * 1024;
// @tus/s3-store 2.0.7 splits uploads into 8 MiB parts (`partSize`) and keeps a PATCH's tail under S3's
// 5 MiB minimum (`minPartSize`) aside as a `.part` object until the next PATCH: 12 MiB is two parts.
const SIZE = 12 * MiB;
const PART = 8 * MiB;
const BUCKET = 'docket-test';
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };

const uuid = () => crypto.randomUUID();
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** How to start moto's S3 server on this machine, if it is installed. */
function findMoto(): string[] | undefined {
	for (const command of [['moto_server'], ['python3', '-m', 'moto.server']]) {
		const [file = '', ...args] = command;
		if (spawnSync(file, [...args, '--help'], { stdio: 'ignore', timeout: 30_000 }).status === 0) return command;
	}
	return undefined;
}
const MOTO = findMoto();

async function freePort(): Promise<number> {
	const probe = createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
	const { port } = probe.address() as AddressInfo;
	await new Promise((resolve) => probe.close(resolve));
	return port;
}

/** Starts moto on a free loopback port and resolves once it answers S3 requests. */
async function startMoto(command: string[]): Promise<{ child: ChildProcess; endpoint: string }> {
	const [file = '', ...args] = command;
	const port = await freePort();
	const child = spawn(file, [...args, '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
	let output = '';
	// moto logs every request to stderr: keep only the tail, for a start-up failure's message.
	child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
	const endpoint = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 30_000;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`moto exited (${child.exitCode}) before answering:\n${output}`);
		try {
			if ((await fetch(endpoint)).ok) return { child, endpoint };
		} catch {
			// Not listening yet.
		}
		if (Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error(`moto did not answer on ${endpoint} within 30 s:\n${output}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

async function stop(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
	if (!child || child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill(signal);
	await exited;
}

function offsetOf(response: Response): number {
	return Number(response.headers.get('upload-offset'));
}

/**
 * A PATCH that sends the first `sent` bytes of `rest` and is then cut off once `cutWhen` holds (or
 * the server is killed under it): the connection drops mid-body, as on a train entering a tunnel.
 */
async function interruptedPatch(
	baseUrl: string,
	token: string,
	location: string,
	offset: number,
	rest: Uint8Array,
	sent: number,
	cutWhen: () => Promise<boolean>
): Promise<void> {
	const patch = request(`${baseUrl}${location}`, {
		method: 'PATCH',
		headers: {
			authorization: `Bearer ${token}`,
			'tus-resumable': '1.0.0',
			'upload-offset': String(offset),
			'content-type': 'application/offset+octet-stream',
			'content-length': String(rest.length)
		}
	});
	patch.on('error', () => undefined);
	patch.write(rest.subarray(0, sent));
	const deadline = Date.now() + 20_000;
	while (!(await cutWhen())) {
		if (Date.now() > deadline) throw new Error('the interrupted PATCH never reached its cut-off point');
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	patch.destroy();
}

// moto's S3 server (Python) is the only S3 implementation on these machines; without it there is none to test against.
describe.skipIf(!MOTO)(
	`S3 file storage against moto's S3 server${MOTO ? '' : ' (skipped: moto_server is not installed)'}`,
	() => {
		let moto: ChildProcess | undefined;
		let endpoint = '';
		let s3: S3 | undefined;
		let backend: TestBackend | undefined;
		let server: RunningServer;
		const children: ChildProcess[] = [];
		const dirs: string[] = [];

		const bucket = () => {
			if (!s3) throw new Error('no S3 client');
			return s3;
		};

		beforeAll(async () => {
			if (!MOTO) return;
			// The server's S3 clients take credentials from the AWS SDK's usual chain, here the environment.
			for (const [name, value] of Object.entries(CREDENTIALS)) vi.stubEnv(name, value);
			({ child: moto, endpoint } = await startMoto(MOTO));
			// Should a hook time out and the worker exit without afterAll, moto and any spawned server still go.
			process.once('exit', () => {
				for (const child of [moto, ...children])
					if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
			});
			s3 = new S3({
				endpoint,
				region: 'us-east-1',
				forcePathStyle: true,
				credentials: { accessKeyId: 'test', secretAccessKey: 'test' }
			});
			await s3.createBucket({ Bucket: BUCKET });
			backend = await openBackend('pglite');
			server = await backend.start({}, { 's3-bucket': BUCKET, 's3-endpoint': endpoint });
		});

		// Moto goes first: a server request still waiting on S3 then fails at once instead of holding up the server's close.
		afterAll(async () => {
			for (const child of children) await stop(child, 'SIGKILL');
			await stop(moto);
			s3?.destroy();
			await backend?.close();
			for (const dir of dirs) await rm(dir, { recursive: true, force: true });
			vi.unstubAllEnvs();
		});

		async function teamWithDocument(url = server.url, token?: string) {
			const tokenOf = token ?? (await newUser(server, `team-${uuid()}`));
			const api = apiClient(url, tokenOf);
			const caseId = uuid();
			const documentId = uuid();
			await api.push(uuid(), [
				put('cases', caseId, 0, { title: 'c' }),
				put('documents', documentId, 0, { caseId, name: 'big.pdf' })
			]);
			return { token: tokenOf, api, caseId, documentId };
		}

		/** The S3 multipart upload behind a tus upload, as moto lists it (empty once completed). */
		async function partsOf(uploadId: string): Promise<number[]> {
			const { Uploads = [] } = await bucket().listMultipartUploads({ Bucket: BUCKET, Prefix: uploadId });
			const multipart = Uploads.find((u) => u.Key === uploadId);
			if (!multipart) return [];
			const { Parts = [] } = await bucket().listParts({ Bucket: BUCKET, Key: uploadId, UploadId: multipart.UploadId });
			return Parts.map((p) => p.Size ?? 0);
		}

		async function objectBytes(key: string): Promise<Buffer> {
			const { Body } = await bucket().getObject({ Bucket: BUCKET, Key: key });
			return Buffer.from((await Body?.transformToByteArray()) ?? []);
		}

		async function keys(prefix: string): Promise<string[]> {
			const { Contents = [] } = await bucket().listObjectsV2({ Bucket: BUCKET, Prefix: prefix });
			return Contents.map((c) => c.Key ?? '').sort();
		}

		it('uploads a multipart file, resumes after a dropped PATCH, checks the SHA-256 and serves it with Range to its team only', async () => {
			const { token, api, caseId, documentId } = await teamWithDocument();
			const bytes = randomBytes(SIZE);
			const client = tus(server.url, token);
			const created = await client.create({ caseId, documentId, sha256: sha256(bytes), filename: 'big.pdf' }, SIZE);
			expect(created.status).toBe(201);
			const location = created.headers.get('location') ?? '';
			const uploadId = location.split('/').pop() ?? '';

			// Under the 5 MiB minimum part size: held as `UPLOAD_ID.part` until more arrives.
			expect((await client.patch(location, 0, bytes.subarray(0, 3 * MiB))).status).toBe(204);
			expect(offsetOf(await client.head(location))).toBe(3 * MiB);
			expect(await partsOf(uploadId)).toEqual([]);
			expect(await keys(uploadId)).toEqual([`${uploadId}.info`, `${uploadId}.part`]);

			// The connection drops after the first 8 MiB part (3 MiB held + 5 MiB new) reached S3.
			await interruptedPatch(
				server.url,
				token,
				location,
				3 * MiB,
				bytes.subarray(3 * MiB),
				6 * MiB,
				async () => (await partsOf(uploadId)).length === 1
			);
			expect(await partsOf(uploadId)).toEqual([PART]);
			const offset = offsetOf(await client.head(location));
			// The part is kept; the 1 MiB after it is either held as a new `.part` or dropped for the client to resend.
			expect([PART, 9 * MiB]).toContain(offset);

			const last = await client.patch(location, offset, bytes.subarray(offset));
			expect(last.status).toBe(204);
			expect(offsetOf(await client.head(location))).toBe(SIZE);

			// The tus object is a completed two-part multipart upload, copied to files/TEAM/SHA256 as the server records.
			const { rows } = await server.database.pool.query<{ team_id: string; storage_key: string; size: string }>(
				'SELECT u.team_id, f.storage_key, f.size FROM uploads u JOIN files f ON f.team_id = u.team_id AND f.document_id = u.document_id WHERE u.id = $1',
				[uploadId]
			);
			const record = rows[0];
			expect(record?.storage_key).toBe(`${record?.team_id}/${sha256(bytes)}`);
			expect(Number(record?.size)).toBe(SIZE);
			expect((await bucket().headObject({ Bucket: BUCKET, Key: uploadId })).ETag).toMatch(/-2"$/);
			expect(await keys(uploadId)).toEqual([uploadId, `${uploadId}.info`]);
			const kept = await objectBytes(`files/${record?.storage_key}`);
			expect(kept.equals(bytes)).toBe(true);

			const whole = await api.raw(`/api/v1/files/${documentId}`);
			expect(whole.status).toBe(200);
			expect(whole.headers.get('content-length')).toBe(String(SIZE));
			expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
			// A range across the boundary between the two parts.
			const across = await api.raw(`/api/v1/files/${documentId}`, {
				headers: { range: `bytes=${PART - 1000}-${PART + 999}` }
			});
			expect(across.status).toBe(206);
			expect(across.headers.get('content-range')).toBe(`bytes ${PART - 1000}-${PART + 999}/${SIZE}`);
			expect(Buffer.from(await across.arrayBuffer()).equals(bytes.subarray(PART - 1000, PART + 1000))).toBe(true);
			const tail = await api.raw(`/api/v1/files/${documentId}`, { headers: { range: 'bytes=-10' } });
			expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(SIZE - 10))).toBe(true);
			const open = await api.raw(`/api/v1/files/${documentId}`, { headers: { range: `bytes=${SIZE - 5}-` } });
			expect(Buffer.from(await open.arrayBuffer()).equals(bytes.subarray(SIZE - 5))).toBe(true);
			expect((await api.raw(`/api/v1/files/${documentId}`, { headers: { range: `bytes=${SIZE}-` } })).status).toBe(416);

			// Finishing again (a retried last PATCH, the start-up pass) changes nothing.
			await server.app.uploads?.finish(uploadId);
			expect((await objectBytes(`files/${record?.storage_key}`)).equals(bytes)).toBe(true);

			// Another team sees neither the upload nor the file.
			const other = await teamWithDocument();
			expect((await tus(server.url, other.token).head(location)).status).toBe(404);
			expect((await other.api.raw(`/api/v1/files/${documentId}`)).status).toBe(404);
			expect((await apiClient(server.url, undefined).raw(`/api/v1/files/${documentId}`)).status).toBe(401);
		});

		it('frees the S3 connection of a download the client abandons', async () => {
			const { token, api, caseId, documentId } = await teamWithDocument();
			const bytes = randomBytes(SIZE);
			const client = tus(server.url, token);
			const location =
				(await client.create({ caseId, documentId, sha256: sha256(bytes), filename: 'big.pdf' }, SIZE)).headers.get(
					'location'
				) ?? '';
			expect((await client.patch(location, 0, bytes)).status).toBe(204);
			// More than the AWS SDK's 50 pooled connections: each one left open would make the next download wait.
			for (let i = 0; i < 55; i++) {
				const abandon = new AbortController();
				const response = await api.raw(`/api/v1/files/${documentId}`, { signal: abandon.signal });
				const reader = response.body?.getReader();
				expect((await reader?.read())?.done).toBe(false);
				abandon.abort();
			}
			const whole = await api.raw(`/api/v1/files/${documentId}`, { signal: AbortSignal.timeout(10_000) });
			expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
		});

		it('refuses a file whose bytes do not match its SHA-256, and drops its objects', async () => {
			const { token, api, caseId, documentId } = await teamWithDocument();
			const bytes = randomBytes(5000);
			const client = tus(server.url, token);
			const created = await client.create(
				{ caseId, documentId, sha256: sha256(randomBytes(8)), filename: 'x.pdf' },
				bytes.length
			);
			const location = created.headers.get('location') ?? '';
			const uploadId = location.split('/').pop() ?? '';
			const response = await client.patch(location, 0, bytes);
			expect(response.status).toBe(460);
			expect((await api.raw(`/api/v1/files/${documentId}`)).status).toBe(404);
			expect(await keys(uploadId)).toEqual([]);
			expect(await keys(`files/`)).not.toContain(expect.stringContaining(sha256(bytes)));
		});

		it('finishes at start-up an upload whose finishing step never ran', async () => {
			const { token, api, caseId, documentId } = await teamWithDocument();
			const bytes = randomBytes(4096);
			const client = tus(server.url, token);
			const location =
				(await client.create({ caseId, documentId, sha256: sha256(bytes), filename: 'x' }, bytes.length)).headers.get(
					'location'
				) ?? '';
			expect((await client.patch(location, 0, bytes)).status).toBe(204);
			// Undo the finishing step, as if the process died right after S3 completed the upload.
			const uploadId = location.split('/').pop() ?? '';
			const { rows } = await server.database.pool.query<{ storage_key: string }>(
				'DELETE FROM files WHERE document_id = $1 RETURNING storage_key',
				[documentId]
			);
			await server.database.pool.query(`UPDATE uploads SET state = 'open' WHERE id = $1`, [uploadId]);
			await bucket().deleteObject({ Bucket: BUCKET, Key: `files/${rows[0]?.storage_key}` });
			expect((await api.raw(`/api/v1/files/${documentId}`)).status).toBe(404);
			expect(await server.app.uploads?.reconcile()).toBe(1);
			expect(Buffer.from(await (await api.raw(`/api/v1/files/${documentId}`)).arrayBuffer()).equals(bytes)).toBe(true);
		});

		it('expires unfinished uploads and never a kept file', async () => {
			const expiring = 'docket-expiry';
			await bucket().createBucket({ Bucket: expiring });
			const storage = new S3FileStorage(
				{ bucket: expiring, endpoint, region: 'us-east-1', forcePathStyle: true },
				{ expireAfterMs: 1 }
			);
			const id = randomBytes(16).toString('hex');
			await storage.datastore.create(new Upload({ id, size: SIZE, offset: 0 }));
			expect(await storage.datastore.write(Readable.from([randomBytes(MiB)]), id, 0)).toBe(MiB);
			const kept = `files/${storageKey(uuid(), sha256(Buffer.from('kept')))}`;
			await bucket().putObject({ Bucket: expiring, Key: kept, Body: 'kept' });
			const listed = async () =>
				((await bucket().listObjectsV2({ Bucket: expiring })).Contents ?? []).map((c) => c.Key).sort();
			expect(await listed()).toEqual([`${id}.info`, `${id}.part`, kept].sort());
			await new Promise((resolve) => setTimeout(resolve, 1100));

			await storage.datastore.deleteExpired();
			expect(await listed()).toEqual([kept]);
			expect((await bucket().listMultipartUploads({ Bucket: expiring })).Uploads ?? []).toEqual([]);
		});

		it('resumes an upload after the server is SIGKILLed mid-PATCH and restarted', async () => {
			const dataDir = await mkdtemp(join(tmpdir(), 'docket-s3-restart-'));
			dirs.push(dataDir);
			// The S3 store buffers each part in the temporary directory; a killed server leaves its chunk file there.
			const tmp = join(dataDir, 'tmp');
			await mkdir(tmp);
			const spawnOptions = {
				args: ['--s3-bucket', BUCKET, '--s3-endpoint', endpoint],
				env: { ...process.env, ...CREDENTIALS, TMPDIR: tmp }
			};
			const first = await spawnServer(dataDir, spawnOptions);
			children.push(first.child);
			const stdout: string[] = [];
			expect(
				await main(['server', 'user', 'add', 'Ann', '--team', 'Firm', '--data', dataDir], {
					stdout: (l) => stdout.push(l),
					stderr: () => undefined
				})
			).toBe(0);
			const token = stdout.at(-1) ?? '';
			const { caseId, documentId } = await teamWithDocument(first.url, token);

			const bytes = randomBytes(SIZE);
			const client = tus(first.url, token);
			const location =
				(await client.create({ caseId, documentId, sha256: sha256(bytes), filename: 'big.pdf' }, SIZE)).headers.get(
					'location'
				) ?? '';
			const uploadId = location.split('/').pop() ?? '';
			// One 8 MiB part in S3 and 1 MiB held as `.part`.
			expect((await client.patch(location, 0, bytes.subarray(0, 9 * MiB))).status).toBe(204);
			expect(await partsOf(uploadId)).toEqual([PART]);

			// Killed while a PATCH streams: the new bytes sat in the server's temporary chunk file, never in S3.
			await interruptedPatch(first.url, token, location, 9 * MiB, bytes.subarray(9 * MiB), 2 * MiB, async () => {
				await new Promise((resolve) => setTimeout(resolve, 500));
				await stop(first.child, 'SIGKILL');
				return true;
			});

			const second = await spawnServer(dataDir, spawnOptions);
			children.push(second.child);
			const resumed = tus(second.url, token);
			const head = await resumed.head(location);
			expect(head.status).toBe(200);
			const offset = offsetOf(head);
			// Whatever S3 holds counts: the part, and the held 1 MiB unless the killed PATCH had already taken it up.
			expect([PART, 9 * MiB]).toContain(offset);
			expect((await resumed.patch(location, offset, bytes.subarray(offset))).status).toBe(204);
			const stored = await apiClient(second.url, token).raw(`/api/v1/files/${documentId}`);
			expect(stored.status).toBe(200);
			expect(Buffer.from(await stored.arrayBuffer()).equals(bytes)).toBe(true);
			await stop(second.child);
			// The killed server's chunk file (the held 1 MiB plus what had arrived) is all it left behind (tsx keeps a cache folder there).
			expect(
				(await readdir(tmp, { withFileTypes: true })).filter((entry) => entry.isFile()).length
			).toBeLessThanOrEqual(1);
		});
	}
);
