import { afterEach, describe, expect, it } from 'vitest';
import { DocketDatabase } from '../db/database.ts';
import { createExtractor } from '../ingest/extract.ts';
import { IngestRunner } from '../ingest/ingest-runner.ts';
import { nodePdfPlatform } from '../ingest/pdf-platform.node.ts';
import { serveExtraction, WorkerExtractor } from '../ingest/protocol.ts';
import { makePdf } from '../ingest/testing/make-pdf.ts';
import { freshStore } from '../testing/db.ts';
import { portEndpoint } from '../worker/transport.ts';
import { OcrPool, type OcrEngine } from './engine.ts';
import type { RecognizedBlock } from './layout.ts';
import { decodeImageNode, renderPageNode } from './render.node.ts';
import { ScanReader } from './scan-reader.ts';
import { saveOcrLanguages } from './settings.ts';
import { makeImagePdf, makeMixedPdf, scanLines } from './testing/make-scan.ts';
import { ocrPagesRead } from '../db/ocr-pages.ts';
import { OcrUnavailableError } from '../errors.ts';

/**
 * A scripted OCR engine: every page reads "Exhibit page N" (N counts reads), `hold` keeps reads waiting
 * until released, and it records what it was started with and how many reads finished.
 */
function scriptedOcr() {
	const state = {
		finished: 0,
		started: [] as string[],
		terminated: 0,
		hold: false,
		waiting: [] as (() => void)[],
		/** Where on the page image the words are read (pixels). */
		at: { x: 0, y: 0 },
		/** Engines fail to start, as when the OCR files are missing. */
		broken: false
	};
	const release = () => {
		state.hold = false;
		for (const go of state.waiting.splice(0)) go();
	};
	const makePool = (languages: string[]) =>
		new OcrPool(async (): Promise<OcrEngine> => {
			state.started.push(languages.join('+'));
			if (state.broken) throw new OcrUnavailableError('no engine in this test');
			let dead = false;
			return {
				async recognize(): Promise<RecognizedBlock[]> {
					if (state.hold) await new Promise<void>((resolve) => state.waiting.push(resolve));
					// A terminated tesseract worker never answers: its reads count for nothing.
					if (dead) return new Promise<never>(() => {});
					const n = ++state.finished;
					const word = (text: string, x0: number) => ({
						text,
						confidence: 91,
						bbox: { x0: x0 + state.at.x, y0: 10 + state.at.y, x1: x0 + 90 + state.at.x, y1: 40 + state.at.y }
					});
					return [
						{ paragraphs: [{ lines: [{ words: [word('Exhibit', 10), word('page', 110), word(String(n), 210)] }] }] }
					];
				},
				async terminate() {
					dead = true;
					state.terminated++;
				}
			};
		}, 2);
	return { state, release, makePool };
}

async function until(check: () => Promise<boolean> | boolean, what: string) {
	for (let i = 0; i < 1000; i++) {
		if (await check()) return;
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
	throw new Error(`Timed out waiting for ${what}.`);
}

describe('OCR as part of the ingest job', () => {
	const cleanup: (() => unknown)[] = [];
	afterEach(async () => {
		for (const step of cleanup.splice(0).reverse()) await step();
	});

	async function setup() {
		const { db, store } = await freshStore();
		const ocr = scriptedOcr();
		const scans = new ScanReader(ocr.makePool, renderPageNode, decodeImageNode);
		const extractor = createExtractor(nodePdfPlatform());
		const connect = () =>
			new WorkerExtractor(() => {
				const channel = new MessageChannel();
				serveExtraction(portEndpoint(channel.port2), extractor, (name) => new DocketDatabase(name), scans);
				return { ...portEndpoint(channel.port1), terminate: () => channel.port1.close() };
			});
		const runner = (client = connect()) => {
			const r = new IngestRunner({ db, files: store, extractor: client });
			cleanup.push(
				() => client.dispose(),
				() => r.dispose()
			);
			return r;
		};
		cleanup.push(() => scans.dispose());
		return { db, store, ocr, runner };
	}

	const scanPdf = async (pages: number) => {
		const page = await scanLines(['Exhibit'], { dpi: 30 });
		return new Blob([makeImagePdf(Array.from({ length: pages }, () => page)).slice().buffer]);
	};
	// A one-page scan of its own (distinct bytes, so not a duplicate of another).
	const scanOf = async (text: string) =>
		new Blob([makeImagePdf([await scanLines([text], { dpi: 30 })]).slice().buffer]);

	it('reads a scan after the text files, stores its words and summary, and resumes a cut-short run after the last page read', async () => {
		const { db, ocr, runner } = await setup();
		await saveOcrLanguages(db, ['deu', 'klingon']);
		ocr.state.hold = true;
		const first = runner();
		const { added } = await first.addFiles('c', [
			{ name: 'scan.pdf', blob: await scanPdf(3) },
			{ name: 'brief.pdf', blob: new Blob([makePdf({ pages: 2 }).slice().buffer]) }
		]);
		const [scan, brief] = added.map((a) => a.documentId);
		// The text file is stored while the scan waits; then the scan's pages are read, one stored as read.
		await until(async () => (await db.documents.get(brief!))?.status === 'indexed', 'the text PDF');
		await until(() => ocr.state.waiting.length > 0, 'the first read');
		expect(first.progress(added[0]!.jobId)?.scan).toBe('reading');
		ocr.state.waiting.shift()!();
		await until(async () => (await db.pages.get([scan!, 1]))?.ocr !== undefined, 'page 1 stored as read');
		expect(ocr.state.started[0]).toBe('eng+deu');

		// A reload: this tab's runner stops mid-scan; the next one resumes after page 1.
		await first.dispose();
		const finishedBefore = ocr.state.finished;
		expect(finishedBefore).toBe(1);
		ocr.release();
		const second = runner();
		await second.resume();
		await second.idle();
		const doc = (await db.documents.get(scan!))!;
		expect(doc.status).toBe('indexed');
		expect(doc.kind).toBe('pdf');
		expect(doc.ocr).toEqual({ pages: [1, 2, 3], lowestConfidence: 91, checkPages: [] });
		expect(ocr.state.finished).toBe(3);
		const pages = await db.pages.where('documentId').equals(scan!).sortBy('page');
		expect(pages.map((p) => p.text)).toEqual(['Exhibit page 1', 'Exhibit page 2', 'Exhibit page 3']);
		expect(pages[0]!.ocr?.words.map((w) => pages[0]!.text.slice(w.start, w.end))).toEqual(['Exhibit', 'page', '1']);
		const chunks = await db.chunks.where('documentId').equals(scan!).toArray();
		expect(chunks.map((c) => c.page).sort()).toEqual([1, 2, 3]);
	}, 60_000);

	it('cancels a scan while it is read: the engines stop, nothing is stored, and a retry finishes it', async () => {
		const { db, ocr, runner } = await setup();
		ocr.state.hold = true;
		const r = runner();
		const { added } = await r.addFiles('c', [{ name: 'scan.pdf', blob: await scanPdf(2) }]);
		await until(() => ocr.state.waiting.length > 0, 'a read');
		r.cancel(added[0]!.jobId);
		await r.idle();
		await until(() => ocr.state.terminated > 0, 'the engines to stop');
		expect((await db.documents.get(added[0]!.documentId))?.status).toBe('failed');
		expect(await db.chunks.count()).toBe(0);
		ocr.release();
		r.retry(added[0]!.jobId);
		await r.idle();
		expect((await db.documents.get(added[0]!.documentId))?.status).toBe('indexed');
	}, 60_000);

	it('starts no OCR engine for text files', async () => {
		const { db, ocr, runner } = await setup();
		const r = runner();
		const { added } = await r.addFiles('c', [
			{ name: 'brief.pdf', blob: new Blob([makePdf({ pages: 3 }).slice().buffer]) }
		]);
		await r.idle();
		expect((await db.documents.get(added[0]!.documentId))?.status).toBe('indexed');
		expect((await db.documents.get(added[0]!.documentId))?.ocr).toBeUndefined();
		expect(ocr.state.started).toEqual([]);
	});

	it('reads the image on a text page by OCR after its text layer, and later runs take only the image’s read as read', async () => {
		const { db, ocr, runner } = await setup();
		// The scripted words sit in the lower part of the 300 dpi page, where the exhibit is.
		ocr.state.at = { x: 300, y: 2000 };
		const exhibit = await scanLines(['Exhibit'], { dpi: 30 });
		const pdf = makeMixedPdf([{ lines: ['Brief with an exhibit below.'], scan: exhibit, rect: [0, 0, 612, 500] }]);
		const r = runner();
		const { added } = await r.addFiles('c', [{ name: 'brief.pdf', blob: new Blob([pdf.slice().buffer]) }]);
		await r.idle();
		const id = added[0]!.documentId;
		const doc = (await db.documents.get(id))!;
		expect(doc.status).toBe('indexed');
		expect(doc.ocr).toEqual({ pages: [1], lowestConfidence: 91, checkPages: [], regionPages: [1] });
		const row = (await db.pages.get([id, 1]))!;
		expect(row.text).toBe('Brief with an exhibit below.\n\nExhibit page 1');
		expect(row.ocr?.from).toBe('Brief with an exhibit below.\n\n'.length);
		expect(row.ocr?.words.map((w) => row.text.slice(w.start, w.end))).toEqual(['Exhibit', 'page', '1']);
		const chunks = await db.chunks.where('documentId').equals(id).toArray();
		expect(chunks.map((c) => c.text).join(' ')).toMatch(/Brief with an exhibit below\.\s+Exhibit page 1/);
		// What a later run of the job takes as read is the image's read alone, so it is never added twice.
		const known = (await ocrPagesRead(db, id)).get(1)!;
		expect(known.text).toBe('Exhibit page 1');
		expect(known.words.map((w) => known.text.slice(w.start, w.end))).toEqual(['Exhibit', 'page', '1']);
		expect(ocr.state.finished).toBe(1);
	}, 60_000);

	it('reads two one-page scans at once, one per engine; cancelling one leaves the other to finish', async () => {
		const { db, ocr, runner } = await setup();
		ocr.state.hold = true;
		const r = runner();
		const { added } = await r.addFiles('c', [
			{ name: 'exhibit-1.pdf', blob: await scanOf('Exhibit one') },
			{ name: 'exhibit-2.pdf', blob: await scanOf('Exhibit two') }
		]);
		// Both engines are at work, each on its own file.
		await until(() => ocr.state.waiting.length === 2, 'both files read at once');
		expect(added.map((a) => r.progress(a.jobId)?.scan)).toEqual(['reading', 'reading']);
		r.cancel(added[0]!.jobId);
		await until(() => ocr.state.terminated > 0, 'the cancelled file’s engine to stop');
		ocr.release();
		await r.idle();
		expect((await db.documents.get(added[0]!.documentId))?.status).toBe('failed');
		expect((await db.documents.get(added[1]!.documentId))?.status).toBe('indexed');
		expect(ocr.state.terminated).toBe(1);
	}, 60_000);

	it('when OCR cannot start, a text PDF keeps its text layer and says which images went unread; a scan fails', async () => {
		const { db, ocr, runner } = await setup();
		ocr.state.broken = true;
		const exhibit = await scanLines(['Exhibit'], { dpi: 30 });
		const brief = makeMixedPdf([{ lines: ['Brief with an exhibit below.'], scan: exhibit, rect: [0, 0, 612, 500] }]);
		const r = runner();
		const { added } = await r.addFiles('c', [
			{ name: 'brief.pdf', blob: new Blob([brief.slice().buffer]) },
			{ name: 'scan.pdf', blob: await scanOf('Exhibit three') }
		]);
		await r.idle();
		const [briefDoc, scanDoc] = await Promise.all(added.map((a) => db.documents.get(a.documentId)));
		expect(briefDoc?.status).toBe('indexed');
		expect(briefDoc?.ocr).toBeUndefined();
		expect(briefDoc?.ocrSkipped).toEqual({ pages: [1], reason: expect.stringContaining('could not start') });
		const chunks = await db.chunks.where('documentId').equals(briefDoc!.id).toArray();
		expect(chunks.map((c) => c.text).join(' ')).toContain('Brief with an exhibit below.');
		expect(scanDoc?.status).toBe('failed');
		expect(scanDoc?.error).toMatch(/could not start/);
	}, 60_000);
});
