/**
 * The search worker's indexes follow the change feed and nothing else: whichever tab, worker or teammate
 * wrote, the full-text index, its "did you mean" vocabulary and the vector indexes hear it here.
 */
import type { ChangeEvent, ChangeFeed } from '../db/change-feed.ts';
import type { DocketDatabase } from '../db/database.ts';
import type { VectorRow } from '../db/schema.ts';
import type { CaseTextStore } from './full-text-store.ts';
import type { CaseVectorStore } from './vector-store.ts';

/** A worker's warm indexes over one database, with the queue of feed events not yet applied. */
export class SearchIndexes {
	readonly db: DocketDatabase;
	readonly text: CaseTextStore;
	readonly vectors: CaseVectorStore;
	#queue: Promise<void> = Promise.resolve();

	constructor(db: DocketDatabase, text: CaseTextStore, vectors: CaseVectorStore) {
		this.db = db;
		this.text = text;
		this.vectors = vectors;
	}

	/** Applies events in the order they came; a search waits for `settled()` so it never sees an older state. */
	enqueue(event: ChangeEvent): Promise<void> {
		const run = this.#queue.then(() => this.apply(event));
		this.#queue = run.catch((error: unknown) => {
			// The index stays usable; the next load of the case reconciles it with the database.
			console.warn(`the search index could not apply ${event.type}`, error);
		});
		return run;
	}

	/** Resolves once every event heard so far is applied. */
	settled(): Promise<void> {
		return this.#queue;
	}

	async apply(event: ChangeEvent): Promise<void> {
		switch (event.type) {
			case 'chunksStored':
				await this.text.addChunks(event.caseId, event.documentId);
				return;
			case 'chunksRemoved':
				await this.text.removeChunks(event.caseId, event.documentId, event.chunks);
				// Vector indexes cannot drop rows; a warm one is rebuilt from Dexie on its next search.
				await this.vectors.invalidate(event.caseId);
				return;
			case 'vectorsStored': {
				const rows = await this.db.vectors.bulkGet(event.chunkIds.map((id) => `${id}:${event.modelId}`));
				await this.vectors.added(rows.filter((r): r is VectorRow => r !== undefined && r.caseId === event.caseId));
				return;
			}
			case 'vectorsRemoved':
			case 'documentRemoved':
				await this.vectors.invalidate(event.caseId);
				return;
			case 'caseDeleted':
				this.text.evict(event.caseId);
				await this.vectors.invalidate(event.caseId);
				return;
			case 'caseChanged':
			case 'documentAdded':
			case 'documentChanged':
				// A document's text arrives as chunksStored; its row alone changes nothing indexed.
				return;
		}
	}
}

const registry = new WeakMap<object, SearchIndexes>();

/** Ties a worker's handler map to the indexes it searches, so the worker entry wires both in one line. */
export function registerIndexes(handlers: object, indexes: SearchIndexes): void {
	registry.set(handlers, indexes);
}

/**
 * Keeps the indexes true to the feed: pass the indexes, or the handler map `createSearchHandlers` made.
 * Returns the unsubscribe.
 */
export function subscribeIndexes(target: SearchIndexes | object, feed: ChangeFeed): () => void {
	const indexes = target instanceof SearchIndexes ? target : registry.get(target);
	if (!indexes) throw new Error('subscribeIndexes needs the handlers made by createSearchHandlers.');
	return feed.subscribe((event) => void indexes.enqueue(event).catch(() => undefined));
}
