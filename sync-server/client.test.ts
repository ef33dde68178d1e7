import 'fake-indexeddb/auto';
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import { createCase, deleteCase, renameCase } from '../src/lib/db/cases.ts';
import { DocketDatabase } from '../src/lib/db/database.ts';
import { IndexedDbFileStore } from '../src/lib/db/file-store.ts';
import { write } from '../src/lib/db/writes.ts';
import type { DocumentRow } from '../src/lib/db/schema.ts';
import { SyncAuthError } from '../src/lib/errors.ts';
import { SyncApi, type SyncServer } from '../src/lib/sync/api-client.ts';
import { pullChanges, pushOutbox } from '../src/lib/sync/replicate.ts';
import { describeConflict, keepMine } from '../src/lib/sync/conflicts.ts';
import { downloadMissing, missingFiles } from '../src/lib/sync/downloads.ts';
import { createSyncActor, saveServer } from '../src/lib/sync/sync-service.ts';
import { syncMachine } from '../src/lib/sync/sync.machine.ts';
import { pendingUploads, uploadFile, uploadFingerprint } from '../src/lib/sync/uploads.ts';
import type { RunningServer } from './main.ts';
import { newUser, openBackend, type TestBackend } from './testing.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** tus-js-client's Node build reads Buffers and streams, not Blobs; the browser build reads Blobs itself. */
const blobReader = {
	async openFile(input: Blob) {
		const bytes = Buffer.from(await input.arrayBuffer());
		// tus-js-client counts a slice by its `size`, as on a Blob.
		const slice = async (start: number, end: number) => ({
			value: Object.assign(bytes.subarray(start, end), { size: Math.min(end, bytes.length) - start }),
			done: end >= bytes.length
		});
		return { size: bytes.length, slice, close() {} };
	}
};

async function device() {
	const db = new DocketDatabase(`client-${crypto.randomUUID()}`);
	await db.open();
	return { db, files: new IndexedDbFileStore(db) };
}

async function addDocument(
	db: DocketDatabase,
	files: IndexedDbFileStore,
	caseId: string,
	bytes: Uint8Array,
	name: string
): Promise<DocumentRow> {
	const hash = sha256(bytes);
	await files.put(hash, new Blob([new Uint8Array(bytes)]));
	await db.files.put({
		sha256: hash,
		size: bytes.length,
		mimeType: 'application/pdf',
		store: 'idb',
		createdAt: Date.now()
	});
	const now = Date.now();
	const doc: DocumentRow = {
		id: crypto.randomUUID(),
		caseId,
		name,
		sha256: hash,
		size: bytes.length,
		mimeType: 'application/pdf',
		kind: 'pdf',
		status: 'indexed',
		createdAt: now,
		updatedAt: now,
		rev: 0
	};
	await write(db, [db.documents], async (w) => {
		await db.documents.add(doc);
		const { rev: _rev, id: _id, ...fields } = doc;
		await w.record([{ table: 'documents', rowId: doc.id, caseId, op: 'put', baseRev: 0, fields }]);
	});
	return doc;
}

describe('the app’s sync client against a real server', () => {
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

	it('moves a case, its documents, chunks with vectors and its deletion from one device to another', async () => {
		const a = await device();
		const b = await device();
		const apiA = new SyncApi(team);
		const apiB = new SyncApi(team);
		const created = await createCase(a.db, 'Smith v Jones');
		const doc = await addDocument(a.db, a.files, created.id, randomBytes(1000), 'brief.pdf');
		const chunkId = crypto.randomUUID();
		const vector = Float32Array.from([0.6, 0.8]);
		await write(a.db, [a.db.chunks, a.db.vectors], async (w) => {
			await a.db.chunks.add({
				id: chunkId,
				caseId: created.id,
				documentId: doc.id,
				ordinal: 0,
				page: 1,
				start: 0,
				end: 5,
				text: 'hello',
				rev: 0
			});
			await a.db.vectors.add({
				id: `${chunkId}:tiny`,
				chunkId,
				caseId: created.id,
				documentId: doc.id,
				modelId: 'tiny',
				dim: 2,
				vector
			});
			await w.record([
				{
					table: 'chunks',
					rowId: chunkId,
					caseId: created.id,
					op: 'put',
					baseRev: 0,
					fields: { documentId: doc.id, ordinal: 0, page: 1, start: 0, end: 5, text: 'hello' }
				}
			]);
		});
		expect(await pushOutbox(a.db, apiA)).toEqual({ pushed: 3, conflicts: 0 });
		expect(await a.db.outbox.count()).toBe(0);
		expect((await a.db.cases.get(created.id))?.rev).toBe(1);

		await pullChanges(b.db, apiB, 2);
		expect(await b.db.cases.get(created.id)).toMatchObject({ title: 'Smith v Jones', rev: 1 });
		expect(await b.db.documents.get(doc.id)).toMatchObject({
			name: 'brief.pdf',
			caseId: created.id,
			sha256: doc.sha256
		});
		expect(await b.db.chunks.get(chunkId)).toMatchObject({ text: 'hello', caseId: created.id });
		const pulledVector = await b.db.vectors.get(`${chunkId}:tiny`);
		expect(Array.from(pulledVector?.vector ?? [])).toEqual([Array.from(vector)[0], Array.from(vector)[1]]);
		// The checkpoint moved with the rows: pulling again brings nothing.
		expect((await pullChanges(b.db, apiB)).applied).toBe(0);

		await deleteCase(a.db, a.files, created.id);
		await pushOutbox(a.db, apiA);
		await pullChanges(b.db, apiB);
		expect(await b.db.cases.get(created.id)).toBeUndefined();
		expect(await b.db.documents.where('caseId').equals(created.id).count()).toBe(0);
		expect(await b.db.vectors.where('caseId').equals(created.id).count()).toBe(0);
	});

	it('keeps both sides of a concurrent rename: the server’s wins, the other goes to conflicts', async () => {
		const a = await device();
		const b = await device();
		const [apiA, apiB] = [new SyncApi(team), new SyncApi(team)];
		const created = await createCase(a.db, 'Original');
		await pushOutbox(a.db, apiA);
		await pullChanges(b.db, apiB);
		await renameCase(a.db, created.id, 'Renamed by A');
		await renameCase(b.db, created.id, 'Renamed by B');
		await pushOutbox(a.db, apiA);
		expect(await pushOutbox(b.db, apiB)).toEqual({ pushed: 1, conflicts: 1 });
		const conflicts = await b.db.conflicts.toArray();
		expect(conflicts).toHaveLength(1);
		expect(conflicts[0]).toMatchObject({
			table: 'cases',
			rowId: created.id,
			local: { title: 'Renamed by B' },
			server: { title: 'Renamed by A' }
		});
		expect((await b.db.cases.get(created.id))?.title).toBe('Renamed by A');
		await pullChanges(a.db, apiA);
		await pullChanges(b.db, apiB);
		expect((await a.db.cases.get(created.id))?.title).toBe((await b.db.cases.get(created.id))?.title);

		// B looks at the conflict and keeps its own title: it goes up against the server's revision and wins.
		expect(describeConflict(conflicts[0]!).differences).toEqual([
			{ field: 'title', local: 'Renamed by B', server: 'Renamed by A' }
		]);
		await keepMine(b.db, conflicts[0]!.id);
		expect(await pushOutbox(b.db, apiB)).toEqual({ pushed: 1, conflicts: 0 });
		await pullChanges(a.db, apiA);
		expect((await a.db.cases.get(created.id))?.title).toBe('Renamed by B');
		expect(await b.db.conflicts.count()).toBe(0);
	});

	it('brings a pulled document’s bytes down with it, checked against its SHA-256', async () => {
		const a = await device();
		const b = await device();
		const created = await createCase(a.db, 'Files travel');
		const bytes = randomBytes(300_000);
		const doc = await addDocument(a.db, a.files, created.id, bytes, 'exhibit.pdf');
		await pushOutbox(a.db, new SyncApi(team));
		const [task] = await pendingUploads(a.db, a.files);
		await uploadFile(a.db, team, task!, { fileReader: blobReader });
		await pullChanges(b.db, new SyncApi(team));
		expect(await missingFiles(b.db)).toMatchObject([{ id: doc.id }]);
		expect(await downloadMissing(b.db, b.files, new SyncApi(team), { partBytes: 100_000 })).toEqual({
			downloaded: 1,
			failed: []
		});
		const stored = await b.files.get(doc.sha256);
		expect(sha256(new Uint8Array(await stored!.arrayBuffer()))).toBe(doc.sha256);
		expect(await missingFiles(b.db)).toHaveLength(0);
	});

	it('waits out the server’s rate limit (429, Retry-After) in push, uploads, pull and downloads', async () => {
		const log = new PassThrough();
		let refusals = 0;
		log.on('data', (line: Buffer) => (refusals += line.toString().split('"rate limited"').length - 1));
		const limited = await backend.start(
			{ rateLimit: { burst: 3, perSecond: 5 }, logStream: log },
			{ 'log-level': 'warn' }
		);
		const busy = { url: limited.url, token: await newUser(limited, `busy-${crypto.randomUUID()}`) };
		const a = await device();
		const b = await device();
		const created = await createCase(a.db, 'Busy morning');
		const docs = [];
		for (let i = 0; i < 4; i++)
			docs.push(await addDocument(a.db, a.files, created.id, randomBytes(2000 + i), `exhibit-${i}.pdf`));
		await pushOutbox(a.db, new SyncApi(busy));
		for (const task of await pendingUploads(a.db, a.files))
			await uploadFile(a.db, busy, task, { fileReader: blobReader });
		await pullChanges(b.db, new SyncApi(busy));
		expect(await downloadMissing(b.db, b.files, new SyncApi(busy))).toEqual({ downloaded: 4, failed: [] });
		for (const doc of docs) {
			const stored = await b.files.get(doc.sha256);
			expect(sha256(new Uint8Array(await stored!.arrayBuffer()))).toBe(doc.sha256);
		}
		expect(refusals).toBeGreaterThan(0);
	}, 60_000);

	it('uploads a document’s bytes with tus, resuming from the URL kept in Dexie', async () => {
		const a = await device();
		const api = new SyncApi(team);
		const created = await createCase(a.db, 'With files');
		const bytes = randomBytes(600_000);
		const doc = await addDocument(a.db, a.files, created.id, bytes, 'evidence.pdf');
		expect(await pendingUploads(a.db, a.files)).toHaveLength(0); // not pushed yet: the server would refuse it
		await pushOutbox(a.db, api);
		const [task] = await pendingUploads(a.db, a.files);
		expect(task?.metadata).toEqual({
			caseId: created.id,
			documentId: doc.id,
			sha256: doc.sha256,
			filename: 'evidence.pdf'
		});

		// First attempt: stop after the first chunk, as if the tab closed. Its URL stays in `uploads`.
		let stopAfter = 1;
		const firstTry = uploadFile(a.db, team, task!, {
			chunkSize: 200_000,
			retryDelays: [],
			fileReader: {
				async openFile(input: Blob) {
					const source = await blobReader.openFile(input);
					return {
						...source,
						slice: async (start: number, end: number) => {
							if (stopAfter-- <= 0) throw new Error('tab closed');
							return source.slice(start, end);
						}
					};
				}
			}
		});
		await expect(firstTry).rejects.toThrow();
		const saved = await a.db.uploads.where('fingerprint').equals(uploadFingerprint(doc.id, doc.sha256)).toArray();
		expect(saved).toHaveLength(1);
		const head = await fetch(`${server.url}${new URL(saved[0]?.upload.uploadUrl ?? '').pathname}`, {
			method: 'HEAD',
			headers: { authorization: `Bearer ${team.token}`, 'tus-resumable': '1.0.0' }
		});
		expect(head.headers.get('upload-offset')).toBe('200000');

		let firstOffset = -1;
		await uploadFile(a.db, team, task!, {
			chunkSize: 200_000,
			fileReader: blobReader,
			onProgress: (sent) => (firstOffset = firstOffset < 0 ? sent : firstOffset)
		});
		// It went on from the server's offset rather than starting again.
		expect(firstOffset).toBeGreaterThanOrEqual(200_000);
		expect(await a.db.uploads.count()).toBe(0); // removeFingerprintOnSuccess
		expect(await pendingUploads(a.db, a.files)).toHaveLength(0);
		const stored = await api.downloadFile(doc.id);
		expect(stored.total).toBe(doc.size);
		expect(sha256(new Uint8Array(await stored.blob.arrayBuffer()))).toBe(doc.sha256);
		await expect(
			new SyncApi({ url: server.url, token: await newUser(server, `other-firm-${crypto.randomUUID()}`) }).downloadFile(
				doc.id
			)
		).rejects.toThrow(/no file/);
	});

	it('runs the whole machine: connect, push, upload, pull, idle; and stops on a refused token', async () => {
		const a = await device();
		await saveServer(a.db, team.url, team.token);
		const created = await createCase(a.db, 'Machine');
		const other = await device();
		await saveServer(other.db, team.url, team.token);
		const actor = createSyncActor({ db: a.db, files: a.files, online: true, upload: async () => 0 });
		actor.start();
		await waitFor(actor, (s) => s.matches('idle'), { timeout: 20_000 });
		const peer = createSyncActor({ db: other.db, files: other.files, online: true, upload: async () => 0 });
		peer.start();
		await waitFor(peer, (s) => s.matches('idle'), { timeout: 20_000 });
		expect((await other.db.cases.get(created.id))?.title).toBe('Machine');
		actor.stop();
		peer.stop();

		await expect(saveServer(a.db, team.url, 'dkt_wrong')).rejects.toBeInstanceOf(SyncAuthError);
		const refused = createActor(
			syncMachine.provide({
				actors: {
					connect: fromPromise(async () => new SyncApi({ url: team.url, token: 'dkt_wrong' }).check())
				}
			}),
			{ input: { online: true } }
		);
		refused.start();
		await waitFor(refused, (s) => s.matches('unauthorized'), { timeout: 10_000 });
		refused.stop();
	});
});
