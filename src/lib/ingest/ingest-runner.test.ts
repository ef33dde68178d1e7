import { describe, expect, it } from 'vitest';
import type { FileStore } from '../db/file-store.ts';
import { CancelledError } from '../errors.ts';
import { freshStore } from '../testing/db.ts';
import { nodeExtractor } from './extract.node.ts';
import { IngestRunner, type IngestRunnerOptions } from './ingest-runner.ts';
import { JobClaims, type ClaimChannel, type JobLockManager } from './job-claims.ts';
import { portEndpoint } from '../worker/transport.ts';
import { serveExtraction, WorkerExtractor } from './protocol.ts';
import { DocketDatabase } from '../db/database.ts';
import { makePdf } from './testing/make-pdf.ts';
import type { Extraction, ExtractionInput, ExtractionOptions, Extractor } from './types.ts';

const text = (s: string) => new Blob([s], { type: 'text/plain' });

/**
 * A fake extractor: a file's text decides its fate ("LOCKED:pw" needs password pw, "DAMAGED", "SCAN",
 * "HOLD" waits until released), so tests steer each file without pdf.js.
 */
function fakeExtractor() {
	const held: { release: () => void; name: string }[] = [];
	const calls: { name: string; password: string | undefined }[] = [];
	let active = 0;
	let maxActive = 0;
	const extractor: Extractor = {
		async extract(input: ExtractionInput, options: ExtractionOptions = {}): Promise<Extraction> {
			calls.push({ name: input.name, password: options.password });
			active++;
			maxActive = Math.max(maxActive, active);
			try {
				const body = new TextDecoder().decode(input.bytes);
				if (body.startsWith('HOLD')) {
					await new Promise<void>((resolve, reject) => {
						held.push({ release: resolve, name: input.name });
						options.signal?.addEventListener('abort', () => reject(new CancelledError('Extraction')), { once: true });
					});
				}
				if (body.startsWith('LOCKED:')) {
					const password = body.slice('LOCKED:'.length).trim();
					if (options.password !== password) {
						return {
							status: 'needs-password',
							kind: 'pdf',
							reason: options.password === undefined ? 'required' : 'incorrect',
							error: 'locked'
						};
					}
				}
				if (body.startsWith('DAMAGED'))
					return {
						status: 'damaged',
						kind: 'pdf',
						error: 'The file is not a readable PDF.',
						detail: 'Invalid PDF structure.'
					};
				if (body.startsWith('SCAN')) {
					return {
						status: 'no-text',
						kind: 'pdf',
						pages: [
							{ page: 1, text: '' },
							{ page: 2, text: '' }
						],
						pageCount: 2,
						pagesWithoutText: [1, 2],
						pagesWithErrors: [],
						error: 'No page has a text layer (pages 1–2).'
					};
				}
				const pages = body.split('\f').map((t, i) => ({ page: i + 1, text: t }));
				options.onProgress?.({ pagesDone: pages.length, pageCount: pages.length });
				return {
					status: 'indexed',
					kind: 'text',
					pages,
					pageCount: pages.length,
					pagesWithoutText: [],
					pagesWithErrors: []
				};
			} finally {
				active--;
			}
		}
	};
	return {
		extractor,
		held,
		calls,
		get maxActive() {
			return maxActive;
		},
		async waitHeld(n: number) {
			for (let i = 0; i < 200 && held.length < n; i++) await new Promise((r) => setTimeout(r, 5));
			expect(held.length).toBeGreaterThanOrEqual(n);
		}
	};
}

async function setup(options: Partial<IngestRunnerOptions> = {}) {
	const { db, store } = await freshStore();
	const fake = fakeExtractor();
	const runner = new IngestRunner({ db, files: store, extractor: fake.extractor, ...options });
	return { db, store, fake, runner };
}

async function statuses(db: DocketDatabase) {
	return Object.fromEntries((await db.documents.toArray()).map((d) => [d.name, d.status]));
}

async function jobStates(db: DocketDatabase) {
	const docs = new Map((await db.documents.toArray()).map((d) => [d.id, d.name]));
	return Object.fromEntries(
		(await db.jobs.where('kind').equals('ingest').toArray()).map((j) => [docs.get(j.documentId), j.state])
	);
}

describe('IngestRunner', () => {
	it('stores originals, indexes files into pages and chunks with outbox entries, and ends jobs done', async () => {
		const { db, store, runner } = await setup();
		const long = 'The court held the contract void. '.repeat(80);
		const result = await runner.addFiles('case-1', [
			{ name: 'a.txt', blob: text(`First page.\f${long}`) },
			{ name: 'b.md', blob: text('# Notes') }
		]);
		expect(result.added.map((a) => a.name)).toEqual(['a.txt', 'b.md']);
		await runner.idle();
		expect(await statuses(db)).toEqual({ 'a.txt': 'indexed', 'b.md': 'indexed' });
		expect(await jobStates(db)).toEqual({ 'a.txt': 'done', 'b.md': 'done' });

		const a = (await db.documents.toArray()).find((d) => d.name === 'a.txt')!;
		expect(a).toMatchObject({ pages: 2, kind: 'text', pagesWithoutText: [] });
		expect(await (await store.get(a.sha256))!.text()).toBe(`First page.\f${long}`);
		const pages = await db.pages.where('caseId').equals('case-1').toArray();
		expect(pages.filter((p) => p.documentId === a.id).map((p) => p.page)).toEqual([1, 2]);
		const chunks = await db.chunks.where('documentId').equals(a.id).sortBy('ordinal');
		expect(chunks.length).toBeGreaterThan(3);
		for (const c of chunks)
			expect(c.text).toBe(pages.find((p) => p.documentId === a.id && p.page === c.page)!.text.slice(c.start, c.end));

		const outbox = await db.outbox.toArray();
		expect(outbox.filter((o) => o.table === 'chunks' && o.op === 'put').length).toBe(chunks.length + 1);
		expect(outbox.filter((o) => o.table === 'documents' && o.rowId === a.id).map((o) => o.fields.status)).toEqual([
			'queued',
			'indexed'
		]);
		const job = (await db.jobs.toArray()).find((j) => j.documentId === a.id)!;
		expect(job).toMatchObject({ progress: 1, attempts: 1 });
		await runner.dispose();
	});

	it('recognises the same file added twice to a case, and refuses zero-byte files', async () => {
		const { db, runner } = await setup();
		await runner.addFiles('case-1', [{ name: 'a.txt', blob: text('Same bytes') }]);
		const again = await runner.addFiles('case-1', [
			{ name: 'copy of a.txt', blob: text('Same bytes') },
			{ name: 'empty.pdf', blob: new Blob([]) }
		]);
		expect(again.added).toEqual([]);
		expect(again.duplicates.map((d) => d.name)).toEqual(['copy of a.txt']);
		expect(again.refused).toEqual([{ name: 'empty.pdf', error: expect.stringMatching(/empty \(0 bytes\)/) }]);
		// Another case may hold the same bytes as its own document; the bytes are stored once.
		const other = await runner.addFiles('case-2', [{ name: 'a.txt', blob: text('Same bytes') }]);
		expect(other.added.length).toBe(1);
		await runner.idle();
		expect(await db.documents.count()).toBe(2);
		expect(await db.files.count()).toBe(1);
		await runner.dispose();
	});

	it('ends each file in its own state, one bad file never stopping the others', async () => {
		const { db, runner } = await setup();
		await runner.addFiles('c', [
			{ name: 'bad.pdf', blob: text('DAMAGED') },
			{ name: 'scan.pdf', blob: text('SCAN') },
			{ name: 'good.txt', blob: text('Fine text.') },
			{ name: 'locked.pdf', blob: text('LOCKED:pässwörd') }
		]);
		await runner.idle();
		expect(await statuses(db)).toEqual({
			'bad.pdf': 'damaged',
			'scan.pdf': 'no-text',
			'good.txt': 'indexed',
			'locked.pdf': 'needs-password'
		});
		expect(await jobStates(db)).toEqual({
			'bad.pdf': 'done',
			'scan.pdf': 'done',
			'good.txt': 'done',
			'locked.pdf': 'waiting-password'
		});
		const docs = await db.documents.toArray();
		expect(docs.find((d) => d.name === 'bad.pdf')!.error).toMatch(/not a readable PDF/);
		expect(docs.find((d) => d.name === 'scan.pdf')).toMatchObject({ pages: 2, pagesWithoutText: [1, 2] });
		await runner.dispose();
	});

	it('asks again after a wrong password and indexes with the right (Unicode) one', async () => {
		const { db, fake, runner } = await setup();
		const { added } = await runner.addFiles('c', [{ name: 'locked.pdf', blob: text('LOCKED:pässwörd') }]);
		const jobId = added[0]!.jobId;
		await runner.idle();
		expect(runner.progress(jobId)).toMatchObject({ state: 'waiting-password', passwordReason: 'required' });
		runner.submitPassword(jobId, 'password');
		await runner.idle();
		expect(runner.progress(jobId)).toMatchObject({ state: 'waiting-password', passwordReason: 'incorrect' });
		expect((await db.documents.get(added[0]!.documentId))!.error).toMatch(/did not open/);
		runner.submitPassword(jobId, 'pässwörd');
		await runner.idle();
		expect(await statuses(db)).toEqual({ 'locked.pdf': 'indexed' });
		expect(fake.calls.map((c) => c.password)).toEqual([undefined, 'password', 'pässwörd']);
		await runner.dispose();
	});

	it('keeps a password typed while a wrong one is still being tried, and tries it next', async () => {
		const { db, fake, runner } = await setup();
		const { added } = await runner.addFiles('c', [{ name: 'locked.pdf', blob: text('LOCKED:right') }]);
		const jobId = added[0]!.jobId;
		await runner.idle();
		runner.submitPassword(jobId, 'wrong');
		runner.submitPassword(jobId, 'right');
		await runner.idle();
		await expect.poll(async () => (await statuses(db))['locked.pdf']).toBe('indexed');
		expect(fake.calls.map((c) => c.password)).toEqual([undefined, 'wrong', 'right']);
		await runner.dispose();
	});

	it('runs at most `concurrency` files at once', async () => {
		const { fake, runner, db } = await setup({ concurrency: 2 });
		await runner.addFiles(
			'c',
			['1', '2', '3', '4', '5'].map((n) => ({ name: `${n}.txt`, blob: text(`HOLD ${n}`) }))
		);
		await fake.waitHeld(2);
		expect(fake.held.length).toBe(2);
		expect(Object.values(await jobStates(db)).filter((s) => s === 'queued').length).toBeGreaterThanOrEqual(2);
		for (let i = 0; i < 5; i++) {
			await fake.waitHeld(Math.min(i + 2, 5));
			fake.held[i]!.release();
		}
		await runner.idle();
		expect(fake.maxActive).toBe(2);
		expect(Object.values(await statuses(db))).toEqual(['indexed', 'indexed', 'indexed', 'indexed', 'indexed']);
		await runner.dispose();
	});

	it('cancels and retries one file, and all files of a case', async () => {
		const { db, fake, runner } = await setup({ concurrency: 1 });
		const { added } = await runner.addFiles('c', [
			{ name: 'a.txt', blob: text('HOLD a') },
			{ name: 'b.txt', blob: text('HOLD b') },
			{ name: 'c.txt', blob: text('HOLD c') }
		]);
		await fake.waitHeld(1);
		runner.cancel(added[0]!.jobId);
		await fake.waitHeld(2);
		runner.cancelAll('c');
		await runner.idle();
		expect(await jobStates(db)).toEqual({ 'a.txt': 'cancelled', 'b.txt': 'cancelled', 'c.txt': 'cancelled' });
		expect((await db.documents.toArray()).map((d) => [d.status, d.error])).toEqual(
			Array(3).fill(['failed', 'Indexing was cancelled. Retry to index it.'])
		);

		runner.retry(added[0]!.jobId);
		await fake.waitHeld(3);
		fake.held[2]!.release();
		await runner.idle();
		expect((await jobStates(db))['a.txt']).toBe('done');
		runner.retryAll('c');
		await fake.waitHeld(4);
		fake.held[3]!.release();
		await fake.waitHeld(5);
		fake.held[4]!.release();
		await runner.idle();
		expect(await statuses(db)).toEqual({ 'a.txt': 'indexed', 'b.txt': 'indexed', 'c.txt': 'indexed' });
		await runner.dispose();
	});

	it('cancels with "Cancel all" the files still being added when it is pressed, and only that case’s', async () => {
		const { db, runner } = await setup();
		const adding = runner.addFiles('c', [
			{ name: 'a.txt', blob: text('plain a') },
			{ name: 'b.txt', blob: text('plain b') }
		]);
		const other = runner.addFiles('d', [{ name: 'd.txt', blob: text('plain d') }]);
		runner.cancelAll('c');
		await Promise.all([adding, other]);
		await runner.idle();
		expect(await jobStates(db)).toEqual({ 'a.txt': 'cancelled', 'b.txt': 'cancelled', 'd.txt': 'done' });
		// A later add is not cancelled by an earlier click.
		await runner.addFiles('c', [{ name: 'e.txt', blob: text('plain e') }]);
		await runner.idle();
		expect((await jobStates(db))['e.txt']).toBe('done');
		await runner.dispose();
	});

	it('resumes unfinished jobs after a reload, and keeps waiting ones waiting', async () => {
		const { db, store, fake, runner } = await setup({ concurrency: 1 });
		await runner.addFiles('c', [
			{ name: 'locked.pdf', blob: text('LOCKED:pw') },
			{ name: 'a.txt', blob: text('HOLD a') },
			{ name: 'b.txt', blob: text('plain b') }
		]);
		await fake.waitHeld(1);
		// The tab closes mid-extraction: nothing finishes.
		await runner.dispose();
		expect(await jobStates(db)).toMatchObject({
			'locked.pdf': 'waiting-password',
			'a.txt': 'extracting',
			'b.txt': 'queued'
		});

		const reloaded = new IngestRunner({ db, files: store, extractor: nodeLikeExtractor() });
		expect(await reloaded.resume()).toBe(2);
		await reloaded.idle();
		expect(await statuses(db)).toEqual({ 'locked.pdf': 'needs-password', 'a.txt': 'indexed', 'b.txt': 'indexed' });
		const locked = (await db.documents.toArray()).find((d) => d.name === 'locked.pdf')!;
		reloaded.submitPassword(reloaded.jobOf(locked.id)!, 'pw');
		await reloaded.idle();
		expect((await statuses(db))['locked.pdf']).toBe('indexed');
		await reloaded.dispose();
	});

	it('fails a job whose original is missing, and retries it once the bytes are back', async () => {
		const { db, store, runner } = await setup();
		const missing: FileStore = {
			kind: 'idb',
			put: (h, b) => store.put(h, b),
			get: () => Promise.resolve(undefined),
			delete: (h) => store.delete(h)
		};
		const broken = new IngestRunner({ db, files: missing, extractor: fakeExtractor().extractor });
		const { added } = await broken.addFiles('c', [{ name: 'a.txt', blob: text('hello') }]);
		await broken.idle();
		const doc = await db.documents.get(added[0]!.documentId);
		expect(doc).toMatchObject({ status: 'failed', error: expect.stringMatching(/original of “a.txt” is missing/) });
		expect((await db.jobs.get(added[0]!.jobId))!.state).toBe('failed');
		await broken.dispose();
		expect(await runner.resume()).toBe(0);
		runner.retry(added[0]!.jobId);
		await runner.idle();
		expect((await db.documents.get(added[0]!.documentId))!.status).toBe('indexed');
		await runner.dispose();
	});

	it('replaces earlier chunks when a document is indexed again', async () => {
		const { db, store, runner } = await setup();
		const { added } = await runner.addFiles('c', [{ name: 'a.txt', blob: text('One. '.repeat(400)) }]);
		await runner.idle();
		await runner.dispose();
		const first = await db.chunks.count();
		expect(first).toBeGreaterThan(1);
		// A job that failed after storing (say, a crash before it was marked done) is retried.
		await db.jobs.update(added[0]!.jobId, { state: 'failed' });
		const retrying = new IngestRunner({ db, files: store, extractor: fakeExtractor().extractor });
		await retrying.resume();
		retrying.retry(added[0]!.jobId);
		await retrying.idle();
		expect(await db.chunks.count()).toBe(first);
		expect(await db.pages.count()).toBe(1);
		expect((await db.outbox.where('table').equals('chunks').toArray()).filter((o) => o.op === 'delete').length).toBe(
			first
		);
		await retrying.dispose();
	});

	it('leads on to embedding when a model is ready, and tells the embedder', async () => {
		const indexed: string[] = [];
		const { db, runner } = await setup({
			embedding: { ready: () => true },
			onDocumentIndexed: (d) => indexed.push(d.name)
		});
		await runner.addFiles('c', [
			{ name: 'a.txt', blob: text('Searchable words.') },
			{ name: 'scan.pdf', blob: text('SCAN') }
		]);
		await runner.idle();
		expect(await statuses(db)).toEqual({ 'a.txt': 'embedding', 'scan.pdf': 'no-text' });
		const embedJobs = await db.jobs.where('[kind+state]').equals(['embed', 'queued']).toArray();
		expect(embedJobs.length).toBe(1);
		expect(embedJobs[0]!.documentId).toBe((await db.documents.toArray()).find((d) => d.name === 'a.txt')!.id);
		expect(indexed).toEqual(['a.txt']);
		await runner.dispose();
	});

	it('lets a storing extractor (the worker) chunk and store, and still ends every state and tells the embedder', async () => {
		const { db, store } = await setup();
		const fake = fakeExtractor();
		const client = new WorkerExtractor(() => {
			const channel = new MessageChannel();
			// The "worker" opens its own connection to the same database, as the browser's worker does.
			serveExtraction(portEndpoint(channel.port2), fake.extractor, (name) => new DocketDatabase(name));
			return { ...portEndpoint(channel.port1), terminate: () => channel.port1.close() };
		});
		const indexed: string[] = [];
		const runner = new IngestRunner({
			db,
			files: store,
			extractor: client,
			embedding: { ready: () => true },
			onDocumentIndexed: (d) => indexed.push(d.name)
		});
		const { added } = await runner.addFiles('c', [
			{ name: 'a.txt', blob: text(`First page.\f${'The court held the contract void. '.repeat(80)}`) },
			{ name: 'scan.pdf', blob: text('SCAN') },
			{ name: 'locked.pdf', blob: text('LOCKED:clé') },
			{ name: 'bad.pdf', blob: text('DAMAGED') }
		]);
		await runner.idle();
		expect(await statuses(db)).toEqual({
			'a.txt': 'embedding',
			'scan.pdf': 'no-text',
			'locked.pdf': 'needs-password',
			'bad.pdf': 'damaged'
		});
		const a = (await db.documents.get(added[0]!.documentId))!;
		expect(a).toMatchObject({ pages: 2, kind: 'text' });
		const chunks = await db.chunks.where('documentId').equals(a.id).toArray();
		expect(chunks.length).toBeGreaterThan(3);
		expect((await db.outbox.toArray()).filter((o) => o.table === 'chunks').length).toBe(chunks.length);
		expect(await db.jobs.where('[kind+state]').equals(['embed', 'queued']).count()).toBe(1);
		expect(indexed).toEqual(['a.txt']);

		runner.submitPassword(added[2]!.jobId, 'clé');
		await runner.idle();
		expect((await db.documents.get(added[2]!.documentId))!.status).toBe('embedding');
		expect(await jobStates(db)).toEqual({
			'a.txt': 'done',
			'scan.pdf': 'done',
			'locked.pdf': 'done',
			'bad.pdf': 'done'
		});
		await runner.dispose();
		client.dispose();
	});

	it('indexes a real PDF through pdf.js, reporting page progress', async () => {
		const { db, store } = await setup();
		const runner = new IngestRunner({ db, files: store, extractor: nodeExtractor() });
		const seen: number[] = [];
		const { added } = await runner.addFiles('c', [{ name: 'gen.pdf', blob: new Blob([makePdf({ pages: 40 })]) }]);
		runner.subscribe(() => {
			const p = runner.progress(added[0]!.jobId);
			if (p) seen.push(p.pagesDone);
		});
		await runner.idle();
		const doc = (await db.documents.get(added[0]!.documentId))!;
		expect(doc).toMatchObject({ status: 'indexed', kind: 'pdf', pages: 40, mimeType: 'application/pdf' });
		expect(Math.max(...seen)).toBe(40);
		const chunk = (await db.chunks.where('documentId').equals(doc.id).toArray()).find((c) => c.page === 40)!;
		// "Page 40 of 40." is the page's footer: it names the page instead of being part of its passages.
		expect(chunk.text).toContain('This generated page number 40 tells');
		expect(chunk).toMatchObject({ label: '40' });
		expect(chunk.text).not.toContain('Page 40 of 40');
		await runner.dispose();
	});
});

/** A non-holding fake, for the tab that resumes. */
function nodeLikeExtractor(): Extractor {
	const fake = fakeExtractor();
	return {
		extract: (input, options) => {
			const body = new TextDecoder().decode(input.bytes);
			if (body.startsWith('HOLD'))
				return fake.extractor.extract({ ...input, bytes: new TextEncoder().encode(body.slice(4)) }, options);
			return fake.extractor.extract(input, options);
		}
	};
}

/** Web Locks in memory, as one origin's tabs share them: a freed lock goes to the first waiter. */
function memoryLocks(): JobLockManager {
	const held = new Set<string>();
	const waiting = new Map<string, (() => void)[]>();
	const release = (name: string) => {
		const next = waiting.get(name)?.shift();
		if (next) next();
		else held.delete(name);
	};
	return {
		async request(name, options, callback) {
			if (held.has(name)) {
				if (options.ifAvailable) return callback(null);
				await new Promise<void>((resolve, reject) => {
					const list = waiting.get(name) ?? [];
					list.push(resolve);
					waiting.set(name, list);
					options.signal?.addEventListener('abort', () => {
						list.splice(list.indexOf(resolve), 1);
						reject(new DOMException('The request was aborted.', 'AbortError'));
					});
				});
			} else held.add(name);
			try {
				return await callback({ name });
			} finally {
				release(name);
			}
		}
	};
}

describe('IngestRunner in two tabs', () => {
	it('leaves the jobs another tab holds to it: shows its progress, forwards password and cancel, takes over when it closes', async () => {
		const { db, store } = await freshStore();
		const locks = memoryLocks();
		const channel = `docket-test-${crypto.randomUUID()}`;
		const claims = () => new JobClaims(locks, new BroadcastChannel(channel) as unknown as ClaimChannel);
		const first = fakeExtractor();
		const a = new IngestRunner({ db, files: store, extractor: first.extractor, concurrency: 2, claims: claims() });
		await a.addFiles('c', [
			{ name: 'held.txt', blob: text('HOLD held') },
			{ name: 'locked.pdf', blob: text('LOCKED:pw') },
			{ name: 'later.txt', blob: text('HOLD later') }
		]);
		await first.waitHeld(2);

		// A second tab opens: every job is the first tab's.
		const second = fakeExtractor();
		const b = new IngestRunner({ db, files: store, extractor: second.extractor, claims: claims() });
		expect(await b.resume()).toBe(0);
		const docs = new Map((await db.documents.toArray()).map((d) => [d.name, d.id]));
		const stateIn = (runner: IngestRunner, name: string) => runner.progress(runner.jobOf(docs.get(name)!)!)?.state;
		await expect.poll(() => stateIn(b, 'locked.pdf')).toBe('waiting-password');
		expect(stateIn(b, 'held.txt')).toBe('extracting');

		// What the person does in the second tab happens in the first.
		b.submitPassword(b.jobOf(docs.get('locked.pdf')!)!, 'pw');
		await expect.poll(async () => (await statuses(db))['locked.pdf']).toBe('indexed');
		b.cancel(b.jobOf(docs.get('later.txt')!)!);
		await expect.poll(async () => (await jobStates(db))['later.txt']).toBe('cancelled');
		expect(second.calls).toEqual([]);

		// The first tab closes mid-extraction: the second takes over what is left, and only that.
		await a.dispose();
		await second.waitHeld(1);
		second.held[0]!.release();
		await expect.poll(async () => (await statuses(db))['held.txt']).toBe('indexed');
		await b.idle();
		expect(second.calls.map((c) => c.name)).toEqual(['held.txt']);
		expect(await jobStates(db)).toEqual({ 'held.txt': 'done', 'locked.pdf': 'done', 'later.txt': 'cancelled' });
		expect(await db.chunks.where('documentId').equals(docs.get('locked.pdf')!).count()).toBeGreaterThan(0);
		await b.dispose();
	});

	it('takes up a job once when a second resume starts while the first reads it', async () => {
		const { db, store } = await freshStore();
		const first = fakeExtractor();
		const a = new IngestRunner({ db, files: store, extractor: first.extractor });
		await a.addFiles('c', [{ name: 'held.txt', blob: text('HOLD held') }]);
		await first.waitHeld(1);
		await a.dispose();

		// The claimed job's row is read slowly, so a second resume (a neighbour tab finishing) arrives meanwhile.
		const get = db.jobs.get.bind(db.jobs);
		let reads = 0;
		db.jobs.get = ((key: string) => {
			reads++;
			return new Promise((resolve) => setTimeout(resolve, 300)).then(() => get(key));
		}) as typeof db.jobs.get;
		const channel = `docket-test-${crypto.randomUUID()}`;
		const second = fakeExtractor();
		const b = new IngestRunner({
			db,
			files: store,
			extractor: second.extractor,
			claims: new JobClaims(memoryLocks(), new BroadcastChannel(channel) as unknown as ClaimChannel)
		});
		const resumed = b.resume();
		await expect.poll(() => reads, { interval: 5 }).toBeGreaterThan(0);
		expect(await Promise.all([resumed, b.resume()])).toEqual([1, 0]);
		await second.waitHeld(1);
		second.held[0]!.release();
		await b.idle();
		expect(second.calls.map((c) => c.name)).toEqual(['held.txt']);
		expect(await statuses(db)).toEqual({ 'held.txt': 'indexed' });
		await b.dispose();
	});
});
