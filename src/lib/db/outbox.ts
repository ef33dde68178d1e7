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

/**
 * Queues many changes in one IndexedDB call: an ingested document writes one entry per chunk, and one
 * `add` each costs the main thread a long task on large files.
 */
export async function recordChanges(db: DocketDatabase, changes: readonly Change[]): Promise<void> {
	if (changes.length === 0) return;
	const createdAt = Date.now();
	await db.outbox.bulkAdd(changes.map((change) => ({ ...change, mutationId: crypto.randomUUID(), createdAt })));
}
