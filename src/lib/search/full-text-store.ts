import type { DocketDatabase } from '../db/database.ts';
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
 * does not re-tokenise every document. Loaded lazily, kept warm, and brought up to date on load with
 * any document whose chunks exist but which the stored index does not cover yet.
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
		for (const chunk of chunks) if (!entry.documentIds.has(chunk.documentId)) collect(chunk);
		const present = new Set(chunks.map((c) => c.documentId));
		const gone = [...entry.documentIds].filter((id) => !present.has(id));
		if (gone.length > 0) {
			// Documents deleted while the index was cold: their text is gone, so rebuild from what remains.
			entry = { index: FullTextIndex.empty(), documentIds: new Set() };
			byDocument.clear();
			for (const chunk of chunks) collect(chunk);
		}
		for (const [documentId, list] of byDocument) {
			entry.index.add(list.map(indexed));
			entry.documentIds.add(documentId);
		}
		if (byDocument.size > 0 || gone.length > 0) await this.#persist(caseId, entry);
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

	/** Adds a document's chunks (all of them) and stores the index. Adding a document twice changes nothing. */
	addDocument(caseId: string, documentId: string, chunks: readonly ChunkRow[]): Promise<void> {
		return this.#serial(caseId, async () => {
			const entry = await this.#entry(caseId);
			if (entry.documentIds.has(documentId)) return;
			entry.index.add(chunks.map(indexed));
			entry.documentIds.add(documentId);
			await this.#persist(caseId, entry);
		});
	}

	/** Removes a document, given the chunks it had (their text keeps the vocabulary counts right). */
	removeDocument(caseId: string, documentId: string, chunks: readonly ChunkRow[]): Promise<void> {
		return this.#serial(caseId, async () => {
			const entry = await this.#entry(caseId);
			if (!entry.documentIds.has(documentId)) return;
			entry.index.remove(chunks.map(indexed));
			entry.documentIds.delete(documentId);
			await this.#persist(caseId, entry);
		});
	}

	/** Forgets the in-memory index of a case (a deleted case); the stored row goes with the case's rows. */
	evict(caseId: string): void {
		this.#entries.delete(caseId);
	}
}
