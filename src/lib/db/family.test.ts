import { Dexie } from 'dexie';
import { describe, expect, it } from 'vitest';
import { DocketDatabase, SCHEMA_VERSIONS } from './database.ts';
import { IndexedDbFileStore } from './file-store.ts';
import { freshStore } from '../testing/db.ts';
import { nodeExtractor } from '../ingest/extract.node.ts';
import { IngestRunner } from '../ingest/ingest-runner.ts';
import { serveExtraction, WorkerExtractor } from '../ingest/protocol.ts';
import { makePdf } from '../ingest/testing/make-pdf.ts';
import { makeDocx, makeEml, makeMbox, type FixtureMessage } from '../ingest/email/testing.ts';
import { FAMILY_LIMITS } from '../ingest/email/types.ts';
import { portEndpoint } from '../worker/transport.ts';
import type { DocumentRow } from './schema.ts';
import { changeFeed, type ChangeEvent } from './change-feed.ts';
import { removeDocument } from './documents.ts';

const blob = (s: string | Uint8Array, type = 'application/octet-stream') =>
	new Blob([s as Uint8Array<ArrayBuffer>], { type });

function thread(): FixtureMessage[] {
	const exhibit = makePdf({ pages: 1, lines: () => ['Exhibit A: the signed lease of the warehouse.'] });
	const draft = makeDocx(['Settlement draft', 'The defendant pays forty thousand.']);
	const attach = [
		{ name: 'exhibit-a.pdf', mimeType: 'application/pdf', bytes: exhibit },
		{ name: 'draft.docx', mimeType: 'application/octet-stream', bytes: draft }
	];
	return [
		{
			from: 'Ann Smith <ann@smith.example>',
			to: 'Bob Jones <bob@jones.example>',
			subject: 'Settlement',
			date: 'Sun, 3 Mar 2024 10:00:00 +0000',
			messageId: 'm1@smith.example',
			text: 'Bob,\n\nAttached is our offer.',
			attachments: attach
		},
		{
			from: 'Bob Jones <bob@jones.example>',
			to: 'Ann Smith <ann@smith.example>',
			subject: 'Re: Settlement',
			date: 'Mon, 4 Mar 2024 11:00:00 +0000',
			messageId: 'm2@jones.example',
			inReplyTo: 'm1@smith.example',
			references: '<m1@smith.example>',
			text: 'Ann,\n\nWe accept the exhibit as sent.',
			attachments: [attach[0]!]
		},
		{
			from: 'Ann Smith <ann@smith.example>',
			to: 'Bob Jones <bob@jones.example>',
			subject: 'Re: Settlement',
			date: 'Tue, 5 Mar 2024 09:00:00 +0000',
			messageId: 'm3@smith.example',
			// Only the message it answers: threading must follow m2 back to m1.
			inReplyTo: 'm2@jones.example',
			text: 'Good.'
		},
		{
			from: 'Cy Young <cy@young.example>',
			to: 'Ann Smith <ann@smith.example>',
			subject: 'Lunch',
			date: 'Tue, 5 Mar 2024 12:00:00 +0000',
			messageId: 'lunch@young.example',
			text: 'Lunch on Friday?'
		}
	];
}

async function ingestMailbox(via: 'page' | 'worker') {
	const { db, store } = await freshStore();
	const extractor =
		via === 'page'
			? nodeExtractor()
			: new WorkerExtractor(() => {
					const channel = new MessageChannel();
					serveExtraction(
						portEndpoint(channel.port2),
						nodeExtractor(),
						(name) => new DocketDatabase(name),
						undefined,
						async (workerDb) => new IndexedDbFileStore(workerDb)
					);
					return { ...portEndpoint(channel.port1), terminate: () => channel.port1.close() };
				});
	const runner = new IngestRunner({ db, files: store, extractor });
	const mbox = makeMbox(thread().map(makeEml));
	await runner.addFiles('c', [{ name: 'client.mbox', blob: blob(mbox) }]);
	// Each level (mailbox → messages → attachments) is queued by the one above: wait until none is left.
	for (let i = 0; i < 5; i++) {
		await runner.idle();
		await runner.resume();
	}
	await runner.idle();
	const docs = await db.documents.where('caseId').equals('c').toArray();
	return { db, store, runner, docs, byName: (n: string) => docs.find((d) => d.name === n)! };
}

describe('messages, attachments and threads in a case', () => {
	for (const via of ['page', 'worker'] as const) {
		it(`stores a mailbox's messages and attachments as child documents, each attachment once (${via})`, async () => {
			const { db, docs, byName, runner } = await ingestMailbox(via);
			const mbox = byName('client.mbox');
			expect(mbox).toMatchObject({ kind: 'mbox', status: 'indexed', mailbox: { messages: 4 } });
			const messages = docs.filter((d) => d.kind === 'email').sort((a, b) => a.name.localeCompare(b.name));
			expect(messages.map((m) => [m.name, m.status, m.parentId])).toEqual([
				['client 1.eml', 'indexed', mbox.id],
				['client 2.eml', 'indexed', mbox.id],
				['client 3.eml', 'indexed', mbox.id],
				['client 4.eml', 'indexed', mbox.id]
			]);
			const [m1, m2, m3, m4] = messages as [DocumentRow, DocumentRow, DocumentRow, DocumentRow];
			expect(m1.email).toMatchObject({
				from: { name: 'Ann Smith', address: 'ann@smith.example' },
				to: [{ name: 'Bob Jones', address: 'bob@jones.example' }],
				subject: 'Settlement',
				date: Date.UTC(2024, 2, 3, 10),
				messageId: 'm1@smith.example'
			});
			// The exhibit both messages carry is one document, listed under each of them.
			const exhibits = docs.filter((d) => d.name === 'exhibit-a.pdf');
			expect(exhibits).toHaveLength(1);
			const exhibit = exhibits[0]!;
			expect(exhibit).toMatchObject({ kind: 'pdf', status: 'indexed' });
			// Its parent is whichever message was stored first (two extract at once).
			expect([m1.id, m2.id]).toContain(exhibit.parentId);
			expect(m1.email!.attachments.map((a) => a.documentId)).toEqual([exhibit.id, byName('draft.docx').id]);
			expect(m2.email!.attachments.map((a) => a.documentId)).toEqual([exhibit.id]);
			expect(await db.files.where('sha256').equals(exhibit.sha256).count()).toBe(1);
			expect(await db.jobs.where('documentId').equals(exhibit.id).count()).toBe(1);
			expect(byName('draft.docx')).toMatchObject({ kind: 'docx', status: 'indexed' });
			// m3 names only m2, which names m1: one thread; the lunch message its own.
			expect(new Set([m1.threadId, m2.threadId, m3.threadId])).toEqual(new Set(['id:m1@smith.example']));
			expect(m4.threadId).toBe('id:lunch@young.example');
			// Passages are located by header block and paragraph, not page.
			const chunks = await db.chunks.where('documentId').equals(m2.id).sortBy('ordinal');
			expect(chunks[0]).toMatchObject({ block: 'headers' });
			expect(chunks[0]!.text).toContain('From: Bob Jones <bob@jones.example>');
			expect(chunks.slice(1).map((c) => [c.paragraph, c.text])).toEqual([
				[1, 'Ann,'],
				[2, 'We accept the exhibit as sent.']
			]);
			const draftChunks = await db.chunks.where('documentId').equals(byName('draft.docx').id).sortBy('ordinal');
			expect(draftChunks[0]).toMatchObject({ paragraph: 1 });
			const page = await db.pages.get([m2.id, 1]);
			expect(page?.paragraphs).toHaveLength(2);
			// Everything went out through the outbox, metadata with the document.
			const queued = await db.outbox.where('[table+rowId]').equals(['documents', m2.id]).toArray();
			expect(queued.at(-1)!.fields).toMatchObject({ email: { subject: 'Re: Settlement' }, threadId: m2.threadId });
			await runner.dispose();
		});
	}

	it('removing a mailbox removes its messages and their attachments, through the change feed and the outbox', async () => {
		const { db, store, docs, byName, runner } = await ingestMailbox('page');
		await runner.dispose();
		const events: ChangeEvent[] = [];
		const stop = changeFeed(db).subscribe((e) => events.push(e));
		await removeDocument(db, store, byName('client.mbox').id);
		stop();
		expect(await db.documents.where('caseId').equals('c').count()).toBe(0);
		expect(await db.chunks.count()).toBe(0);
		expect(await db.files.count()).toBe(0);
		// Every document (mailbox, 4 messages, exhibit, draft) forgotten at once by every index, and deleted for the team.
		const removedIds = events.filter((e) => e.type === 'documentRemoved').map((e) => e.documentId);
		expect(new Set(removedIds)).toEqual(new Set(docs.map((d) => d.id)));
		expect(events.filter((e) => e.type === 'chunksRemoved').length).toBeGreaterThanOrEqual(docs.length - 1);
		const deletes = (await db.outbox.toArray()).filter((o) => o.op === 'delete');
		expect(new Set(deletes.filter((o) => o.table === 'documents').map((o) => o.rowId))).toEqual(
			new Set(docs.map((d) => d.id))
		);
		expect(
			await db.outbox
				.where('[table+rowId]')
				.equals(['documents', byName('exhibit-a.pdf').id])
				.last()
		).toMatchObject({
			op: 'delete'
		});
	});

	it('removing a message keeps an attachment another message carries, listed under that message', async () => {
		const { db, store, byName, runner } = await ingestMailbox('page');
		await runner.dispose();
		const m1 = byName('client 1.eml');
		const m2 = byName('client 2.eml');
		const exhibit = byName('exhibit-a.pdf');
		const draft = byName('draft.docx');
		await removeDocument(db, store, m1.id);
		expect(await db.documents.get(m1.id)).toBeUndefined();
		// Only m1 carried the draft: it goes, with its text and its bytes.
		expect(await db.documents.get(draft.id)).toBeUndefined();
		expect(await db.chunks.where('documentId').equals(draft.id).count()).toBe(0);
		expect(await db.files.get(draft.sha256)).toBeUndefined();
		// m2 carries the exhibit too: it stays, with its text, under m2.
		const kept = await db.documents.get(exhibit.id);
		expect(kept?.parentId).toBe(m2.id);
		expect(await db.chunks.where('documentId').equals(exhibit.id).count()).toBeGreaterThan(0);
		expect(await db.files.get(exhibit.sha256)).toBeDefined();
		expect((await db.documents.get(m2.id))!.email!.attachments[0]!.documentId).toBe(exhibit.id);
		// The rest of the mailbox stays.
		expect(await db.documents.get(byName('client 3.eml').id)).toBeDefined();
		expect(await db.documents.get(byName('client.mbox').id)).toBeDefined();
		if (exhibit.parentId === m1.id)
			expect((await db.outbox.where('[table+rowId]').equals(['documents', exhibit.id]).last())?.fields).toMatchObject({
				parentId: m2.id
			});
	});

	it('a message nesting messages 20 deep opens ten levels and lists the rest with the reason', async () => {
		const { db, store } = await freshStore();
		let eml = makeEml({
			from: 'a@x.example',
			to: 'b@x.example',
			subject: 'level 20',
			date: 'Sun, 3 Mar 2024 10:00:00 +0000',
			text: 'innermost'
		});
		for (let level = 19; level >= 0; level--)
			eml = makeEml({
				from: 'a@x.example',
				to: 'b@x.example',
				subject: `level ${level}`,
				date: 'Sun, 3 Mar 2024 10:00:00 +0000',
				text: `level ${level} body`,
				attachments: [
					{ name: `level ${level + 1}.eml`, mimeType: 'message/rfc822', bytes: new TextEncoder().encode(eml) }
				]
			});
		const runner = new IngestRunner({ db, files: store, extractor: nodeExtractor() });
		await runner.addFiles('c', [{ name: 'level 0.eml', blob: blob(eml) }]);
		for (let i = 0; i < 25; i++) {
			await runner.idle();
			if ((await runner.resume()) === 0) break;
		}
		await runner.idle();
		const docs = await db.documents.where('caseId').equals('c').toArray();
		expect(docs).toHaveLength(FAMILY_LIMITS.maxDepth + 1);
		expect(docs.every((d) => d.status === 'indexed')).toBe(true);
		const deepest = docs.find((d) => d.email?.subject === `level ${FAMILY_LIMITS.maxDepth}`)!;
		expect(deepest.email!.attachments[0]).toMatchObject({
			name: `level ${FAMILY_LIMITS.maxDepth + 1}.eml`,
			skipped: expect.stringMatching(/nested more than 10 levels/)
		});
		await runner.dispose();
	}, 60_000);
});

describe('schema version 2', () => {
	it('opens a version 1 database with its documents intact and the family indexes usable', async () => {
		const name = `upgrade-${crypto.randomUUID()}`;
		const v1 = new Dexie(name);
		v1.version(1).stores(SCHEMA_VERSIONS[0]!.stores);
		await v1.open();
		const row: DocumentRow = {
			id: 'd1',
			caseId: 'c',
			name: 'old.pdf',
			sha256: 'a'.repeat(64),
			size: 1,
			mimeType: 'application/pdf',
			kind: 'pdf',
			status: 'indexed',
			createdAt: 1,
			updatedAt: 1,
			rev: 3
		};
		await v1.table('documents').add(row);
		v1.close();
		const v2 = new DocketDatabase(name);
		await v2.open();
		expect(v2.verno).toBe(SCHEMA_VERSIONS.at(-1)!.version);
		expect(await v2.documents.get('d1')).toEqual(row);
		await v2.documents.add({ ...row, id: 'd2', sha256: 'b'.repeat(64), parentId: 'd1', threadId: 't' });
		expect((await v2.documents.where('parentId').equals('d1').toArray()).map((d) => d.id)).toEqual(['d2']);
		expect(await v2.documents.where('[caseId+threadId]').equals(['c', 't']).count()).toBe(1);
		v2.close();
		await Dexie.delete(name);
	});

	it('gives a database that opened version 3 before version 2 landed the family indexes too', async () => {
		const name = `upgrade-${crypto.randomUUID()}`;
		const early = new Dexie(name);
		for (const v of SCHEMA_VERSIONS.filter((v) => v.version !== 2)) early.version(v.version).stores(v.stores);
		await early.open();
		await early.table('documents').add({ id: 'd1', caseId: 'c', parentId: 'p', threadId: 't' });
		early.close();
		// Dexie adds the indexes a version declares that the stored schema lacks, at the same version number.
		const db = new DocketDatabase(name);
		await db.open();
		expect(await db.documents.where('parentId').equals('p').count()).toBe(1);
		expect(await db.documents.where('[caseId+threadId]').equals(['c', 't']).count()).toBe(1);
		db.close();
		await Dexie.delete(name);
	});
});
