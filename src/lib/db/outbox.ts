import type { OutboxRow, Rev, SyncedTable } from './schema.ts';

/**
 * A local change waiting for the server. Only the repository functions queue them (`Writes.record` in
 * `writes.ts`), inside the transaction that makes the change, so a change and its entry commit together.
 */
export interface Change {
	table: SyncedTable;
	rowId: string;
	caseId: string;
	op: OutboxRow['op'];
	baseRev: Rev;
	fields: Record<string, unknown>;
}
