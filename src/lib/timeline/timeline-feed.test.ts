import { afterEach, describe, expect, it } from 'vitest';
import { changeFeed } from '../db/change-feed.ts';
import { createCase, deleteCase } from '../db/cases.ts';
import type { DocketDatabase } from '../db/database.ts';
import { createDocument, removeDocument } from '../db/documents.ts';
import { storeExtraction } from '../ingest/store-extraction.ts';
import { freshStore } from '../testing/db.ts';
import { CaseTimelines, subscribeTimelines } from './timeline-feed.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup() {
	const { db, store } = await freshStore();
	const timelines = new CaseTimelines(db, () => ({ order: 'dmy' }));
	const stop = subscribeTimelines(timelines, changeFeed(db));
	cleanups.push(async () => {
		stop();
		await db.delete();
	});
	const theCase = await createCase(db, 'Orchard');
	return { db, store, caseId: theCase.id, timelines };
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

const summary = (events: { date: string; documentId: string; page: number }[]) =>
	events.map((e) => [e.date, e.documentId, e.page]);

describe('the timeline follows the change feed', () => {
	it('builds a case from its chunks, gains stored documents and forgets removed ones', async () => {
		const { db, store, caseId, timelines } = await setup();
		const lease = await ingest(db, caseId, 'lease', [
			'The lease was signed on 3 March 2024.',
			'Rent fell due on 04/05/2024.'
		]);
		expect(summary(await timelines.events(caseId))).toEqual([
			['2024-03-03', lease, 1],
			['2024-05-04', lease, 2]
		]);
		// Warm now: the memo arrives through the feed alone.
		const memo = await ingest(db, caseId, 'memo', ['On or about 1 January 2024 Jane Doe inspected the orchard.']);
		const warm = await timelines.events(caseId);
		expect(summary(warm)).toEqual([
			['2024-01-01', memo, 1],
			['2024-03-03', lease, 1],
			['2024-05-04', lease, 2]
		]);
		expect(warm[0]).toMatchObject({ approximate: true, people: ['Jane Doe'] });
		// A cold build (a reload) agrees with the warm one.
		expect(await new CaseTimelines(db, () => ({ order: 'dmy' })).events(caseId)).toEqual(warm);

		await removeDocument(db, store, memo);
		expect(summary(await timelines.events(caseId))).toEqual([
			['2024-03-03', lease, 1],
			['2024-05-04', lease, 2]
		]);
		await deleteCase(db, store, caseId);
		expect(await timelines.events(caseId)).toEqual([]);
	});
});
