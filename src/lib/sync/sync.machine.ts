import { assign, fromPromise, setup } from 'xstate';
import { SyncAuthError } from '../errors.ts';

/**
 * One sync run's life: offline → connecting → pushing → uploading → pulling → idle, with backoff after
 * errors. It runs when the device comes online, on a timer while idle, and on demand (`SYNC`, sent after
 * local changes or by the user). The steps are injected actors, so tests drive it with fakes.
 */

export interface SyncContext {
	/** Consecutive failed runs; sets the backoff delay. */
	attempt: number;
	/** A `SYNC` arrived mid-run: run again right after, so no change waits a whole interval. */
	again: boolean;
	error: Error | undefined;
	lastSyncedAt: number | undefined;
	intervalMs: number;
	baseBackoffMs: number;
	maxBackoffMs: number;
	startOnline: boolean;
}

export type SyncEvent = { type: 'ONLINE' } | { type: 'OFFLINE' } | { type: 'SYNC' };

export interface SyncInput {
	online: boolean;
	intervalMs?: number;
	baseBackoffMs?: number;
	maxBackoffMs?: number;
}

/** Exponential backoff with a cap and ±20% jitter, so many clients do not retry in step. */
export function backoffDelay(
	context: Pick<SyncContext, 'attempt' | 'baseBackoffMs' | 'maxBackoffMs'>,
	random: () => number = Math.random
): number {
	const exact = Math.min(context.maxBackoffMs, context.baseBackoffMs * 2 ** Math.max(0, context.attempt - 1));
	return Math.round(exact * (0.8 + 0.4 * random()));
}

function toError(error: unknown): Error {
	return error instanceof Error ? error : new Error(String(error));
}

export const syncMachine = setup({
	types: {
		context: {} as SyncContext,
		events: {} as SyncEvent,
		input: {} as SyncInput
	},
	actors: {
		connect: fromPromise<void>(async () => {
			throw new Error('connect actor not provided');
		}),
		push: fromPromise<void>(async () => {
			throw new Error('push actor not provided');
		}),
		upload: fromPromise<void>(async () => {
			throw new Error('upload actor not provided');
		}),
		pull: fromPromise<void>(async () => {
			throw new Error('pull actor not provided');
		})
	},
	delays: {
		interval: ({ context }) => context.intervalMs,
		backoff: ({ context }) => backoffDelay(context)
	},
	guards: {
		startsOnline: ({ context }) => context.startOnline,
		wantsAgain: ({ context }) => context.again,
		isAuthError: ({ event }) => 'error' in event && event.error instanceof SyncAuthError
	},
	actions: {
		fail: assign({
			attempt: ({ context }) => context.attempt + 1,
			error: ({ event }) => ('error' in event ? toError(event.error) : new Error('Sync failed.'))
		}),
		markAgain: assign({ again: true }),
		succeed: assign({ attempt: 0, again: false, error: undefined, lastSyncedAt: () => Date.now() }),
		clearAgain: assign({ again: false })
	}
}).createMachine({
	id: 'sync',
	context: ({ input }) => ({
		attempt: 0,
		again: false,
		error: undefined,
		lastSyncedAt: undefined,
		intervalMs: input.intervalMs ?? 60_000,
		baseBackoffMs: input.baseBackoffMs ?? 2_000,
		maxBackoffMs: input.maxBackoffMs ?? 5 * 60_000,
		startOnline: input.online
	}),
	initial: 'starting',
	on: { OFFLINE: '.offline' },
	states: {
		/** Decides once, from the input, where a new machine begins. */
		starting: {
			always: [{ guard: 'startsOnline', target: 'connecting' }, { target: 'offline' }]
		},
		offline: {
			on: { ONLINE: 'connecting', SYNC: 'connecting' }
		},
		connecting: {
			entry: 'clearAgain',
			invoke: {
				src: 'connect',
				onDone: 'pushing',
				onError: [
					{ guard: 'isAuthError', target: 'unauthorized', actions: 'fail' },
					{ target: 'backoff', actions: 'fail' }
				]
			}
		},
		pushing: {
			invoke: {
				src: 'push',
				onDone: 'uploading',
				onError: [
					{ guard: 'isAuthError', target: 'unauthorized', actions: 'fail' },
					{ target: 'backoff', actions: 'fail' }
				]
			},
			on: { SYNC: { actions: 'markAgain' } }
		},
		uploading: {
			invoke: {
				src: 'upload',
				onDone: 'pulling',
				onError: [
					{ guard: 'isAuthError', target: 'unauthorized', actions: 'fail' },
					{ target: 'backoff', actions: 'fail' }
				]
			},
			on: { SYNC: { actions: 'markAgain' } }
		},
		pulling: {
			invoke: {
				src: 'pull',
				onDone: [
					{ guard: 'wantsAgain', target: 'pushing', actions: 'succeed' },
					{ target: 'idle', actions: 'succeed' }
				],
				onError: [
					{ guard: 'isAuthError', target: 'unauthorized', actions: 'fail' },
					{ target: 'backoff', actions: 'fail' }
				]
			},
			on: { SYNC: { actions: 'markAgain' } }
		},
		idle: {
			after: { interval: 'pushing' },
			on: { SYNC: 'pushing', ONLINE: 'pushing' }
		},
		backoff: {
			after: { backoff: 'connecting' },
			on: { SYNC: 'connecting', ONLINE: 'connecting' }
		},
		/** The token was refused: retrying cannot help until the user reconnects (which sends SYNC). */
		unauthorized: {
			on: { SYNC: 'connecting' }
		}
	}
});

export type SyncMachine = typeof syncMachine;
export type SyncStateName =
	'starting' | 'offline' | 'connecting' | 'pushing' | 'uploading' | 'pulling' | 'idle' | 'backoff' | 'unauthorized';

export type SyncStatusText = 'Offline' | 'Syncing' | 'Synced' | 'Sync error';

/** What the status region says for each state. */
export function statusText(state: SyncStateName): SyncStatusText {
	switch (state) {
		case 'starting':
		case 'offline':
			return 'Offline';
		case 'connecting':
		case 'pushing':
		case 'uploading':
		case 'pulling':
			return 'Syncing';
		case 'idle':
			return 'Synced';
		case 'backoff':
		case 'unauthorized':
			return 'Sync error';
	}
}
