import type { DocketDatabase } from './database.ts';
import type { OutboxRow, Rev, SyncedTable } from './schema.ts';

export interface Change {
	table: SyncedTable;
	rowId: string;
	caseId: string;
	op: OutboxRow['op'];
	baseRev: Rev;
	fields: Record<string, unknown>;
}

/**
 * Queues a local change for the server. Call it inside the transaction that makes the change (with
 * `db.outbox` in its scope), so a change and its outbox entry are written together or not at all.
 */
export async function recordChange(db: DocketDatabase, change: Change): Promise<void> {
	await db.outbox.add({ ...change, mutationId: crypto.randomUUID(), createdAt: Date.now() });
}
