/**
 * A case's dated events, derived from its chunks and kept true to the change feed, as the search
 * indexes are: a document's events are recomputed when its chunks are stored or removed (by this tab,
 * another one, a worker or a teammate's pull), and dropped with the document or the case. Nothing is
 * stored yet: the events are rebuilt from the chunks when a case is first asked for (see the report for
 * the synced events table and user edits, which are not built).
 */
import type { ChangeEvent, ChangeFeed } from '../db/change-feed.ts';
import type { DocketDatabase } from '../db/database.ts';
import type { ChunkRow } from '../db/schema.ts';
import { compareEvents, eventsOfDocument, type DateOptions, type PageEvent } from './dates.ts';

export interface CaseEvent extends PageEvent {
	documentId: string;
}

/** Per document, the reading of its dates: the case's day/month order, the document's own date. */
export type DateOptionsOf = (caseId: string, documentId: string) => DateOptions;

export class CaseTimelines {
	readonly #db: DocketDatabase;
	readonly #options: DateOptionsOf;
	/** Warm cases only: caseId → documentId → events. */
	readonly #cases = new Map<string, Map<string, CaseEvent[]>>();
	#queue: Promise<void> = Promise.resolve();

	constructor(db: DocketDatabase, options: DateOptionsOf = () => ({})) {
		this.#db = db;
		this.#options = options;
	}

	/** The case's events in date order (then document, page and position), after every event heard so far. */
	async events(caseId: string): Promise<CaseEvent[]> {
		await this.#run(async () => {
			if (!this.#cases.has(caseId)) await this.#load(caseId);
		});
		const byDocument = this.#cases.get(caseId) ?? new Map<string, CaseEvent[]>();
		return [...byDocument.values()]
			.flat()
			.sort(
				(a, b) =>
					compareEvents(a, b) || a.documentId.localeCompare(b.documentId) || a.page - b.page || a.start - b.start
			);
	}

	/** Applies feed events in the order they came. */
	enqueue(event: ChangeEvent): Promise<void> {
		return this.#run(() => this.#apply(event));
	}

	#run(task: () => Promise<void>): Promise<void> {
		const run = this.#queue.then(task);
		this.#queue = run.catch((error: unknown) => {
			// The case is dropped, so its next read rebuilds it from the database.
			console.warn('the timeline could not apply a change', error);
			this.#cases.clear();
		});
		return run;
	}

	async #load(caseId: string): Promise<void> {
		const chunks = await this.#db.chunks.where('caseId').equals(caseId).toArray();
		const byDocument = new Map<string, ChunkRow[]>();
		for (const c of chunks) byDocument.set(c.documentId, [...(byDocument.get(c.documentId) ?? []), c]);
		const events = new Map<string, CaseEvent[]>();
		for (const [documentId, rows] of byDocument) events.set(documentId, this.#eventsOf(caseId, documentId, rows));
		this.#cases.set(caseId, events);
	}

	#eventsOf(caseId: string, documentId: string, rows: ChunkRow[]): CaseEvent[] {
		const ordered = [...rows].sort((a, b) => a.ordinal - b.ordinal);
		return eventsOfDocument(ordered, this.#options(caseId, documentId)).map((e) => ({ ...e, documentId }));
	}

	async #apply(event: ChangeEvent): Promise<void> {
		const warm = this.#cases.get(event.caseId);
		switch (event.type) {
			case 'caseDeleted':
				this.#cases.delete(event.caseId);
				return;
			case 'chunksStored':
			case 'chunksRemoved': {
				if (!warm) return;
				const rows = await this.#db.chunks.where('documentId').equals(event.documentId).toArray();
				const events = this.#eventsOf(
					event.caseId,
					event.documentId,
					rows.filter((r) => r.caseId === event.caseId)
				);
				if (events.length > 0) warm.set(event.documentId, events);
				else warm.delete(event.documentId);
				return;
			}
			case 'documentRemoved':
				warm?.delete(event.documentId);
				return;
			case 'caseChanged':
			case 'documentAdded':
			case 'documentChanged':
			case 'vectorsStored':
			case 'vectorsRemoved':
				return;
		}
	}
}

/** Keeps the timelines true to the feed; returns the unsubscribe. */
export function subscribeTimelines(timelines: CaseTimelines, feed: ChangeFeed): () => void {
	return feed.subscribe((event) => void timelines.enqueue(event).catch(() => undefined));
}
