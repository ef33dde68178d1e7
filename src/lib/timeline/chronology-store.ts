/**
 * The case chronology and near-duplicate signatures as stored rows, kept true to the change feed. For each
 * document the worker derives its dated events (`events`) and the MinHash signature of its text
 * (`digests`) from its chunks, and stamps the digest with the chunks and the date order it read them
 * with: a feed event recomputes one document, and `refreshCase` catches up with whatever happened while no
 * worker was listening (a closed tab, a teammate's pull, a changed order) by comparing stamps, so only
 * documents whose chunks changed are read again. People's edits live in `eventEdits`, keyed by event id,
 * and are never touched here: an event keeps its id across rebuilds (document, page, range), so its edits
 * apply again.
 */
import type { ChangeEvent, ChangeFeed } from '../db/change-feed.ts';
import type { DocketDatabase } from '../db/database.ts';
import type { ChunkRow, DocumentDigestRow, EventRow } from '../db/schema.ts';
import { minhashSignature } from '../duplicates/minhash.ts';
import { pageNameFields } from '../ingest/page-label.ts';
import { eventsOfDocument } from './dates.ts';
import { documentDateOf } from './document-date.ts';
import type { MessageMeta } from '../ingest/email/types.ts';

export type DateOrder = 'dmy' | 'mdy';
export const DATE_ORDER_KEY = 'timeline.dateOrder';

/** Month first only where that is the custom (the United States and a few others); day first elsewhere. */
export function defaultDateOrder(language: string | undefined): DateOrder {
	return /^en-(?:US|PH|CA|FM|MH|PW|UM|AS|GU|MP|PR|VI)\b/iu.test(language ?? '') ? 'mdy' : 'dmy';
}

function isDateOrder(value: unknown): value is DateOrder {
	return value === 'dmy' || value === 'mdy';
}

/** The order set in Settings, or the language's custom. */
export async function readDateOrder(db: DocketDatabase, language?: string): Promise<DateOrder> {
	const found = (await db.settings.get(DATE_ORDER_KEY))?.value;
	return isDateOrder(found) ? found : defaultDateOrder(language);
}

export async function saveDateOrder(db: DocketDatabase, order: DateOrder): Promise<void> {
	await db.settings.put({ key: DATE_ORDER_KEY, value: order });
}

async function sha256Hex(text: string): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
	return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * An event's id: a UUID (version 8, "custom") made from where it is, so the same event found again, on
 * this device or a teammate's, has the same id, and the sync server takes its edits (ids must be UUIDs).
 */
export async function eventId(documentId: string, page: number, start: number, end: number): Promise<string> {
	const hex = await sha256Hex(`${documentId}:${page}:${start}:${end}`);
	const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The text a document's signature is made of: its chunks in order (overlaps repeat shingles, which sets ignore). */
function textOf(chunks: readonly ChunkRow[]): string {
	return chunks.map((c) => c.text).join('\n');
}

export interface RefreshSummary {
	documents: number;
	/** Documents whose events and signature were derived again. */
	derived: number;
}

/**
 * What the derivation reads out of text, as a version in every digest's stamp: when it changes (people
 * told apart from organisations, say), each document's events are derived again on the next catch-up.
 */
const DERIVATION = 'events-2';

export class ChronologyStore {
	readonly #db: DocketDatabase;
	readonly #language: string | undefined;
	#queue: Promise<unknown> = Promise.resolve();
	/** Documents whose derivation is queued and not started: a later feed event about them joins it. */
	readonly #pending = new Map<string, Promise<void>>();

	constructor(db: DocketDatabase, options: { language?: string } = {}) {
		this.#db = db;
		this.#language = options.language;
	}

	/** Work runs one task at a time, in the order it came: a feed event never overtakes an earlier one. */
	#run<T>(task: () => Promise<T>): Promise<T> {
		const run = this.#queue.then(task);
		this.#queue = run.catch((error: unknown) => console.warn('the chronology could not apply a change', error));
		return run;
	}

	/** Resolves once every task queued so far is done. */
	async settled(): Promise<void> {
		await this.#queue.catch(() => undefined);
	}

	/** Derives again every document of the case whose chunks or date order changed since it was last derived. */
	refreshCase(caseId: string): Promise<RefreshSummary> {
		return this.#run(async () => {
			const order = await readDateOrder(this.#db, this.#language);
			const documents = await this.#db.documents.where('caseId').equals(caseId).toArray();
			const digests = new Map(
				(await this.#db.digests.where('caseId').equals(caseId).toArray()).map((d) => [d.documentId, d])
			);
			let derived = 0;
			for (const doc of documents) {
				const chunkIds = await this.#chunkIds(doc.id);
				const stamp = await this.#stamp(order, chunkIds);
				if (digests.get(doc.id)?.stamp === stamp) continue;
				await this.#derive(caseId, doc.id, order, stamp);
				derived++;
			}
			// Digests and events of documents that are gone (removed while no worker listened).
			const live = new Set(documents.map((d) => d.id));
			const stale = [...digests.keys()].filter((id) => !live.has(id));
			if (stale.length > 0)
				await this.#db.transaction('rw', this.#db.events, this.#db.digests, async () => {
					await this.#db.events.where('documentId').anyOf(stale).delete();
					await this.#db.digests.bulkDelete(stale);
				});
			return { documents: documents.length, derived };
		});
	}

	/** Applies a feed event: a document's chunks changed or it went, or the whole case went. */
	enqueue(event: ChangeEvent): Promise<void> {
		if (event.type === 'chunksStored' || event.type === 'chunksRemoved') {
			// A large document pulled from a teammate arrives a page of chunks at a time: while its derivation
			// waits in the queue, later pages join it (it reads the chunks when it starts), instead of
			// deriving the document again for every page.
			const waiting = this.#pending.get(event.documentId);
			if (waiting) return waiting;
			const run = this.#run(async () => {
				this.#pending.delete(event.documentId);
				const order = await readDateOrder(this.#db, this.#language);
				const chunkIds = await this.#chunkIds(event.documentId);
				await this.#derive(event.caseId, event.documentId, order, await this.#stamp(order, chunkIds));
			});
			this.#pending.set(event.documentId, run);
			return run;
		}
		return this.#run(async () => {
			switch (event.type) {
				case 'documentRemoved':
					await this.#forget([event.documentId]);
					return;
				case 'caseDeleted':
					// The case's rows went with it (CASE_SCOPED_TABLES); nothing is left to drop.
					return;
				case 'caseChanged':
				case 'documentAdded':
				case 'documentChanged':
				case 'vectorsStored':
				case 'vectorsRemoved':
					return;
			}
		});
	}

	async #chunkIds(documentId: string): Promise<string[]> {
		return this.#db.chunks
			.where('[documentId+ordinal]')
			.between([documentId, -Infinity], [documentId, Infinity])
			.primaryKeys();
	}

	#stamp(order: DateOrder, chunkIds: readonly string[]): Promise<string> {
		return sha256Hex(`${DERIVATION}|${order}|${chunkIds.join(',')}`);
	}

	async #forget(documentIds: string[]): Promise<void> {
		await this.#db.transaction('rw', this.#db.events, this.#db.digests, async () => {
			await this.#db.events.where('documentId').anyOf(documentIds).delete();
			await this.#db.digests.bulkDelete(documentIds);
		});
	}

	async #derive(caseId: string, documentId: string, order: DateOrder, stamp: string): Promise<void> {
		const db = this.#db;
		const chunks = (
			await db.chunks.where('[documentId+ordinal]').between([documentId, -Infinity], [documentId, Infinity]).toArray()
		).filter((c) => c.caseId === caseId);
		const document = await db.documents.get(documentId);
		if (!document || document.caseId !== caseId) {
			await this.#forget([documentId]);
			return;
		}
		const labels = new Map(chunks.map((c) => [c.page, pageNameFields(c)]));
		// A message's own Date header dates it better than any line of its text, and its sender and
		// recipients are people of each event it states.
		const message = document.email;
		const documentDate =
			message?.date !== undefined ? new Date(message.date).toISOString().slice(0, 10) : documentDateOf(chunks, order);
		const participants = message ? messagePeople(message) : [];
		const found = eventsOfDocument(chunks, { order, ...(documentDate ? { documentDate } : {}) }).map((e) =>
			participants.length === 0 ? e : { ...e, people: [...new Set([...e.people, ...participants])] }
		);
		const events: EventRow[] = await Promise.all(
			found.map(async (e) => ({
				id: await eventId(documentId, e.page, e.start, e.end),
				caseId,
				documentId,
				page: e.page,
				...labels.get(e.page),
				date: e.date,
				...(e.endDate ? { endDate: e.endDate } : {}),
				precision: e.precision,
				sentence: e.sentence,
				people: e.people,
				organisations: e.organisations,
				inferred: e.inferred,
				approximate: e.approximate,
				phrase: e.phrase,
				start: e.start,
				end: e.end
			}))
		);
		const signature = minhashSignature(textOf(chunks));
		const digest: DocumentDigestRow = {
			documentId,
			caseId,
			stamp,
			...(signature ? { signature } : {}),
			events: events.length,
			updatedAt: Date.now()
		};
		await db.transaction('rw', db.events, db.digests, db.documents, async () => {
			// The document may have gone between the read and this write: then nothing of it is kept.
			if (!(await db.documents.get(documentId))) return;
			await db.events.where('documentId').equals(documentId).delete();
			await db.events.bulkPut(events);
			await db.digests.put(digest);
		});
	}
}

/** Keeps the stored chronology true to the feed; returns the unsubscribe. */
export function subscribeChronology(store: ChronologyStore, feed: ChangeFeed): () => void {
	return feed.subscribe((event) => void store.enqueue(event).catch(() => undefined));
}

/** A message's sender and recipients as people: the display name, normalised as in text, else the address. */
export function messagePeople(message: Pick<MessageMeta, 'from' | 'to' | 'cc'>): string[] {
	const out: string[] = [];
	for (const a of [...(message.from ? [message.from] : []), ...message.to, ...message.cc]) {
		const name = (a.name ?? '').normalize('NFKC').replace(/\s+/gu, ' ').trim() || a.address;
		if (name && !out.includes(name)) out.push(name);
	}
	return out;
}
