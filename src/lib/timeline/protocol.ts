import type { DuplicateGroup } from '../duplicates/groups.ts';
import type { SideBySide } from '../duplicates/word-diff.ts';
import { defineProtocol, type Client } from '../worker/transport.ts';
import type { RefreshSummary } from './chronology-store.ts';

/**
 * The chronology worker's protocol. Events and signatures are derived there from the change feed and
 * stored; the page reads them with liveQuery and calls the worker only to catch a case up, to group its
 * near-duplicates and to compare two documents' texts, so no date parsing or diffing runs on the main thread.
 */
export type ChronologyCalls = {
	/** Derives again what changed in the case since it was last derived (chunks, date order). */
	refresh: { params: { caseId: string }; result: RefreshSummary };
	/** Near-duplicate groups of the case's documents at a Jaccard threshold (0–1]. */
	duplicates: { params: { caseId: string; threshold: number }; result: DuplicateGroup[] };
	/** The word difference of two documents' texts, side by side. */
	compare: { params: { caseId: string; left: string; right: string }; result: SideBySide };
};

export const chronologyProtocol = defineProtocol<ChronologyCalls>({
	worker: 'chronology',
	// A refresh of a large case reads every changed document; it reports nothing meanwhile.
	defaultTimeoutMs: 5 * 60_000
});

export type ChronologyClient = Client<ChronologyCalls>;
