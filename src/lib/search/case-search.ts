import type { DocketDatabase } from '../db/database.ts';
import type { CaseTextStore } from './full-text-store.ts';
import type { SearchBackend, SearchOptions, SearchResponse } from './hybrid.ts';
import { searchWithOperators, type MetadataFilter } from './operators.ts';
import type { CaseVectorStore } from './vector-store.ts';

/** Search over one case as stored in Dexie: the persisted full-text index, the warm vector index, the chunk rows. */
export async function searchStoredCase(
	db: DocketDatabase,
	stores: { text: CaseTextStore; vectors: CaseVectorStore },
	caseId: string,
	query: string,
	options: SearchOptions & { filter?: MetadataFilter } = {}
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
	// Operators (from:, before:, has:attachment …) and the Search tab's filters narrow by message metadata.
	const messages = async () =>
		(await db.documents.where('caseId').equals(caseId).toArray()).map((d) => ({
			id: d.id,
			...(d.email ? { email: d.email } : {})
		}));
	const header = async (documentId: string) => {
		const first = await db.chunks.where('[documentId+ordinal]').equals([documentId, 0]).first();
		return first?.block === 'headers' ? first : undefined;
	};
	return searchWithOperators(backend, query, options, messages, header);
}
