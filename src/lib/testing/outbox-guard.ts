import type { Transaction } from 'dexie';
import type { DocketDatabase } from '../db/database.ts';
import { writesOf } from '../db/writes.ts';
import { SYNCED_TABLES } from '../sync/protocol.ts';

/** Tables whose every write must go through the repository functions of `src/lib/db/`: every synced one, and what derives from them. */
export const GUARDED_TABLES = [...SYNCED_TABLES, 'pages', 'vectors'] as const;

/**
 * Flags every write to a guarded table made outside a repository transaction (`write`), which is where
 * outbox entries are recorded and change events published. Returns the list it fills, e.g.
 * `['chunks creating']`; a test asserts it stays empty.
 */
export function guardRepositoryWrites(db: DocketDatabase): string[] {
	const violations: string[] = [];
	for (const name of GUARDED_TABLES) {
		const table = db.table(name);
		const check = (op: string, transaction: Transaction) => {
			if (!writesOf(transaction)) violations.push(`${name} ${op}`);
		};
		table.hook('creating', (_key, _row, transaction) => {
			check('creating', transaction);
		});
		table.hook('updating', (_changes, _key, _row, transaction) => {
			check('updating', transaction);
		});
		table.hook('deleting', (_key, _row, transaction) => {
			check('deleting', transaction);
		});
	}
	return violations;
}
