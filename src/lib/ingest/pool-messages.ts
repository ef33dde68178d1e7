import type { SerializedError } from '../errors.ts';
import type { PagesResult } from './extract.ts';
import type { ExtractionJob } from './pool.ts';
import type { ExtractionProgress } from './types.ts';

/** What the pool and a Node ingestion worker say to each other (one job at a time per worker). */
export type PoolRequest = { type: 'extract'; id: string; job: ExtractionJob } | { type: 'cancel'; id: string };

export type PoolResponse =
	| { type: 'result'; id: string; result: PagesResult }
	| { type: 'error'; id: string; error: SerializedError }
	| { type: 'progress'; id: string; progress: ExtractionProgress };

/** At most this often a worker reports progress. */
export const PROGRESS_EVERY_MS = 100;
