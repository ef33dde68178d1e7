import type { DocketDatabase } from '../db/database.ts';
import type { CaseTextStore } from './full-text-store.ts';
import { searchCase, type SearchBackend, type SearchOptions, type SearchResponse } from './hybrid.ts';
import type { CaseVectorStore } from './vector-store.ts';

/** Search over one case as stored in Dexie: the persisted full-text index, the warm vector index, the chunk rows. */
export async function searchStoredCase(
	db: DocketDatabase,
	stores: { text: CaseTextStore; vectors: CaseVectorStore },
	caseId: string,
	query: string,
	options: SearchOptions = {}
): Promise<SearchResponse> {
	const modelId = options.embedder?.modelId;
	const backend: SearchBackend = {
		text: await stores.text.get(caseId),
		chunks: async (ids) => {
			const rows = await db.chunks.bulkGet([...ids]);
			return rows.map((row) => (row && row.caseId === caseId ? row : undefined));
		}
	};
	if (modelId !== undefined) backend.vectors = (vector, k) => stores.vectors.search(caseId, modelId, vector, k);
	return searchCase(backend, query, options);
}
