import { connect, workerEndpoint } from '../worker/transport.ts';
import { chronologyProtocol, type ChronologyCalls, type ChronologyClient } from './protocol.ts';

let client: ChronologyClient | undefined;

/**
 * The page's one chronology worker, started on first use and kept for the tab's life: while it runs it
 * follows the change feed, so documents added in any tab gain their events without a refresh. A worker
 * that dies is replaced on the next call; the stored events and the refresh that follows lose nothing.
 */
export function chronologyClient(): ChronologyClient {
	client ??= connect(chronologyProtocol, () =>
		workerEndpoint<ChronologyCalls>(
			new Worker(new URL('./chronology.worker.ts', import.meta.url), { type: 'module', name: 'docket-chronology' })
		)
	);
	return client;
}
