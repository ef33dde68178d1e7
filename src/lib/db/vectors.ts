/**
 * Repository functions for chunk vectors. Vectors are this device's (a chunk's vector travels with the
 * chunk's outbox entry, read at push time), so they queue nothing; they emit what the vector indexes need.
 */
import type { DocketDatabase } from './database.ts';
import type { VectorRow } from './schema.ts';
import { write } from './writes.ts';

function byDocumentAndModel(rows: readonly VectorRow[]): Map<string, VectorRow[]> {
	const groups = new Map<string, VectorRow[]>();
	for (const row of rows) {
		const key = `${row.caseId}\u0000${row.documentId}\u0000${row.modelId}`;
		const group = groups.get(key);
		if (group) group.push(row);
		else groups.set(key, [row]);
	}
	return groups;
}

/** Stores vectors (replacing any with the same id). */
export async function storeVectors(db: DocketDatabase, rows: readonly VectorRow[]): Promise<void> {
	if (rows.length === 0) return;
	await write(db, [db.vectors], async (w) => {
		await db.vectors.bulkPut([...rows]);
		for (const group of byDocumentAndModel(rows).values()) {
			const { caseId, documentId, modelId } = group[0]!;
			w.emit({ type: 'vectorsStored', caseId, documentId, modelId, chunkIds: group.map((r) => r.chunkId) });
		}
	});
}

/** Deletes a document's vectors that `stale` picks (another model's, say); resolves how many went. */
export async function deleteDocumentVectors(
	db: DocketDatabase,
	document: { caseId: string; documentId: string },
	stale: (row: VectorRow) => boolean
): Promise<number> {
	return write(db, [db.vectors], async (w) => {
		const ids = await db.vectors.where('documentId').equals(document.documentId).filter(stale).primaryKeys();
		if (ids.length === 0) return 0;
		await db.vectors.bulkDelete(ids);
		w.emit({ type: 'vectorsRemoved', ...document });
		return ids.length;
	});
}
