import { defineProtocol, type Client } from '../worker/transport.ts';
import type { SearchMode, SearchResponse } from './hybrid.ts';
import type { MetadataFilter } from './operators.ts';

/**
 * The search worker's protocol: every call with its params and result. The page and the worker both import
 * this file, so a call is type-checked like a function call; the transport is src/lib/worker/transport.ts.
 */
export type SearchCalls = {
	search: {
		params: {
			caseId: string;
			query: string;
			k: number;
			mode: SearchMode;
			documentIds?: string[];
			/** The Search tab's sender, recipient, date and attachment filters (`operators.ts`). */
			filter?: MetadataFilter;
			/** The query's embedding, made by the AI worker; required for semantic and hybrid modes. */
			vector?: { modelId: string; values: Float32Array };
		};
		result: SearchResponse;
	};
};
// Nothing tells the indexes about changes through this protocol: they follow the change feed
// (src/lib/db/change-feed.ts) inside the worker.

export const searchProtocol = defineProtocol<SearchCalls>({ worker: 'search', defaultTimeoutMs: 60_000 });

export type SearchClient = Client<SearchCalls>;
