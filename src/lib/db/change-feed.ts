/**
 * The change feed: every committed write to a case's documents, text and vectors, as typed domain events.
 * Repository functions (`writes.ts`) publish them after their transaction commits; they reach listeners in
 * the same context at once and every other tab and worker through a BroadcastChannel. Derived state (the
 * search worker's indexes) listens here and nowhere else, so no writer has to know who must hear of it.
 */

/** A chunk as it was when removed: the full-text index needs its text to take its words out again. */
export interface RemovedChunk {
	id: string;
	documentId: string;
	page: number;
	start: number;
	end: number;
	text: string;
}

export type ChangeEvent =
	| { type: 'caseChanged'; caseId: string }
	| { type: 'caseDeleted'; caseId: string }
	| { type: 'documentAdded'; caseId: string; documentId: string }
	| { type: 'documentChanged'; caseId: string; documentId: string }
	| { type: 'documentRemoved'; caseId: string; documentId: string }
	/** These chunks now exist (new, or replacing chunks removed in the same transaction). */
	| { type: 'chunksStored'; caseId: string; documentId: string; chunkIds: string[] }
	| { type: 'chunksRemoved'; caseId: string; documentId: string; chunks: RemovedChunk[] }
	| { type: 'vectorsStored'; caseId: string; documentId: string; modelId: string; chunkIds: string[] }
	/** Some of the document's vectors are gone (another model's, or with their chunks). */
	| { type: 'vectorsRemoved'; caseId: string; documentId: string };

export type ChangeEventType = ChangeEvent['type'];
export type Listener = (event: ChangeEvent) => void;

export interface ChangeFeed {
	/** Delivers events here at once and to every other context of the same database. */
	publish(events: readonly ChangeEvent[]): void;
	/** Listens to events from this context and every other one; returns the unsubscribe. */
	subscribe(listener: Listener): () => void;
}

/** What a feed needs of a BroadcastChannel; tests pass an in-process stand-in. */
export interface Channel {
	postMessage(message: unknown): void;
	addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
	close(): void;
}

const EVENT_TYPES: ReadonlySet<string> = new Set<ChangeEventType>([
	'caseChanged',
	'caseDeleted',
	'documentAdded',
	'documentChanged',
	'documentRemoved',
	'chunksStored',
	'chunksRemoved',
	'vectorsStored',
	'vectorsRemoved'
]);

/** Messages from another context are checked before they are believed: a channel is shared by the origin. */
export function isChangeEvent(value: unknown): value is ChangeEvent {
	if (typeof value !== 'object' || value === null) return false;
	if (!('type' in value) || typeof value.type !== 'string' || !EVENT_TYPES.has(value.type)) return false;
	if (!('caseId' in value) || typeof value.caseId !== 'string') return false;
	if (value.type === 'caseChanged' || value.type === 'caseDeleted') return true;
	if (!('documentId' in value) || typeof value.documentId !== 'string') return false;
	if (value.type === 'chunksStored' || value.type === 'vectorsStored') {
		if (!('chunkIds' in value) || !Array.isArray(value.chunkIds)) return false;
		if (!value.chunkIds.every((id: unknown) => typeof id === 'string')) return false;
		if (value.type === 'vectorsStored') return 'modelId' in value && typeof value.modelId === 'string';
	}
	if (value.type === 'chunksRemoved') {
		if (!('chunks' in value) || !Array.isArray(value.chunks)) return false;
		return value.chunks.every(
			(c: unknown) =>
				typeof c === 'object' &&
				c !== null &&
				'id' in c &&
				typeof c.id === 'string' &&
				'text' in c &&
				typeof c.text === 'string' &&
				'page' in c &&
				typeof c.page === 'number'
		);
	}
	return true;
}

class Feed implements ChangeFeed {
	readonly #listeners = new Set<Listener>();
	readonly #channel: Channel | undefined;

	constructor(channel: Channel | undefined) {
		this.#channel = channel;
		channel?.addEventListener('message', (event: MessageEvent) => {
			const data: unknown = event.data;
			if (!Array.isArray(data)) return;
			this.#deliver(data.filter(isChangeEvent));
		});
	}

	publish(events: readonly ChangeEvent[]): void {
		if (events.length === 0) return;
		// A BroadcastChannel never delivers to itself: this context's listeners hear it directly.
		this.#channel?.postMessage(events);
		this.#deliver(events);
	}

	subscribe(listener: Listener): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	#deliver(events: readonly ChangeEvent[]): void {
		for (const event of events)
			for (const listener of [...this.#listeners]) {
				try {
					listener(event);
				} catch (error) {
					// One failing listener must not keep the others from hearing of the change.
					console.warn('a change-feed listener failed', error);
				}
			}
	}
}

/** A feed over a given channel (or none: in-process only). */
export function createChangeFeed(channel?: Channel): ChangeFeed {
	return new Feed(channel);
}

export const CHANNEL_PREFIX = 'docket-changes';

const feeds = new Map<string, ChangeFeed>();

/** Whether this context is a browser page or worker (Node has a BroadcastChannel too, but tests run in-process). */
function inBrowser(): boolean {
	return (
		typeof BroadcastChannel === 'function' && (typeof document !== 'undefined' || 'WorkerGlobalScope' in globalThis)
	);
}

/**
 * The one feed of a database in this context: a BroadcastChannel named `docket-changes:<database>` in a
 * browser (tabs and workers), in-process in Node, where every connection lives in one context anyway.
 */
export function changeFeed(db: { name: string }): ChangeFeed {
	let feed = feeds.get(db.name);
	if (!feed) {
		feed = createChangeFeed(inBrowser() ? new BroadcastChannel(`${CHANNEL_PREFIX}:${db.name}`) : undefined);
		feeds.set(db.name, feed);
	}
	return feed;
}
