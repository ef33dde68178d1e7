import type { DocketDatabase } from '../db/database.ts';
import type { ShaderSource } from '../gpu/shaders.ts';
import type { Handlers } from '../worker/transport.ts';
import { searchStoredCase } from './case-search.ts';
import { CaseTextStore } from './full-text-store.ts';
import { registerIndexes, SearchIndexes } from './index-feed.ts';
import type { SearchCalls } from './protocol.ts';
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
export function createSearchHandlers(
	db: DocketDatabase,
	gpu?: { gpu: GPU; shaders: ShaderSource }
): Handlers<SearchCalls> {
	const indexes = new SearchIndexes(db, new CaseTextStore(db), new CaseVectorStore(db, gpu ? { gpu } : {}));
	const { text, vectors } = indexes;
	const handlers: Handlers<SearchCalls> = {
		async search({ caseId, query, k, mode, documentIds, vector, filter }) {
			await indexes.settled();
			return searchStoredCase(db, { text, vectors }, caseId, query, {
				k,
				mode,
				...(documentIds ? { documentIds } : {}),
				...(filter ? { filter } : {}),
				...(vector ? { embedder: fixedEmbedder(vector.modelId, vector.values) } : {})
			});
		}
	};
	registerIndexes(handlers, indexes);
	return handlers;
}
