import { defineProtocol, type Client } from '../worker/transport.ts';
import type { SearchMode, SearchResponse } from './hybrid.ts';

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
			/** The query's embedding, made by the AI worker; required for semantic and hybrid modes. */
			vector?: { modelId: string; values: Float32Array };
		};
		result: SearchResponse;
	};
	/** A document's chunks were stored: add them to the case's full-text index. */
	documentIndexed: { params: { caseId: string; documentId: string }; result: null };
	/** Drop everything held for a case (deleted case). */
	forgetCase: { params: { caseId: string }; result: null };
};

export const searchProtocol = defineProtocol<SearchCalls>({ worker: 'search', defaultTimeoutMs: 60_000 });

export type SearchClient = Client<SearchCalls>;
