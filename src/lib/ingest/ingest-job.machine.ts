import { assign, fromPromise, setup } from 'xstate';
import type { JobState } from '../db/schema.ts';
import type { ExtractionOutcome } from './store-extraction.ts';
import type { ExtractionProgress } from './types.ts';

/**
 * The life of one file's ingestion: queued → reading → extracting → chunking → done, or failed /
 * cancelled (both retryable), with a stop at waiting-password for protected PDFs.
 *
 * The machine only decides what happens next; the work is done by injected actors (read the original
 * bytes, extract, chunk and store), so tests run it with fakes and the runner with the real thing.
 * Bytes are read again after a password is given, so a file waiting for its password holds no memory.
 */

export interface IngestJobInput {
	jobId: string;
	documentId: string;
	caseId: string;
	/** Where the runner found the job: a reload resumes jobs from their persisted state. */
	resumeFrom?: 'queued' | 'waiting-password' | 'failed' | 'cancelled';
	attempts?: number;
	/** Why a resumed failed job failed, or why a resumed job waits for a password. */
	error?: string;
}

export interface ReadInput {
	documentId: string;
}
export interface ExtractInput {
	documentId: string;
	bytes: Uint8Array;
	password: string | undefined;
	onProgress: (progress: ExtractionProgress) => void;
}
export interface StoreInput {
	jobId: string;
	documentId: string;
	caseId: string;
	extraction: ExtractionOutcome;
}

export type IngestJobEvent =
	| { type: 'START' }
	| { type: 'CANCEL' }
	| { type: 'RETRY' }
	| { type: 'PASSWORD'; password: string }
	| { type: 'PROGRESS'; progress: ExtractionProgress };

export interface IngestJobContext {
	jobId: string;
	documentId: string;
	caseId: string;
	attempts: number;
	password: string | undefined;
	bytes: Uint8Array | undefined;
	extraction: ExtractionOutcome | undefined;
	progress: ExtractionProgress | undefined;
	/** `incorrect` after a wrong password, so the prompt can say so. */
	passwordReason: 'required' | 'incorrect' | undefined;
	error: string | undefined;
	resumeFrom: IngestJobInput['resumeFrom'];
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

export const ingestJobMachine = setup({
	types: {
		context: {} as IngestJobContext,
		events: {} as IngestJobEvent,
		input: {} as IngestJobInput
	},
	actors: {
		readOriginal: fromPromise<Uint8Array, ReadInput>(() => Promise.reject(new Error('readOriginal was not provided'))),
		extract: fromPromise<ExtractionOutcome, ExtractInput>(() => Promise.reject(new Error('extract was not provided'))),
		store: fromPromise<void, StoreInput>(() => Promise.reject(new Error('store was not provided')))
	},
	guards: {
		resumeWaiting: ({ context }) => context.resumeFrom === 'waiting-password',
		resumeFailed: ({ context }) => context.resumeFrom === 'failed',
		resumeCancelled: ({ context }) => context.resumeFrom === 'cancelled',
		needsPassword: (_, extraction: ExtractionOutcome) => extraction.status === 'needs-password'
	},
	actions: {
		forgetWork: assign({ bytes: undefined, extraction: undefined, progress: undefined })
	}
}).createMachine({
	id: 'ingestJob',
	context: ({ input }) => ({
		jobId: input.jobId,
		documentId: input.documentId,
		caseId: input.caseId,
		attempts: input.attempts ?? 0,
		password: undefined,
		bytes: undefined,
		extraction: undefined,
		progress: undefined,
		passwordReason: input.resumeFrom === 'waiting-password' ? 'required' : undefined,
		error: input.error,
		resumeFrom: input.resumeFrom
	}),
	initial: 'restoring',
	states: {
		restoring: {
			always: [
				{ guard: 'resumeWaiting', target: 'waiting-password' },
				{ guard: 'resumeFailed', target: 'failed' },
				{ guard: 'resumeCancelled', target: 'cancelled' },
				{ target: 'queued' }
			]
		},
		queued: {
			on: {
				START: {
					target: 'reading',
					actions: assign({ attempts: ({ context }) => context.attempts + 1, error: undefined })
				},
				CANCEL: 'cancelled'
			}
		},
		reading: {
			invoke: {
				src: 'readOriginal',
				input: ({ context }) => ({ documentId: context.documentId }),
				onDone: { target: 'extracting', actions: assign({ bytes: ({ event }) => event.output }) },
				onError: { target: 'failed', actions: assign({ error: ({ event }) => message(event.error) }) }
			},
			on: { CANCEL: 'cancelled' }
		},
		extracting: {
			invoke: {
				src: 'extract',
				input: ({ context, self }) => ({
					documentId: context.documentId,
					bytes: context.bytes ?? new Uint8Array(),
					password: context.password,
					onProgress: (progress: ExtractionProgress) => self.send({ type: 'PROGRESS', progress })
				}),
				onDone: [
					{
						guard: { type: 'needsPassword', params: ({ event }) => event.output },
						target: 'waiting-password',
						actions: assign({
							passwordReason: ({ event }) =>
								event.output.status === 'needs-password' ? event.output.reason : 'required',
							bytes: undefined,
							password: undefined
						})
					},
					{ target: 'chunking', actions: assign({ extraction: ({ event }) => event.output, bytes: undefined }) }
				],
				onError: { target: 'failed', actions: assign({ error: ({ event }) => message(event.error) }) }
			},
			on: {
				CANCEL: 'cancelled',
				PROGRESS: { actions: assign({ progress: ({ event }) => event.progress }) }
			}
		},
		chunking: {
			invoke: {
				src: 'store',
				input: ({ context }) => ({
					jobId: context.jobId,
					documentId: context.documentId,
					caseId: context.caseId,
					extraction: context.extraction!
				}),
				onDone: 'done',
				onError: { target: 'failed', actions: assign({ error: ({ event }) => message(event.error) }) }
			},
			on: { CANCEL: 'cancelled' }
		},
		'waiting-password': {
			on: {
				PASSWORD: {
					target: 'reading',
					actions: assign({ password: ({ event }) => event.password, passwordReason: undefined })
				},
				CANCEL: 'cancelled'
			}
		},
		done: { type: 'final', entry: 'forgetWork' },
		failed: {
			entry: 'forgetWork',
			on: { RETRY: { target: 'queued', actions: assign({ error: undefined }) } }
		},
		cancelled: {
			entry: ['forgetWork', assign({ password: undefined })],
			on: { RETRY: 'queued' }
		}
	}
});

/** The persisted job state for each machine state (they share names; `restoring` is never persisted). */
export function jobStateOf(value: string): JobState {
	switch (value) {
		case 'queued':
		case 'reading':
		case 'extracting':
		case 'chunking':
		case 'waiting-password':
		case 'done':
		case 'failed':
		case 'cancelled':
			return value;
		default:
			return 'queued';
	}
}

/** States in which a job holds one of the runner's concurrency slots. */
export const ACTIVE_STATES: readonly string[] = ['reading', 'extracting', 'chunking'];
