import type { DocketDatabase } from '../db/database.ts';
import type { RemovedChunk } from '../db/change-feed.ts';
import type { ChunkRow } from '../db/schema.ts';
import { FullTextIndex, type IndexedChunk } from './full-text.ts';

function indexed(chunk: ChunkRow): IndexedChunk {
	return {
		id: chunk.id,
		documentId: chunk.documentId,
		page: chunk.page,
		text: chunk.text,
		start: chunk.start,
		end: chunk.end
	};
}

interface Entry {
	index: FullTextIndex;
	documentIds: Set<string>;
}

/**
 * Full-text indexes per case, persisted in Dexie's `searchIndexes` (one row per case) so opening a case
 * does not re-tokenise every document. Loaded lazily, kept warm by the change feed (`index-feed.ts`),
 * and brought up to date on load with whatever changed while it was cold.
 */
export class CaseTextStore {
	readonly #db: DocketDatabase;
	readonly #entries = new Map<string, Promise<Entry>>();
	/** Serialises writes per case, so two documents arriving together both end up in the stored index. */
	#writes = new Map<string, Promise<unknown>>();

	constructor(db: DocketDatabase) {
		this.#db = db;
	}

	isWarm(caseId: string): boolean {
		return this.#entries.has(caseId);
	}

	get(caseId: string): Promise<FullTextIndex> {
		return this.#entry(caseId).then((e) => e.index);
	}

	#entry(caseId: string): Promise<Entry> {
		let entry = this.#entries.get(caseId);
		if (!entry) {
			entry = this.#load(caseId);
			entry.catch(() => this.#entries.delete(caseId));
			this.#entries.set(caseId, entry);
		}
		return entry;
	}

	async #load(caseId: string): Promise<Entry> {
		const row = await this.#db.searchIndexes.get(caseId);
		let entry: Entry = { index: FullTextIndex.empty(), documentIds: new Set() };
		if (row) {
			try {
				entry = { index: FullTextIndex.fromJSON(row.data), documentIds: new Set(row.documentIds) };
			} catch {
				// An index from an older format: rebuilt below from the chunks.
			}
		}
		const chunks = await this.#db.chunks.where('caseId').equals(caseId).toArray();
		const byDocument = new Map<string, ChunkRow[]>();
		const collect = (chunk: ChunkRow) => {
			const list = byDocument.get(chunk.documentId);
			if (list) list.push(chunk);
			else byDocument.set(chunk.documentId, [chunk]);
		};
		// Brought up to date chunk by chunk: what changed while no index was warm (a pull, another tab).
		let covered = 0;
		for (const chunk of chunks) if (entry.index.has(chunk.id)) covered++;
		const stale = entry.index.size > covered;
		if (stale) {
			// Chunks deleted while the index was cold: their text is gone, so rebuild from what remains.
			entry = { index: FullTextIndex.empty(), documentIds: new Set() };
		}
		const fresh = new Set<string>();
		for (const chunk of chunks) if (!entry.index.has(chunk.id)) fresh.add(chunk.documentId);
		for (const chunk of chunks) if (fresh.has(chunk.documentId)) collect(chunk);
		for (const [documentId, list] of byDocument) {
			entry.index.add(list.map(indexed));
			entry.documentIds.add(documentId);
		}
		const present = new Set(chunks.map((c) => c.documentId));
		for (const id of entry.documentIds) if (!present.has(id)) entry.documentIds.delete(id);
		if (byDocument.size > 0 || stale) await this.#persist(caseId, entry);
		return entry;
	}

	async #persist(caseId: string, entry: Entry): Promise<void> {
		await this.#db.searchIndexes.put({
			caseId,
			data: entry.index.toJSON(),
			documentIds: [...entry.documentIds],
			updatedAt: Date.now()
		});
	}

	#serial<T>(caseId: string, work: () => Promise<T>): Promise<T> {
		const run = (this.#writes.get(caseId) ?? Promise.resolve()).then(work);
		this.#writes.set(
			caseId,
			run.catch(() => undefined)
		);
		return run;
	}

	/**
	 * Adds chunks just stored to a warm index and stores it; a cold one catches up when it loads. Reads the
	 * document's chunks, so a page whose chunks arrive in several pulls is stitched whole. Idempotent.
	 */
	addChunks(caseId: string, documentId: string): Promise<void> {
		if (!this.isWarm(caseId)) return Promise.resolve();
		return this.#serial(caseId, async () => {
			const entry = await this.#entry(caseId);
			const chunks = await this.#db.chunks.where('documentId').equals(documentId).toArray();
			const mine = chunks.filter((c) => c.caseId === caseId);
			if (mine.every((c) => entry.index.has(c.id))) return;
			entry.index.add(mine.map(indexed));
			entry.documentIds.add(documentId);
			await this.#persist(caseId, entry);
		});
	}

	/** Removes chunks, as they were, from a warm index (their text takes their words out of "did you mean"). */
	removeChunks(caseId: string, documentId: string, removed: readonly RemovedChunk[]): Promise<void> {
		if (!this.isWarm(caseId)) return Promise.resolve();
		return this.#serial(caseId, async () => {
			const entry = await this.#entry(caseId);
			if (!removed.some((c) => entry.index.has(c.id))) return;
			const remaining = await this.#db.chunks.where('documentId').equals(documentId).toArray();
			entry.index.remove(
				removed.map((c) => ({ ...c })),
				remaining.map(indexed)
			);
			if (remaining.length === 0) entry.documentIds.delete(documentId);
			await this.#persist(caseId, entry);
		});
	}

	/** Forgets the in-memory index of a case (a deleted case); the stored row goes with the case's rows. */
	evict(caseId: string): void {
		this.#entries.delete(caseId);
	}
}
