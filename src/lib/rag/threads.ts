import type { DocketDatabase } from '../db/database.ts';
import { recordChange } from '../db/outbox.ts';
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
	await db.transaction('rw', [db.threads, db.outbox], async () => {
		await db.threads.add(thread);
		await recordChange(db, {
			table: 'threads',
			rowId: thread.id,
			caseId,
			op: 'put',
			baseRev: 0,
			fields: { ...thread }
		});
	});
	return thread;
}

export async function addMessage(
	db: DocketDatabase,
	message: Omit<MessageRow, 'id' | 'createdAt' | 'rev'>,
	now = Date.now()
): Promise<MessageRow> {
	const row: MessageRow = { ...message, id: crypto.randomUUID(), createdAt: now, rev: 0 };
	await db.transaction('rw', [db.messages, db.threads, db.outbox], async () => {
		await db.messages.add(row);
		await db.threads.update(row.threadId, { updatedAt: now });
		await recordChange(db, {
			table: 'messages',
			rowId: row.id,
			caseId: row.caseId,
			op: 'put',
			baseRev: 0,
			fields: { ...row }
		});
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
