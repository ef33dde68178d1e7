import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor, type SnapshotFrom } from 'xstate';
import { ingestJobMachine, jobStateOf, type ExtractInput, type IngestJobInput } from './ingest-job.machine.ts';
import type { ExtractionOutcome } from './store-extraction.ts';
import type { Extraction } from './types.ts';

interface Deferred<T> {
	promise: Promise<T>;
	resolve: (value: T) => void;
	reject: (error: unknown) => void;
	signal?: AbortSignal;
}
function deferred<T>(): Deferred<T> {
	let resolve!: (value: T) => void;
	let reject!: (error: unknown) => void;
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

const indexed: Extraction = {
	status: 'indexed',
	kind: 'pdf',
	pages: [{ page: 1, text: 'Hello' }],
	pageCount: 1,
	pagesWithoutText: [],
	pagesWithErrors: []
};
const locked: Extraction = { status: 'needs-password', kind: 'pdf', reason: 'incorrect', error: 'wrong' };

/** A job whose actors wait for the test to settle them, one call at a time. */
function harness(input: Partial<IngestJobInput> = {}) {
	const reads: Deferred<Uint8Array>[] = [];
	const extracts: (Deferred<ExtractionOutcome> & { input: ExtractInput })[] = [];
	const stores: Deferred<void>[] = [];
	const machine = ingestJobMachine.provide({
		actors: {
			readOriginal: fromPromise(({ signal }) => {
				const d = deferred<Uint8Array>();
				reads.push({ ...d, signal });
				return d.promise;
			}),
			extract: fromPromise<ExtractionOutcome, ExtractInput>(({ input, signal }) => {
				const d = deferred<ExtractionOutcome>();
				extracts.push({ ...d, input, signal });
				return d.promise;
			}),
			store: fromPromise(({ signal }) => {
				const d = deferred<void>();
				stores.push({ ...d, signal });
				return d.promise;
			})
		}
	});
	const actor = createActor(machine, { input: { jobId: 'j', documentId: 'd', caseId: 'c', ...input } });
	actor.start();
	const is = (state: string) =>
		waitFor(actor, (s: SnapshotFrom<typeof machine>) => s.value === state, { timeout: 1000 });
	return { actor, reads, extracts, stores, is };
}

async function toExtracting(h: ReturnType<typeof harness>) {
	h.actor.send({ type: 'START' });
	await h.is('reading');
	h.reads.at(-1)!.resolve(new Uint8Array([1, 2, 3]));
	await h.is('extracting');
}

describe('ingest job machine', () => {
	it('restores a new or interrupted job to queued, and persisted end states to themselves', async () => {
		expect(harness().actor.getSnapshot().value).toBe('queued');
		expect(harness({ resumeFrom: 'queued' }).actor.getSnapshot().value).toBe('queued');
		const waiting = harness({ resumeFrom: 'waiting-password' }).actor.getSnapshot();
		expect(waiting.value).toBe('waiting-password');
		expect(waiting.context.passwordReason).toBe('required');
		const failed = harness({ resumeFrom: 'failed', error: 'disk', attempts: 2 }).actor.getSnapshot();
		expect([failed.value, failed.context.error, failed.context.attempts]).toEqual(['failed', 'disk', 2]);
		expect(harness({ resumeFrom: 'cancelled' }).actor.getSnapshot().value).toBe('cancelled');
	});

	it('queued: START reads (counting the attempt); CANCEL cancels', async () => {
		const h = harness();
		h.actor.send({ type: 'START' });
		await h.is('reading');
		expect(h.actor.getSnapshot().context.attempts).toBe(1);
		const c = harness();
		c.actor.send({ type: 'CANCEL' });
		await c.is('cancelled');
	});

	it('runs the happy path: reading → extracting (with progress) → chunking → done', async () => {
		const h = harness();
		await toExtracting(h);
		expect(h.extracts[0]!.input.bytes).toEqual(new Uint8Array([1, 2, 3]));
		expect(h.extracts[0]!.input.password).toBeUndefined();
		h.extracts[0]!.input.onProgress({ pagesDone: 3, pageCount: 10 });
		expect(h.actor.getSnapshot().context.progress).toEqual({ pagesDone: 3, pageCount: 10 });
		h.extracts[0]!.resolve(indexed);
		await h.is('chunking');
		expect(h.actor.getSnapshot().context.bytes).toBeUndefined();
		h.stores[0]!.resolve();
		await h.is('done');
		expect(h.actor.getSnapshot().status).toBe('done');
		expect(h.actor.getSnapshot().context.extraction).toBeUndefined();
	});

	it('fails when reading, extracting or storing throws, keeping the reason', async () => {
		const r = harness();
		r.actor.send({ type: 'START' });
		await r.is('reading');
		r.reads[0]!.reject(new Error('original missing'));
		await r.is('failed');
		expect(r.actor.getSnapshot().context.error).toBe('original missing');

		const e = harness();
		await toExtracting(e);
		e.extracts[0]!.reject(new Error('worker crashed'));
		await e.is('failed');
		expect(e.actor.getSnapshot().context.error).toBe('worker crashed');

		const s = harness();
		await toExtracting(s);
		s.extracts[0]!.resolve(indexed);
		await s.is('chunking');
		s.stores[0]!.reject(new Error('quota'));
		await s.is('failed');
		expect(s.actor.getSnapshot().context.error).toBe('quota');
	});

	it('cancels from reading, extracting and chunking, aborting the work in progress', async () => {
		const r = harness();
		r.actor.send({ type: 'START' });
		await r.is('reading');
		r.actor.send({ type: 'CANCEL' });
		await r.is('cancelled');
		expect(r.reads[0]!.signal?.aborted).toBe(true);

		const e = harness();
		await toExtracting(e);
		e.actor.send({ type: 'CANCEL' });
		await e.is('cancelled');
		expect(e.extracts[0]!.signal?.aborted).toBe(true);

		const s = harness();
		await toExtracting(s);
		s.extracts[0]!.resolve(indexed);
		await s.is('chunking');
		s.actor.send({ type: 'CANCEL' });
		await s.is('cancelled');
		expect(s.stores[0]!.signal?.aborted).toBe(true);
	});

	it('waits for a password, reads again with it, and can be cancelled while waiting', async () => {
		const h = harness();
		await toExtracting(h);
		h.extracts[0]!.resolve(locked);
		await h.is('waiting-password');
		expect(h.actor.getSnapshot().context.passwordReason).toBe('incorrect');
		expect(h.actor.getSnapshot().context.bytes).toBeUndefined();
		h.actor.send({ type: 'PASSWORD', password: 'pässwörd' });
		await h.is('reading');
		h.reads[1]!.resolve(new Uint8Array([9]));
		await h.is('extracting');
		expect(h.extracts[1]!.input.password).toBe('pässwörd');

		const c = harness({ resumeFrom: 'waiting-password' });
		c.actor.send({ type: 'CANCEL' });
		await c.is('cancelled');
	});

	it('retries failed and cancelled jobs from the queue, and forgets the password on cancel', async () => {
		const f = harness({ resumeFrom: 'failed', error: 'x', attempts: 1 });
		f.actor.send({ type: 'RETRY' });
		await f.is('queued');
		expect(f.actor.getSnapshot().context.error).toBeUndefined();
		f.actor.send({ type: 'START' });
		await f.is('reading');
		expect(f.actor.getSnapshot().context.attempts).toBe(2);

		const c = harness({ resumeFrom: 'waiting-password' });
		c.actor.send({ type: 'PASSWORD', password: 'secret' });
		await c.is('reading');
		c.actor.send({ type: 'CANCEL' });
		await c.is('cancelled');
		expect(c.actor.getSnapshot().context.password).toBeUndefined();
		c.actor.send({ type: 'RETRY' });
		await c.is('queued');
	});

	it('ignores events that do not apply in a state', async () => {
		const h = harness();
		h.actor.send({ type: 'RETRY' });
		h.actor.send({ type: 'PASSWORD', password: 'x' });
		expect(h.actor.getSnapshot().value).toBe('queued');
		await toExtracting(h);
		h.extracts[0]!.resolve(indexed);
		await h.is('chunking');
		h.stores[0]!.resolve();
		await h.is('done');
		h.actor.send({ type: 'RETRY' });
		h.actor.send({ type: 'CANCEL' });
		expect(h.actor.getSnapshot().value).toBe('done');
	});

	it('maps machine states to persisted job states', () => {
		for (const s of ['queued', 'reading', 'extracting', 'chunking', 'waiting-password', 'done', 'failed', 'cancelled'])
			expect(jobStateOf(s)).toBe(s);
		expect(jobStateOf('restoring')).toBe('queued');
	});
});
