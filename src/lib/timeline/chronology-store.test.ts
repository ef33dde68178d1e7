import { afterEach, describe, expect, it } from 'vitest';
import { changeFeed, type ChangeEvent } from '../db/change-feed.ts';
import { createCase, deleteCase } from '../db/cases.ts';
import type { DocketDatabase } from '../db/database.ts';
import { createDocument, removeDocument } from '../db/documents.ts';
import { letter, withThreeWordsChanged } from '../duplicates/testing.ts';
import { groupNearDuplicates } from '../duplicates/groups.ts';
import { storeExtraction } from '../ingest/store-extraction.ts';
import { freshStore } from '../testing/db.ts';
import { createChronologyHandlers } from './chronology-handlers.ts';
import { chronologyEntries } from './chronology.ts';
import { ChronologyStore, defaultDateOrder, eventId, saveDateOrder, subscribeChronology } from './chronology-store.ts';
import { saveEventEdit } from './event-edits.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup() {
	const { db, store } = await freshStore();
	const chronology = new ChronologyStore(db, { language: 'en-GB' });
	const stop = subscribeChronology(chronology, changeFeed(db));
	cleanups.push(async () => {
		stop();
		await chronology.settled();
		await db.delete();
	});
	const theCase = await createCase(db, 'Orchard');
	return { db, store, caseId: theCase.id, chronology };
}

async function ingest(db: DocketDatabase, caseId: string, name: string, pages: string[]) {
	const created = await createDocument(db, {
		caseId,
		name,
		sha256: name.padEnd(64, '0'),
		size: 1,
		mimeType: 'text/plain'
	});
	if (!created.document) throw new Error('duplicate');
	await storeExtraction(
		db,
		{ caseId, documentId: created.document.id, embed: false },
		{
			status: 'indexed',
			kind: 'text',
			pages: pages.map((text, i) => ({ page: i + 1, text })),
			pageCount: pages.length,
			pagesWithoutText: [],
			pagesWithErrors: []
		}
	);
	return created.document.id;
}

async function stored(db: DocketDatabase, caseId: string) {
	return (await db.events.where('caseId').equals(caseId).toArray())
		.map((e) => [e.date, e.documentId, e.page] as const)
		.sort((a, b) => a[0].localeCompare(b[0]));
}

describe('the stored chronology', () => {
	it("dates a message's relative dates by its Date header and names its sender and recipients", async () => {
		const { db, caseId, chronology } = await setup();
		const created = await createDocument(db, {
			caseId,
			name: 'settlement.eml',
			sha256: 'e'.repeat(64),
			size: 1,
			mimeType: 'message/rfc822'
		});
		const documentId = created.document!.id;
		await storeExtraction(
			db,
			{ caseId, documentId, embed: false },
			{
				status: 'indexed',
				kind: 'email',
				pages: [{ page: 1, text: 'We met yesterday and agreed terms.' }],
				pageCount: 1,
				pagesWithoutText: [],
				pagesWithErrors: [],
				family: {
					message: {
						from: { name: 'Ann  Smith', address: 'ann@smith.example' },
						to: [{ address: 'bob@jones.example' }],
						cc: [{ name: 'Ann Smith', address: 'ann@smith.example' }],
						bcc: [],
						subject: 'Settlement',
						date: Date.UTC(2024, 2, 3, 10),
						references: [],
						threadKey: 'id:m1@smith.example',
						attachments: []
					}
				}
			}
		);
		await chronology.settled();
		const events = await db.events.where('documentId').equals(documentId).toArray();
		expect(events.map((e) => [e.date, e.inferred, e.people])).toEqual([
			['2024-03-02', true, ['Ann Smith', 'bob@jones.example']]
		]);
	});

	it('is derived through the change feed, and a refresh finds nothing left to do', async () => {
		const { db, store, caseId, chronology } = await setup();
		const lease = await ingest(db, caseId, 'lease', [
			'The lease was signed on 3 March 2024.',
			'Rent fell due on 04/05/2024.'
		]);
		const memo = await ingest(db, caseId, 'memo', ['On or about 1 January 2024 Jane Doe inspected the orchard.']);
		await chronology.settled();
		expect(await stored(db, caseId)).toEqual([
			['2024-01-01', memo, 1],
			['2024-03-03', lease, 1],
			['2024-05-04', lease, 2]
		]);
		const memoEvent = (await db.events.where('documentId').equals(memo).first())!;
		expect(memoEvent).toMatchObject({ approximate: true, people: ['Jane Doe'] });
		expect(memoEvent.id).toBe(await eventId(memo, 1, memoEvent.start, memoEvent.end));
		expect(memoEvent.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(await chronology.refreshCase(caseId)).toEqual({ documents: 2, derived: 0 });

		await removeDocument(db, store, memo);
		await chronology.settled();
		expect(await stored(db, caseId)).toEqual([
			['2024-03-03', lease, 1],
			['2024-05-04', lease, 2]
		]);
		expect(await db.digests.get(memo)).toBeUndefined();
		await deleteCase(db, store, caseId);
		expect(await db.events.count()).toBe(0);
		expect(await db.digests.count()).toBe(0);
	});

	it('catches up on a refresh with what happened while no worker listened, and rereads dates in a new order', async () => {
		const { db } = await freshStore();
		cleanups.push(() => db.delete());
		const caseId = (await createCase(db, 'Quiet')).id;
		const lease = await ingest(db, caseId, 'lease', ['Rent fell due on 04/05/2024.']);
		const chronology = new ChronologyStore(db, { language: 'en-GB' });
		expect(await db.events.count()).toBe(0);
		expect(await chronology.refreshCase(caseId)).toEqual({ documents: 1, derived: 1 });
		expect(await stored(db, caseId)).toEqual([['2024-05-04', lease, 1]]);
		await saveDateOrder(db, 'mdy');
		expect(await chronology.refreshCase(caseId)).toEqual({ documents: 1, derived: 1 });
		expect(await stored(db, caseId)).toEqual([['2024-04-05', lease, 1]]);
	});

	it('keeps edits across a rebuild: the event keeps its id, so a drop, a date and a note apply again', async () => {
		const { db, caseId, chronology } = await setup();
		const lease = await ingest(db, caseId, 'lease', [
			'Signed on 3 March 2024. See section 4.2.2024 and paid on 9 May 2024.'
		]);
		await chronology.settled();
		const events = await db.events.where('caseId').equals(caseId).toArray();
		expect(events.map((e) => e.date).sort()).toEqual(['2024-03-03', '2024-05-09']);
		const signed = events.find((e) => e.date === '2024-03-03')!;
		const paid = events.find((e) => e.date === '2024-05-09')!;
		await saveEventEdit(db, caseId, signed.id, { date: '2024-03-04', note: 'The copy says 4 March.' });
		await saveEventEdit(db, caseId, paid.id, { dropped: true });
		// The outbox holds each edit for the server.
		expect(
			(await db.outbox.where('[table+rowId]').equals(['eventEdits', signed.id]).toArray())[0]?.fields
		).toMatchObject({ date: '2024-03-04', note: 'The copy says 4 March.' });
		// Re-extraction stores new chunks: the events are derived again, with the same ids.
		await storeExtraction(
			db,
			{ caseId, documentId: lease, embed: false },
			{
				status: 'indexed',
				kind: 'text',
				pages: [{ page: 1, text: 'Signed on 3 March 2024. See section 4.2.2024 and paid on 9 May 2024.' }],
				pageCount: 1,
				pagesWithoutText: [],
				pagesWithErrors: []
			}
		);
		await chronology.settled();
		const again = await db.events.where('caseId').equals(caseId).toArray();
		expect(again.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
		const entries = chronologyEntries({
			events: again,
			edits: await db.eventEdits.where('caseId').equals(caseId).toArray(),
			documentNames: new Map([[lease, 'lease']])
		});
		expect(entries.map((e) => [e.date, e.readDate, e.note, e.dropped])).toEqual([
			['2024-03-04', '2024-03-03', 'The copy says 4 March.', false],
			['2024-05-09', undefined, undefined, true]
		]);
	});

	it('stores a MinHash signature per document: a letter and its copy with three words changed group, others do not', async () => {
		const { db, caseId, chronology } = await setup();
		const original = letter(7);
		const a = await ingest(db, caseId, 'letter.txt', [original]);
		const b = await ingest(db, caseId, 'letter-copy.txt', [withThreeWordsChanged(original)]);
		const c = await ingest(db, caseId, 'other.txt', [letter(8)]);
		await chronology.settled();
		const digests = await db.digests.where('caseId').equals(caseId).toArray();
		expect(digests).toHaveLength(3);
		const groups = groupNearDuplicates(
			digests.flatMap((d) => (d.signature ? [{ id: d.documentId, signature: d.signature }] : [])),
			{ threshold: 0.7 }
		);
		expect(groups.map((g) => g.members.sort())).toEqual([[a, b].sort()]);
		expect(groups[0]!.members).not.toContain(c);

		// The worker's calls: groups at the chosen threshold, and the three changed words side by side.
		const handlers = createChronologyHandlers(db, chronology);
		const call = { id: 'call', signal: new AbortController().signal, progress: () => undefined };
		const found = await handlers.duplicates({ caseId, threshold: 0.8 }, call);
		expect(found.map((g) => g.members.sort())).toEqual([[a, b].sort()]);
		expect(found[0]!.similarity).toBeGreaterThan(0.8);
		expect(await handlers.duplicates({ caseId, threshold: 1 }, call)).toEqual([]);
		await expect(handlers.duplicates({ caseId, threshold: 0 }, call)).rejects.toThrow(/threshold/);
		const diff = await handlers.compare({ caseId, left: a, right: b }, call);
		expect(diff).toMatchObject({ status: 'compared', removedWords: 3, addedWords: 3 });
		if (diff.status !== 'compared') return;
		expect(diff.right.filter((s) => s.kind === 'added').map((s) => s.text.trim())).toEqual([
			'CHANGED',
			'CHANGED',
			'CHANGED'
		]);
	});
});

describe('comparing a teammate’s documents', () => {
	it('rebuilds the text from overlapping chunks where this device has no pages', async () => {
		const { db, caseId, chronology } = await setup();
		const long = Array.from({ length: 120 }, (_, i) => `Sentence number ${i} of the long witness statement.`).join(' ');
		const a = await ingest(db, caseId, 'statement.txt', [long, 'Second page.']);
		const b = await ingest(db, caseId, 'statement-copy.txt', [
			long.replace('number 60', 'number sixty'),
			'Second page.'
		]);
		expect(await db.chunks.where('documentId').equals(a).count()).toBeGreaterThan(2);
		// Pulled rows carry chunks only: the pages stay on the teammate's device.
		await db.pages.where('caseId').equals(caseId).delete();
		const handlers = createChronologyHandlers(db, chronology);
		const call = { id: 'call', signal: new AbortController().signal, progress: () => undefined };
		const same = await handlers.compare({ caseId, left: a, right: a }, call);
		if (same.status !== 'compared') throw new Error('not compared');
		expect(same.left.map((s) => s.text).join('')).toBe(`${long}\n\nSecond page.`);
		const diff = await handlers.compare({ caseId, left: a, right: b }, call);
		expect(diff).toMatchObject({ status: 'compared', removedWords: 1, addedWords: 1 });
	});
});

describe("a document's own date", () => {
	it('resolves its relative dates, marked inferred', async () => {
		const { db, caseId, chronology } = await setup();
		const memo = await ingest(db, caseId, 'memo', [
			'1 March 2024\n\nDear Sir,\nThe tenant called the following Tuesday.'
		]);
		await chronology.settled();
		const events = await db.events.where('documentId').equals(memo).toArray();
		expect(events.map((e) => [e.date, e.inferred]).sort()).toEqual([
			['2024-03-01', false],
			['2024-03-05', true]
		]);
	});
});

describe('feed events about one document', () => {
	it('join a derivation still waiting in the queue, so the document is read once', async () => {
		const { db, caseId, chronology } = await setup();
		const lease = await ingest(db, caseId, 'lease', ['Signed on 3 March 2024.']);
		await chronology.settled();
		const reads: string[] = [];
		const table = db.chunks;
		const original = table.where.bind(table);
		table.where = ((index: string) => {
			reads.push(index);
			return original(index);
		}) as typeof table.where;
		const event: ChangeEvent = { type: 'chunksStored', caseId, documentId: lease, chunkIds: [] };
		// The queue is busy with a refresh; three pages of chunks arrive meanwhile.
		const busy = chronology.refreshCase(caseId);
		await Promise.all([chronology.enqueue(event), chronology.enqueue(event), chronology.enqueue(event), busy]);
		table.where = original;
		// The refresh read the chunk ids once; the three events together derived the document once (ids, then rows).
		expect(reads.filter((i) => i === '[documentId+ordinal]')).toHaveLength(3);
	});
});

describe('the default date order', () => {
	it('is month first for US English only', () => {
		expect(defaultDateOrder('en-US')).toBe('mdy');
		expect(defaultDateOrder('en-GB')).toBe('dmy');
		expect(defaultDateOrder('de-DE')).toBe('dmy');
		expect(defaultDateOrder(undefined)).toBe('dmy');
	});
});
