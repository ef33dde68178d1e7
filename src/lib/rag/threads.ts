import type { DocketDatabase } from '../db/database.ts';
import { write } from '../db/writes.ts';
import type { MessageRow, ThreadRow } from '../db/schema.ts';

/** Chat threads and messages of a case. Both sync, so each write queues its outbox entry in the same transaction. */
export async function createThread(
	db: DocketDatabase,
	caseId: string,
	title: string,
	now = Date.now()
): Promise<ThreadRow> {
	const thread: ThreadRow = {
		id: crypto.randomUUID(),
		caseId,
		title: title.trim().slice(0, 80) || 'New thread',
		createdAt: now,
		updatedAt: now,
		rev: 0
	};
	await write(db, [db.threads], async (w) => {
		await db.threads.add(thread);
		await w.record([{ table: 'threads', rowId: thread.id, caseId, op: 'put', baseRev: 0, fields: { ...thread } }]);
	});
	return thread;
}

export async function addMessage(
	db: DocketDatabase,
	message: Omit<MessageRow, 'id' | 'createdAt' | 'rev'>,
	now = Date.now()
): Promise<MessageRow> {
	const row: MessageRow = { ...message, id: crypto.randomUUID(), createdAt: now, rev: 0 };
	await write(db, [db.messages, db.threads], async (w) => {
		await db.messages.add(row);
		// The thread's order in the list is this device's; only the message syncs.
		await db.threads.update(row.threadId, { updatedAt: now });
		await w.record([
			{ table: 'messages', rowId: row.id, caseId: row.caseId, op: 'put', baseRev: 0, fields: { ...row } }
		]);
	});
	return row;
}

/** A thread's messages, oldest first. */
export function threadMessages(db: DocketDatabase, threadId: string): Promise<MessageRow[]> {
	return db.messages.where('[threadId+createdAt]').between([threadId, -Infinity], [threadId, Infinity]).toArray();
}

/** A case's threads, most recently active first. */
export async function caseThreads(db: DocketDatabase, caseId: string): Promise<ThreadRow[]> {
	return (await db.threads.where('caseId').equals(caseId).sortBy('updatedAt')).reverse();
}
