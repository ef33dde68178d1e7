import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCase } from '../src/lib/db/cases.ts';
import { DocketDatabase } from '../src/lib/db/database.ts';
import { IndexedDbFileStore } from '../src/lib/db/file-store.ts';
import { makeEml, makeMbox } from '../src/lib/ingest/email/testing.ts';
import { nodeExtractor } from '../src/lib/ingest/extract.node.ts';
import { IngestRunner } from '../src/lib/ingest/ingest-runner.ts';
import { makePdf } from '../src/lib/ingest/testing/make-pdf.ts';
import { SyncApi, type SyncServer } from '../src/lib/sync/api-client.ts';
import { downloadMissing } from '../src/lib/sync/downloads.ts';
import { pullChanges, pushOutbox } from '../src/lib/sync/replicate.ts';
import { pendingUploads, uploadFile } from '../src/lib/sync/uploads.ts';
import type { RunningServer } from './main.ts';
import { newUser, openBackend, type TestBackend } from './testing.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** tus-js-client's Node build reads Buffers, not Blobs. */
const blobReader = {
	async openFile(input: Blob) {
		const bytes = Buffer.from(await input.arrayBuffer());
		const slice = async (start: number, end: number) => ({
			value: Object.assign(bytes.subarray(start, end), { size: Math.min(end, bytes.length) - start }),
			done: end >= bytes.length
		});
		return { size: bytes.length, slice, close() {} };
	}
};

async function device() {
	const db = new DocketDatabase(`email-sync-${crypto.randomUUID()}`);
	await db.open();
	return { db, files: new IndexedDbFileStore(db) };
}

describe('a teammate receives messages, their metadata and their attachments', () => {
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

	it('pushes a mailbox ingested on one device and pulls it on another, bytes and all', async () => {
		const a = await device();
		const b = await device();
		const created = await createCase(a.db, 'Mail');
		const exhibit = makePdf({ pages: 1, lines: () => ['The signed lease.'] });
		const mbox = makeMbox([
			makeEml({
				from: 'Ann Smith <ann@smith.example>',
				to: 'Bob Jones <bob@jones.example>',
				subject: 'Lease',
				date: 'Sun, 3 Mar 2024 10:00:00 +0000',
				messageId: 's1@x',
				text: 'Bob,\n\nThe lease is attached.',
				attachments: [{ name: 'lease.pdf', mimeType: 'application/pdf', bytes: exhibit }]
			}),
			makeEml({
				from: 'Bob Jones <bob@jones.example>',
				to: 'Ann Smith <ann@smith.example>',
				subject: 'Re: Lease',
				date: 'Mon, 4 Mar 2024 10:00:00 +0000',
				messageId: 's2@x',
				inReplyTo: 's1@x',
				text: 'Received.',
				attachments: [{ name: 'lease.pdf', mimeType: 'application/pdf', bytes: exhibit }]
			})
		]);
		const runner = new IngestRunner({ db: a.db, files: a.files, extractor: nodeExtractor() });
		await runner.addFiles(created.id, [{ name: 'box.mbox', blob: new Blob([mbox]) }]);
		for (let i = 0; i < 4; i++) {
			await runner.idle();
			await runner.resume();
		}
		await runner.idle();
		await runner.dispose();
		const local = await a.db.documents.where('caseId').equals(created.id).toArray();
		expect(local.map((d) => d.name).sort()).toEqual(['box 1.eml', 'box 2.eml', 'box.mbox', 'lease.pdf']);

		const api = new SyncApi(team);
		while ((await a.db.outbox.count()) > 0) await pushOutbox(a.db, api);
		for (const task of await pendingUploads(a.db, a.files))
			await uploadFile(a.db, team, task, { fileReader: blobReader });

		const apiB = new SyncApi(team);
		for (let page = 0; page < 20 && (await pullChanges(b.db, apiB)).applied > 0; page++);
		const pulled = await b.db.documents.where('caseId').equals(created.id).toArray();
		const byName = (n: string) => pulled.find((d) => d.name === n)!;
		expect(pulled).toHaveLength(4);
		const [box, first, reply, lease] = ['box.mbox', 'box 1.eml', 'box 2.eml', 'lease.pdf'].map(byName) as [
			(typeof pulled)[0],
			(typeof pulled)[0],
			(typeof pulled)[0],
			(typeof pulled)[0]
		];
		expect(box.mailbox).toEqual({ messages: 2 });
		expect(first.parentId).toBe(box.id);
		expect(first.email).toMatchObject({
			from: { name: 'Ann Smith', address: 'ann@smith.example' },
			subject: 'Lease',
			date: Date.UTC(2024, 2, 3, 10),
			attachments: [{ name: 'lease.pdf', documentId: lease.id }]
		});
		expect(reply.email!.attachments[0]!.documentId).toBe(lease.id);
		expect(reply.threadId).toBe(first.threadId);
		expect([first.id, reply.id]).toContain(lease.parentId);
		const chunks = await b.db.chunks.where('documentId').equals(reply.id).sortBy('ordinal');
		expect(chunks.map((c) => [c.block ?? null, c.paragraph ?? null])).toEqual([
			['headers', null],
			[null, 1]
		]);
		expect(await downloadMissing(b.db, b.files, apiB)).toMatchObject({ failed: [] });
		const bytes = new Uint8Array(await (await b.files.get(lease.sha256))!.arrayBuffer());
		expect(sha256(bytes)).toBe(sha256(exhibit));
	}, 60_000);
});
