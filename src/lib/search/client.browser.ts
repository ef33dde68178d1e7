import { connect, workerEndpoint } from '../worker/transport.ts';
import { searchProtocol, type SearchCalls, type SearchClient } from './protocol.ts';

let client: SearchClient | undefined;

/** The page's one search worker, started on first use; its indexes stay warm for the tab's life. */
export function searchClient(): SearchClient {
	client ??= connect(
		searchProtocol,
		workerEndpoint<SearchCalls>(
			new Worker(new URL('./search.worker.ts', import.meta.url), { type: 'module', name: 'docket-search' })
		)
	);
	return client;
}
