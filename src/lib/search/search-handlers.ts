import type { DocketDatabase } from '../db/database.ts';
import { DocketError } from '../errors.ts';
import type { ShaderSource } from '../gpu/shaders.ts';
import { searchStoredCase } from './case-search.ts';
import { CaseTextStore } from './full-text-store.ts';
import { registerIndexes, SearchIndexes } from './index-feed.ts';
import type { SearchHandlers } from './protocol.ts';
import type { Embedder } from './types.ts';
import { CaseVectorStore } from './vector-store.ts';

/** An "embedder" that returns a vector the AI worker already made for this query. */
function fixedEmbedder(modelId: string, values: Float32Array): Embedder {
	return { modelId, dim: values.length, embed: (texts) => Promise.resolve(texts.map(() => values)) };
}

/**
 * The search worker's handlers, over one database; tests run them without a worker. The indexes learn of
 * changes from the change feed (`subscribeIndexes(handlers, changeFeed(db))` in the worker), never from
 * the page. Searches wait for the feed events heard so far, so a search right after a change sees it.
 */
export function createSearchHandlers(db: DocketDatabase, gpu?: { gpu: GPU; shaders: ShaderSource }): SearchHandlers {
	const indexes = new SearchIndexes(db, new CaseTextStore(db), new CaseVectorStore(db, gpu ? { gpu } : {}));
	const { text, vectors } = indexes;
	// The notices below predate the feed and are sent by nothing in the app; the worker-transport rewrite
	// drops them from the map. Until then they apply the same events the feed delivers.
	const handlers: SearchHandlers = {
		async search({ caseId, query, k, mode, documentIds, vector }) {
			await indexes.settled();
			return searchStoredCase(db, { text, vectors }, caseId, query, {
				k,
				mode,
				...(documentIds ? { documentIds } : {}),
				...(vector ? { embedder: fixedEmbedder(vector.modelId, vector.values) } : {})
			});
		},
		async documentIndexed({ caseId, documentId }) {
			// A notice about a cold case warms it: the caller expects the next search to be quick.
			await text.get(caseId);
			await indexes.apply({ type: 'chunksStored', caseId, documentId, chunkIds: [] });
			return null;
		},
		async documentRemoved({ caseId, documentId }) {
			const chunks = await db.chunks.where('documentId').equals(documentId).toArray();
			await indexes.apply({ type: 'chunksRemoved', caseId, documentId, chunks });
			return null;
		},
		async vectorsStored({ caseId, modelId, chunkIds }) {
			const rows = await db.vectors.bulkGet(chunkIds.map((id) => `${id}:${modelId}`));
			if (rows.some((r) => r !== undefined && r.caseId !== caseId))
				throw new DocketError('invalid-input', 'Those vectors belong to another case.');
			await indexes.apply({ type: 'vectorsStored', caseId, documentId: '', modelId, chunkIds });
			return null;
		},
		async forgetCase({ caseId }) {
			await indexes.apply({ type: 'caseDeleted', caseId });
			return null;
		}
	};
	registerIndexes(handlers, indexes);
	return handlers;
}
