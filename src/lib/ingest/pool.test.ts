import { afterAll, describe, expect, it } from 'vitest';
import { chunkPages } from './chunker.ts';
import { createExtractor, type PagesResult } from './extract.ts';
import { nodeExtractor } from './extract.node.ts';
import { nodePdfPlatform } from './pdf-platform.node.ts';
import { ExtractionPool, splitRange, type ExtractionBackend, type ExtractionJob } from './pool.ts';
import { nodeExtractionPool } from './pool.node.ts';
import { makePdf } from './testing/make-pdf.ts';
import { aes256Security } from './testing/pdf-encryption.ts';
import { hasPages, type Extraction, type ExtractionInput } from './types.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** An in-thread backend over the real core, recording the ranges it was asked for. */
function recordingBackend(jobs: ExtractionJob[]): ExtractionBackend {
	const core = createExtractor(nodePdfPlatform());
	return {
		extract(job, signal, onProgress): Promise<PagesResult> {
			jobs.push(job);
			const { range, password, ...input } = job;
			return core.extractPages(input, {
				onProgress,
				...(signal ? { signal } : {}),
				...(range ? { range } : {}),
				...(password === undefined ? {} : { password })
			});
		},
		dispose() {}
	};
}

function chunksOf(result: Extraction) {
	return hasPages(result) ? chunkPages(result.pages) : [];
}

describe('splitRange', () => {
	it('covers the pages exactly, in near-equal parts of at least the minimum', () => {
		expect(splitRange(65, 2000, 4, 64)).toEqual([
			{ first: 65, last: 548 },
			{ first: 549, last: 1032 },
			{ first: 1033, last: 1516 },
			{ first: 1517, last: 2000 }
		]);
		expect(splitRange(65, 100, 4, 64)).toEqual([{ first: 65, last: 100 }]);
		expect(splitRange(5, 4, 4, 64)).toEqual([]);
	});
});

describe('the ingestion pool', () => {
	const pool = nodeExtractionPool({ size: 2 });
	afterAll(() => pool.close());

	it('gives each file what sequential extraction gives, file by file, in worker threads', async () => {
		const protectedPdf = makePdf({ pages: 2, security: aes256Security('secret') });
		const inputs: (ExtractionInput & { password?: string })[] = [
			{ name: 'a.pdf', bytes: makePdf({ pages: 3 }) },
			{ name: 'b.pdf', bytes: makePdf({ pages: 150, lines: (n) => [`Exhibit ${n}`, `Line two of ${n}.`] }) },
			{ name: 'notes.md', bytes: utf8('# Notes\n\nThe lease ends in May.') },
			{ name: 'cut.pdf', bytes: makePdf({ pages: 20 }).subarray(0, 900) },
			{ name: 'empty.pdf', bytes: new Uint8Array() },
			{ name: 'blank.pdf', bytes: makePdf({ pages: 2, lines: () => [] }) },
			{ name: 'locked.pdf', bytes: protectedPdf },
			{ name: 'locked-open.pdf', bytes: protectedPdf, password: 'secret' }
		];
		const sequential: Extraction[] = [];
		for (const input of inputs)
			sequential.push(
				await nodeExtractor().extract(input, input.password === undefined ? {} : { password: input.password })
			);
		const pooled = await Promise.all(
			inputs.map((input) => pool.extract(input, input.password === undefined ? {} : { password: input.password }))
		);
		expect(pooled.map((r) => r.status)).toEqual([
			'indexed',
			'indexed',
			'indexed',
			'damaged',
			'unsupported',
			'no-text',
			'needs-password',
			'indexed'
		]);
		for (const [i, result] of pooled.entries()) {
			expect(result, inputs[i]!.name).toEqual(sequential[i]);
			expect(chunksOf(result)).toEqual(chunksOf(sequential[i]!));
		}
	}, 120_000);

	it('splits a 2,000-page PDF by page ranges across workers and joins the same pages and chunks', async () => {
		const bytes = makePdf({ pages: 2000 });
		const whole = await nodeExtractor().extract({ name: 'big.pdf', bytes });
		const jobs: ExtractionJob[] = [];
		const split = new ExtractionPool({ size: 4, createBackend: () => recordingBackend(jobs), rangePages: 100 });
		const progress: number[] = [];
		const joined = await split.extract({ name: 'big.pdf', bytes }, { onProgress: (p) => progress.push(p.pagesDone) });
		split.close();
		expect(jobs.map((j) => j.range)).toEqual([
			{ first: 1, last: 100 },
			{ first: 101, last: 575 },
			{ first: 576, last: 1050 },
			{ first: 1051, last: 1525 },
			{ first: 1526, last: 2000 }
		]);
		expect(joined.status).toBe('indexed');
		expect(joined).toEqual(whole);
		expect(chunksOf(joined)).toEqual(chunksOf(whole));
		expect(Math.max(...progress)).toBe(2000);
	}, 120_000);

	it('reads whole files without a probe while enough files wait for every worker', async () => {
		const jobs: ExtractionJob[] = [];
		const busy = new ExtractionPool({ size: 2, createBackend: () => recordingBackend(jobs), rangePages: 10 });
		const files = Array.from({ length: 6 }, (_, i) => ({ name: `f${i}.pdf`, bytes: makePdf({ pages: 30 }) }));
		const results = await Promise.all(files.map((f) => busy.extract(f)));
		busy.close();
		expect(results.every((r) => r.status === 'indexed' && r.pageCount === 30)).toBe(true);
		// The first files start while four more wait: whole. The last ones find idle workers: probed, then split.
		expect(jobs.slice(0, 4).map((j) => j.range)).toEqual([undefined, undefined, undefined, undefined]);
		expect(jobs.some((j) => j.range?.first === 11)).toBe(true);
	});

	it('fails only the file whose worker crashed, and starts a new worker for the rest', async () => {
		const crashing = nodeExtractionPool({
			size: 2,
			entry: new URL('./testing/crashing-worker.node.ts', import.meta.url)
		});
		try {
			const names = ['one.pdf', 'crash.pdf', 'two.pdf', 'three.pdf', 'four.pdf'];
			const outcomes = await Promise.allSettled(
				names.map((name) => crashing.extract({ name, bytes: makePdf({ pages: 5 }) }))
			);
			expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
			const failed = outcomes[1];
			expect(failed?.status === 'rejected' && String(failed.reason)).toMatch(/extraction worker stopped/);
			for (const o of outcomes) if (o.status === 'fulfilled') expect(o.value.status).toBe('indexed');
		} finally {
			crashing.close();
		}
	}, 120_000);

	it('cancels a queued file without touching the others', async () => {
		const jobs: ExtractionJob[] = [];
		const small = new ExtractionPool({ size: 1, createBackend: () => recordingBackend(jobs) });
		const controller = new AbortController();
		const first = small.extract({ name: 'a.pdf', bytes: makePdf({ pages: 2 }) });
		const second = small.extract({ name: 'b.pdf', bytes: makePdf({ pages: 2 }) }, { signal: controller.signal });
		controller.abort();
		await expect(second).rejects.toThrow(/cancelled/);
		expect((await first).status).toBe('indexed');
		small.close();
		expect(jobs.map((j) => j.name)).toEqual(['a.pdf']);
	});
});
