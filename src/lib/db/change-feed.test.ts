import { afterEach, describe, expect, it } from 'vitest';
import { changeFeed, createChangeFeed, isChangeEvent, type ChangeEvent } from './change-feed.ts';
import { createCase, deleteCase } from './cases.ts';
import { Writes } from './writes.ts';
import { freshStore } from '../testing/db.ts';

const channels: BroadcastChannel[] = [];
afterEach(() => {
	for (const channel of channels.splice(0)) channel.close();
});

function channel(name: string): BroadcastChannel {
	const made = new BroadcastChannel(name);
	channels.push(made);
	return made;
}

describe('the change feed', () => {
	it('delivers to listeners in the same context at once and to other contexts over the channel', async () => {
		// Two contexts (say a worker and a tab), each with its own channel object of the same name.
		const here = createChangeFeed(channel('feed-test'));
		const there = createChangeFeed(channel('feed-test'));
		const heardHere: ChangeEvent[] = [];
		const heardThere: ChangeEvent[] = [];
		here.subscribe((e) => heardHere.push(e));
		const arrived = new Promise<void>((resolve) =>
			there.subscribe((e) => {
				heardThere.push(e);
				resolve();
			})
		);
		const event: ChangeEvent = { type: 'documentRemoved', caseId: 'c', documentId: 'd' };
		here.publish([event]);
		expect(heardHere).toEqual([event]);
		await arrived;
		expect(heardThere).toEqual([event]);
	});

	it('ignores messages on the channel that are not change events, and survives a failing listener', async () => {
		const feed = createChangeFeed(channel('feed-junk'));
		const heard: ChangeEvent[] = [];
		feed.subscribe(() => {
			throw new Error('broken listener');
		});
		const done = new Promise<void>((resolve) =>
			feed.subscribe((e) => {
				heard.push(e);
				if (e.type === 'caseDeleted') resolve();
			})
		);
		channel('feed-junk').postMessage([
			{ type: 'documentRemoved', caseId: 'c' },
			{ type: 'chunksStored', caseId: 'c', documentId: 'd', chunkIds: [1] },
			'nonsense',
			{ type: 'caseDeleted', caseId: 'c' }
		]);
		await done;
		expect(heard).toEqual([{ type: 'caseDeleted', caseId: 'c' }]);
		expect(isChangeEvent({ type: 'vectorsStored', caseId: 'c', documentId: 'd', chunkIds: ['x'] })).toBe(false);
		expect(
			isChangeEvent({ type: 'chunksRemoved', caseId: 'c', documentId: 'd', chunks: [{ id: 'x', text: 't', page: 1 }] })
		).toBe(true);
	});

	it('publishes a repository write’s events once its transaction has committed', async () => {
		const { db, store } = await freshStore();
		const seen: { event: ChangeEvent; committed: boolean }[] = [];
		const stop = changeFeed(db).subscribe((event) => {
			// The listener runs after the commit: a new transaction already reads what the event says.
			void db.cases.get(event.caseId).then((row) => seen.push({ event, committed: row !== undefined }));
		});
		const made = await createCase(db, 'Orchard');
		await deleteCase(db, store, made.id);
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(seen).toEqual([
			{ event: { type: 'caseChanged', caseId: made.id }, committed: true },
			{ event: { type: 'caseDeleted', caseId: made.id }, committed: false }
		]);
		stop();
		await db.delete();
	});

	it('a repository call inside a plain transaction publishes when that transaction commits, not before', async () => {
		const { db } = await freshStore();
		const heard: string[] = [];
		const stop = changeFeed(db).subscribe((e) => heard.push(e.type));
		await db.transaction('rw', db.cases, db.outbox, async () => {
			await createCase(db, 'Orchard');
			await db.cases.count();
			expect(heard).toEqual([]);
		});
		expect(heard).toEqual(['caseChanged']);
		stop();
		await db.delete();
	});

	it('merges chunks stored one row at a time (a pull) but never across another event of the document', async () => {
		const { db } = await freshStore();
		const w = new Writes(db);
		const stored = (id: string): ChangeEvent => ({
			type: 'chunksStored',
			caseId: 'c',
			documentId: 'd',
			chunkIds: [id]
		});
		w.emit(stored('1'));
		w.emit({ type: 'vectorsStored', caseId: 'c', documentId: 'd', modelId: 'm', chunkIds: ['1'] });
		w.emit(stored('2'));
		w.emit({ type: 'vectorsStored', caseId: 'c', documentId: 'd', modelId: 'm', chunkIds: ['2'] });
		w.emit({ type: 'chunksRemoved', caseId: 'c', documentId: 'd', chunks: [] });
		w.emit(stored('3'));
		w.emit(stored('4'));
		expect(w.events).toEqual([
			{ type: 'chunksStored', caseId: 'c', documentId: 'd', chunkIds: ['1', '2'] },
			{ type: 'vectorsStored', caseId: 'c', documentId: 'd', modelId: 'm', chunkIds: ['1', '2'] },
			{ type: 'chunksRemoved', caseId: 'c', documentId: 'd', chunks: [] },
			{ type: 'chunksStored', caseId: 'c', documentId: 'd', chunkIds: ['3', '4'] }
		]);
		await db.delete();
	});
});
