import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise } from 'xstate';
import { SyncAuthError, SyncNetworkError } from '../errors.ts';
import { backoffDelay, statusText, syncMachine, type SyncStateName } from './sync.machine.ts';

type Step = 'connect' | 'push' | 'upload' | 'pull';

/** Each step waits until the test settles it, so every state can be observed and every exit taken. */
function harness(online = true) {
	const pending = new Map<Step, { resolve: () => void; reject: (error: Error) => void }>();
	const calls: Step[] = [];
	const step = (name: Step) =>
		fromPromise<void>(
			() =>
				new Promise<void>((resolve, reject) => {
					calls.push(name);
					pending.set(name, { resolve, reject });
				})
		);
	const machine = syncMachine.provide({
		actors: { connect: step('connect'), push: step('push'), upload: step('upload'), pull: step('pull') }
	});
	const actor = createActor(machine, {
		input: { online, intervalMs: 10_000, baseBackoffMs: 1_000, maxBackoffMs: 8_000 }
	});
	actor.start();
	const state = () => actor.getSnapshot().value as SyncStateName;
	const settle = async (name: Step, error?: Error) => {
		const waiting = pending.get(name);
		if (!waiting) throw new Error(`${name} is not running (state ${state()})`);
		pending.delete(name);
		if (error) waiting.reject(error);
		else waiting.resolve();
		await vi.advanceTimersByTimeAsync(0);
	};
	const runToIdle = async () => {
		await settle('connect');
		await settle('push');
		await settle('upload');
		await settle('pull');
	};
	return { actor, state, settle, calls, runToIdle };
}

describe('sync machine', () => {
	beforeEach(() => {
		vi.useFakeTimers();
		vi.spyOn(Math, 'random').mockReturnValue(0.5);
	});
	afterEach(() => {
		vi.useRealTimers();
		vi.restoreAllMocks();
	});

	it('starts connecting when online and waits when offline', () => {
		expect(harness(true).state()).toBe('connecting');
		expect(harness(false).state()).toBe('offline');
	});

	it('runs connecting → pushing → uploading → pulling → idle', async () => {
		const h = harness();
		const seen: SyncStateName[] = [h.state()];
		h.actor.subscribe((s) => seen.push(s.value as SyncStateName));
		await h.runToIdle();
		expect(seen.filter((s, i) => s !== seen[i - 1])).toEqual(['connecting', 'pushing', 'uploading', 'pulling', 'idle']);
		expect(h.actor.getSnapshot().context.lastSyncedAt).toBeTypeOf('number');
		expect(statusText(h.state())).toBe('Synced');
	});

	it('leaves offline on ONLINE and on SYNC', () => {
		const a = harness(false);
		a.actor.send({ type: 'ONLINE' });
		expect(a.state()).toBe('connecting');
		const b = harness(false);
		b.actor.send({ type: 'SYNC' });
		expect(b.state()).toBe('connecting');
	});

	it.each(['connect', 'push', 'upload', 'pull'] as const)(
		'backs off when %s fails, then reconnects after the delay',
		async (failing) => {
			const h = harness();
			for (const name of ['connect', 'push', 'upload', 'pull'] as const) {
				if (name === failing) {
					await h.settle(name, new SyncNetworkError('down'));
					break;
				}
				await h.settle(name);
			}
			expect(h.state()).toBe('backoff');
			expect(statusText(h.state())).toBe('Sync error');
			expect(h.actor.getSnapshot().context.attempt).toBe(1);
			await vi.advanceTimersByTimeAsync(999);
			expect(h.state()).toBe('backoff');
			await vi.advanceTimersByTimeAsync(2);
			expect(h.state()).toBe('connecting');
		}
	);

	it.each(['connect', 'push', 'upload', 'pull'] as const)(
		'stops on a refused token in %s until the user reconnects',
		async (failing) => {
			const h = harness();
			for (const name of ['connect', 'push', 'upload', 'pull'] as const) {
				if (name === failing) {
					await h.settle(name, new SyncAuthError());
					break;
				}
				await h.settle(name);
			}
			expect(h.state()).toBe('unauthorized');
			await vi.advanceTimersByTimeAsync(60 * 60_000);
			expect(h.state()).toBe('unauthorized');
			h.actor.send({ type: 'SYNC' });
			expect(h.state()).toBe('connecting');
		}
	);

	it('grows the backoff with each failure, up to the cap, and resets after a good run', async () => {
		const h = harness();
		const delays: number[] = [];
		for (let i = 0; i < 5; i++) {
			await h.settle('connect', new SyncNetworkError('down'));
			const before = Date.now();
			while (h.state() === 'backoff') await vi.advanceTimersByTimeAsync(100);
			delays.push(Date.now() - before);
		}
		expect(delays).toEqual([1000, 2000, 4000, 8000, 8000]);
		await h.runToIdle();
		expect(h.actor.getSnapshot().context.attempt).toBe(0);
		expect(h.actor.getSnapshot().context.error).toBeUndefined();
	});

	it('backoff and idle answer SYNC and ONLINE at once', async () => {
		const h = harness();
		await h.settle('connect', new SyncNetworkError('down'));
		h.actor.send({ type: 'SYNC' });
		expect(h.state()).toBe('connecting');
		await h.settle('connect', new SyncNetworkError('down'));
		h.actor.send({ type: 'ONLINE' });
		expect(h.state()).toBe('connecting');
		await h.runToIdle();
		h.actor.send({ type: 'SYNC' });
		expect(h.state()).toBe('pushing');
		await h.settle('push');
		await h.settle('upload');
		await h.settle('pull');
		h.actor.send({ type: 'ONLINE' });
		expect(h.state()).toBe('pushing');
	});

	it('syncs again on the timer while idle', async () => {
		const h = harness();
		await h.runToIdle();
		await vi.advanceTimersByTimeAsync(9_999);
		expect(h.state()).toBe('idle');
		await vi.advanceTimersByTimeAsync(1);
		expect(h.state()).toBe('pushing');
	});

	it.each(['push', 'upload', 'pull'] as const)('a SYNC during %s runs once more straight after', async (during) => {
		const h = harness();
		await h.settle('connect');
		for (const name of ['push', 'upload', 'pull'] as const) {
			if (name === during) h.actor.send({ type: 'SYNC' });
			await h.settle(name);
		}
		expect(h.state()).toBe('pushing');
		await h.settle('push');
		await h.settle('upload');
		await h.settle('pull');
		expect(h.state()).toBe('idle');
	});

	it.each(['connecting', 'pushing', 'uploading', 'pulling', 'idle', 'backoff', 'unauthorized'] as const)(
		'goes offline from %s',
		async (from) => {
			const h = harness();
			const path: Record<typeof from, (() => Promise<void>)[]> = {
				connecting: [],
				pushing: [() => h.settle('connect')],
				uploading: [() => h.settle('connect'), () => h.settle('push')],
				pulling: [() => h.settle('connect'), () => h.settle('push'), () => h.settle('upload')],
				idle: [() => h.runToIdle()],
				backoff: [() => h.settle('connect', new SyncNetworkError('down'))],
				unauthorized: [() => h.settle('connect', new SyncAuthError())]
			};
			for (const step of path[from]) await step();
			expect(h.state()).toBe(from);
			h.actor.send({ type: 'OFFLINE' });
			expect(h.state()).toBe('offline');
			expect(statusText(h.state())).toBe('Offline');
		}
	);

	it('computes jittered delays within ±20% of the exponential value', () => {
		const context = { attempt: 3, baseBackoffMs: 1000, maxBackoffMs: 60_000 };
		expect(backoffDelay(context, () => 0)).toBe(3200);
		expect(backoffDelay(context, () => 1)).toBe(4800);
		expect(backoffDelay({ ...context, attempt: 20 }, () => 0.5)).toBe(60_000);
	});
});
