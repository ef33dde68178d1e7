import type { DocketDatabase } from '../db/database.ts';
import type { ShaderSource } from '../gpu/shaders.ts';
import { searchStoredCase } from './case-search.ts';
import { CaseTextStore } from './full-text-store.ts';
import type { Handlers } from '../worker/transport.ts';
import type { SearchCalls } from './protocol.ts';
import type { Embedder } from './types.ts';
import { CaseVectorStore } from './vector-store.ts';

/** An "embedder" that returns a vector the AI worker already made for this query. */
function fixedEmbedder(modelId: string, values: Float32Array): Embedder {
	return { modelId, dim: values.length, embed: (texts) => Promise.resolve(texts.map(() => values)) };
}

/** The search worker's handlers, over one database; tests run them without a worker. */
export function createSearchHandlers(
	db: DocketDatabase,
	gpu?: { gpu: GPU; shaders: ShaderSource }
): Handlers<SearchCalls> {
	const text = new CaseTextStore(db);
	const vectors = new CaseVectorStore(db, gpu ? { gpu } : {});
	return {
		async search({ caseId, query, k, mode, documentIds, vector }) {
			return searchStoredCase(db, { text, vectors }, caseId, query, {
				k,
				mode,
				...(documentIds ? { documentIds } : {}),
				...(vector ? { embedder: fixedEmbedder(vector.modelId, vector.values) } : {})
			});
		},
		async documentIndexed({ caseId, documentId }) {
			const chunks = await db.chunks.where('documentId').equals(documentId).toArray();
			await text.addDocument(caseId, documentId, chunks);
			return null;
		},
		async forgetCase({ caseId }) {
			text.evict(caseId);
			await vectors.invalidate(caseId);
			return null;
		}
	};
}
