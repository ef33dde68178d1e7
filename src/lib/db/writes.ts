import { Dexie, type Table, type Transaction } from 'dexie';
import { changeFeed, type ChangeEvent } from './change-feed.ts';
import type { DocketDatabase } from './database.ts';
import type { Change } from './outbox.ts';

export type { Change };

/**
 * One write transaction as the repository functions see it: what they queue for the server goes into the
 * outbox inside the transaction, and the domain events they emit are published once it has committed.
 */
export class Writes {
	readonly db: DocketDatabase;
	readonly events: ChangeEvent[] = [];

	constructor(db: DocketDatabase) {
		this.db = db;
	}

	/** Queues changes for the server, in one IndexedDB call (an ingested document has one per chunk). */
	async record(changes: readonly Change[]): Promise<void> {
		if (changes.length === 0) return;
		const createdAt = Date.now();
		await this.db.outbox.bulkAdd(changes.map((change) => ({ ...change, mutationId: crypto.randomUUID(), createdAt })));
	}

	/**
	 * Queues an event for after the commit. Chunks and vectors stored (or chunks removed) one row at a time,
	 * as a pull applies them, join the last like event of their document, so listeners hear of a page of
	 * rows once; an event about the same document in between keeps them apart, so order is never lost.
	 */
	emit(event: ChangeEvent): void {
		for (let i = this.events.length - 1; i >= 0; i--) {
			const earlier = this.events[i]!;
			if (!('documentId' in earlier) || !('documentId' in event) || earlier.documentId !== event.documentId) continue;
			if (earlier.type === 'chunksStored' && event.type === 'chunksStored') {
				earlier.chunkIds.push(...event.chunkIds);
				return;
			}
			if (earlier.type === 'vectorsStored' && event.type === 'vectorsStored' && earlier.modelId === event.modelId) {
				earlier.chunkIds.push(...event.chunkIds);
				return;
			}
			if (earlier.type === 'chunksRemoved' && event.type === 'chunksRemoved') {
				earlier.chunks.push(...event.chunks);
				return;
			}
			if (earlier.type === event.type && (event.type === 'documentChanged' || event.type === 'vectorsRemoved')) return;
			// Stored chunks and vectors (of any model) may pass each other; anything else about the document may not.
			const pair = new Set([earlier.type, event.type]);
			const independent = [...pair].every((type) => type === 'chunksStored' || type === 'vectorsStored');
			if (!independent) break;
		}
		this.events.push(event);
	}
}

const contexts = new WeakMap<Transaction, Writes>();

/** The repository context of a transaction (or of the transaction it is nested in), if it has one. */
export function writesOf(transaction: Transaction | undefined): Writes | undefined {
	for (let t = transaction; t; t = t.parent) {
		const found = contexts.get(t);
		if (found) return found;
	}
	return undefined;
}

/**
 * Runs repository work in one read-write transaction over `tables` and the outbox. Nested in another
 * `write`, it joins that transaction and its events wait for the outer commit; nested in a plain
 * transaction, it joins it and publishes when that commits. Events are never published for work that
 * rolled back, so a listener that reads the database finds what the event says.
 */
export async function write<T>(
	db: DocketDatabase,
	tables: readonly Table[],
	work: (writes: Writes) => Promise<T>
): Promise<T> {
	const scope = [...new Set([...tables, db.outbox])];
	const current = Dexie.currentTransaction;
	const joined = writesOf(current);
	// Scopes are async functions: Dexie follows native awaits in a transaction only through those.
	if (joined) return db.transaction('rw', scope, async () => await work(joined));
	const writes = new Writes(db);
	if (current) {
		let root = current;
		while (root.parent) root = root.parent;
		contexts.set(root, writes);
		root.on('complete', () => changeFeed(db).publish(writes.events));
		return db.transaction('rw', scope, async () => await work(writes));
	}
	const result = await db.transaction('rw', scope, async (transaction) => {
		contexts.set(transaction, writes);
		return await work(writes);
	});
	changeFeed(db).publish(writes.events);
	return result;
}
