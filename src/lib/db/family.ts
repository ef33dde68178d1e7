/**
 * Repository functions for a document's family: the files that came out of it (a message's attachments,
 * a mailbox's messages) become documents of their own, and messages join threads. Children are
 * content-addressed like every original: an attachment twenty messages carry is stored, extracted and
 * indexed once, and each message lists it by that one document's id.
 */
import type { DocketDatabase } from './database.ts';
import { createDocument } from './documents.ts';
import { storeOriginal, type FileStore } from './file-store.ts';
import type { DocumentRow } from './schema.ts';
import { saveDocument } from './documents.ts';
import type { Writes } from './writes.ts';
import { StorageFullError } from '../errors.ts';
import { FAMILY_LIMITS, type ChildFile, type MessageMeta } from '../ingest/email/types.ts';
import type { FamilyExtraction } from '../ingest/types.ts';

/** How many parents up a document sits (0: dropped by a person), counting at most `limit` steps. */
export async function familyDepth(db: DocketDatabase, document: DocumentRow, limit = 64): Promise<number> {
	let depth = 0;
	let parentId = document.parentId;
	const seen = new Set([document.id]);
	while (parentId && depth < limit && !seen.has(parentId)) {
		seen.add(parentId);
		depth++;
		parentId = (await db.documents.get(parentId))?.parentId;
	}
	return depth;
}

/** Children whose bytes are stored and which may become documents; the reason for any that may not. */
export interface PreparedFamily {
	stored: ChildFile[];
	skipped: Map<string, string>;
}

/**
 * Stores the children's original bytes (before the transaction that creates their documents: the file
 * store is not IndexedDB, and an original must exist before any row names it). A document already at
 * the depth limit keeps its children inside its own original, each listed with the reason.
 */
export async function storeChildren(
	db: DocketDatabase,
	files: FileStore,
	parent: DocumentRow,
	family: FamilyExtraction | undefined
): Promise<PreparedFamily> {
	const prepared: PreparedFamily = { stored: [], skipped: new Map() };
	const children = family?.children ?? [];
	if (children.length === 0) return prepared;
	const depth = await familyDepth(db, parent);
	for (const child of children) {
		if (depth + 1 > FAMILY_LIMITS.maxDepth) {
			prepared.skipped.set(
				child.sha256,
				`Not opened: it is nested more than ${FAMILY_LIMITS.maxDepth} levels deep in other messages. Its bytes stay inside this message's original file.`
			);
			continue;
		}
		const blob = new Blob([child.bytes as Uint8Array<ArrayBuffer>], { type: child.mimeType });
		await storeShared(db, files, blob, child.mimeType);
		prepared.stored.push(child);
	}
	return prepared;
}

/**
 * `storeOriginal` for bytes another worker may be storing at the same moment (one attachment on two
 * messages extracted at once): OPFS locks the file being written, so the second writer waits and tries
 * again, and finds it stored.
 */
async function storeShared(db: DocketDatabase, files: FileStore, blob: Blob, mimeType: string): Promise<void> {
	for (let attempt = 0; ; attempt++) {
		try {
			await storeOriginal(db, files, blob, mimeType);
			return;
		} catch (error) {
			if (attempt >= 8 || error instanceof StorageFullError) throw error;
			await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** Math.min(attempt, 5)));
		}
	}
}

/** The thread a message joins: that of a message it answers or cites, else its own key. */
async function threadOf(db: DocketDatabase, caseId: string, meta: MessageMeta): Promise<string> {
	const linked = [meta.inReplyTo, ...[...meta.references].reverse()].filter((id): id is string => !!id);
	for (const id of linked) {
		const found = await db.documents
			.where('email.messageId')
			.equals(id)
			.filter((d) => d.caseId === caseId && d.threadId !== undefined)
			.first();
		if (found?.threadId) return found.threadId;
	}
	return meta.threadKey;
}

/**
 * Inside the store transaction: creates (or finds) each stored child's document under `next`, fills in
 * the message's attachment list with their ids and reasons, and sets its thread, moving into it the
 * messages that had taken this one for their thread's start. Returns how many documents were created.
 */
export async function linkFamily(
	w: Writes,
	next: DocumentRow,
	family: FamilyExtraction | undefined,
	prepared: PreparedFamily
): Promise<number> {
	const { db } = w;
	let created = 0;
	const ids = new Map<string, string>();
	for (const child of prepared.stored) {
		if (ids.has(child.sha256)) continue;
		const added = await createDocument(db, {
			caseId: next.caseId,
			name: child.name,
			sha256: child.sha256,
			size: child.bytes.byteLength,
			mimeType: child.mimeType,
			parentId: next.id
		});
		if (added.document) created++;
		ids.set(child.sha256, (added.document ?? added.duplicate).id);
	}
	if (family?.messages !== undefined) next.mailbox = { messages: family.messages };
	const meta = family?.message;
	if (!meta) return created;
	next.email = {
		...meta,
		attachments: meta.attachments.map((a) => {
			const documentId = ids.get(a.sha256);
			const skipped = a.skipped ?? prepared.skipped.get(a.sha256);
			return { ...a, ...(documentId ? { documentId } : {}), ...(skipped && !documentId ? { skipped } : {}) };
		})
	};
	next.threadId = await threadOf(db, next.caseId, meta);
	if (meta.messageId) {
		const own = `id:${meta.messageId}`;
		if (own !== next.threadId) {
			const followers = await db.documents.where('[caseId+threadId]').equals([next.caseId, own]).toArray();
			for (const f of followers) if (f.id !== next.id) await saveDocument(db, { ...f, threadId: next.threadId }, f.rev);
		}
	}
	return created;
}
