import type { DocketDatabase } from '../db/database.ts';
import { DocketError } from '../errors.ts';
import type { ShaderSource } from '../gpu/shaders.ts';
import { searchStoredCase } from './case-search.ts';
import { CaseTextStore } from './full-text-store.ts';
import type { SearchHandlers } from './protocol.ts';
import type { Embedder } from './types.ts';
import { CaseVectorStore } from './vector-store.ts';

/** An "embedder" that returns a vector the AI worker already made for this query. */
function fixedEmbedder(modelId: string, values: Float32Array): Embedder {
	return { modelId, dim: values.length, embed: (texts) => Promise.resolve(texts.map(() => values)) };
}

/** The search worker's handlers, over one database; tests run them without a worker. */
export function createSearchHandlers(db: DocketDatabase, gpu?: { gpu: GPU; shaders: ShaderSource }): SearchHandlers {
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
		async documentRemoved({ caseId, documentId }) {
			const chunks = await db.chunks.where('documentId').equals(documentId).toArray();
			await text.removeDocument(caseId, documentId, chunks);
			await vectors.invalidate(caseId);
			return null;
		},
		async vectorsStored({ caseId, modelId, chunkIds }) {
			const rows = await db.vectors.bulkGet(chunkIds.map((id) => `${id}:${modelId}`));
			const present = rows.filter((r) => r !== undefined);
			if (present.some((r) => r.caseId !== caseId))
				throw new DocketError('invalid-input', 'Those vectors belong to another case.');
			await vectors.added(present);
			return null;
		},
		async forgetCase({ caseId }) {
			text.evict(caseId);
			await vectors.invalidate(caseId);
			return null;
		}
	};
}
