import { describe, expect, it } from 'vitest';
import type { DocumentRow } from '../db/schema.ts';
import { DocketError } from '../errors.ts';
import { freshDatabase } from '../testing/db.ts';
import { BackgroundEmbedding, type EmbeddingActivity, type Timers } from './background-embedding.ts';
import { embedJobId } from './embed-jobs.ts';
import type { EmbeddingRunResult } from './embedding-runner.ts';
import type { AiStatus } from './protocol.ts';

/** Timers the test fires by hand. */
function manualTimers() {
	const pending = new Map<number, { callback: () => void; ms: number }>();
	let next = 0;
	const timers: Timers = {
		set(callback, ms) {
			pending.set(++next, { callback, ms });
			return next;
		},
		clear(handle) {
			pending.delete(handle as number);
		}
	};
	return {
		timers,
		delays: () => [...pending.values()].map((p) => p.ms),
		fire() {
			const all = [...pending.values()];
			pending.clear();
			for (const p of all) p.callback();
		}
	};
}

/** A runner whose runs the test resolves one at a time. */
function scriptedRunner() {
	const waiting: ((result: EmbeddingRunResult) => void)[] = [];
	let runs = 0;
	return {
		runner: {
			run: () => {
				runs++;
				return new Promise<EmbeddingRunResult>((resolve) => waiting.push(resolve));
			}
		},
		runs: () => runs,
		async finish(result: EmbeddingRunResult) {
			await Promise.resolve();
			const next = waiting.shift();
			if (!next) throw new Error('no run in progress');
			next(result);
			await new Promise((r) => setTimeout(r, 0));
		}
	};
}

const offline = new DocketError('model-not-cached', 'You are offline and no embedding model has been downloaded yet.');

describe('background embedding', () => {
	it('coalesces kicks during a run into one more run', async () => {
		const db = await freshDatabase();
		const script = scriptedRunner();
		const background = new BackgroundEmbedding({ db, runner: script.runner, timers: manualTimers().timers });
		const first = background.kick();
		void background.kick();
		void background.kick();
		await script.finish({ done: 1 });
		await script.finish({ done: 0 });
		await first;
		expect(script.runs()).toBe(2);
		expect(background.activity).toEqual({ state: 'idle' });
	});

	it('waits for a model quietly, retries with a growing pause, and resumes when the network or a model comes back', async () => {
		const db = await freshDatabase();
		const script = scriptedRunner();
		const clock = manualTimers();
		const seen: EmbeddingActivity['state'][] = [];
		const background = new BackgroundEmbedding({
			db,
			runner: script.runner,
			timers: clock.timers,
			retryMs: 1000,
			maxRetryMs: 3000,
			onChange: (a) => seen.push(a.state)
		});
		const run = background.kick();
		await script.finish({ done: 0, error: offline, waiting: 2 });
		await run;
		expect(background.activity).toMatchObject({ state: 'waiting', documents: 2, error: { code: 'model-not-cached' } });
		expect(clock.delays()).toEqual([1000]);

		clock.fire();
		await script.finish({ done: 0, error: offline, waiting: 2 });
		expect(clock.delays()).toEqual([2000]);
		clock.fire();
		await script.finish({ done: 0, error: offline, waiting: 2 });
		expect(clock.delays()).toEqual([3000]);

		// The network is back (the app calls kick on `online`): the pending retry is replaced by a run now.
		void background.kick();
		expect(clock.delays()).toEqual([]);
		await script.finish({ done: 2 });
		expect(background.activity).toEqual({ state: 'idle' });
		expect(seen).toEqual(['running', 'waiting', 'waiting', 'waiting', 'idle']);

		const ready: AiStatus = {
			chat: { state: 'none' },
			embedding: { state: 'ready', modelId: 'm', backend: 'wasm', dim: 8 }
		};
		background.modelStatus(ready);
		expect(script.runs()).toBe(5);
		await script.finish({ done: 0 });
		// The same model reported again is not news.
		background.modelStatus(ready);
		expect(script.runs()).toBe(5);
		expect(background.loadedModel).toBe('m');
		background.stop();
	});

	it('a failing runner never rejects the kick', async () => {
		const db = await freshDatabase();
		const background = new BackgroundEmbedding({
			db,
			runner: { run: () => Promise.reject(new Error('boom')) },
			timers: manualTimers().timers
		});
		await expect(background.kick()).resolves.toBeUndefined();
		expect(background.activity.state).toBe('waiting');
	});

	it('queues an ingested document (Embedding) and runs; a deleted one is skipped', async () => {
		const db = await freshDatabase();
		const now = Date.now();
		const doc: DocumentRow = {
			id: 'd1',
			caseId: 'c',
			name: 'a.txt',
			sha256: 'x',
			size: 1,
			mimeType: 'text/plain',
			kind: 'text',
			status: 'indexed',
			createdAt: now,
			updatedAt: now,
			rev: 0
		};
		await db.documents.add(doc);
		let runs = 0;
		const background = new BackgroundEmbedding({
			db,
			runner: { run: async () => (runs++, { done: 0 }) },
			timers: manualTimers().timers
		});
		await background.documentIndexed('d1');
		expect((await db.documents.get('d1'))?.status).toBe('embedding');
		expect((await db.jobs.get(embedJobId('d1')))?.state).toBe('queued');
		expect(runs).toBe(1);
		const warn = console.warn;
		console.warn = () => undefined;
		try {
			await background.documentIndexed('gone');
		} finally {
			console.warn = warn;
		}
		expect(runs).toBe(1);
	});
});
