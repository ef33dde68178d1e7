import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../db/hash.ts';
import type { DocumentRow } from '../db/schema.ts';
import { freshStore } from '../testing/db.ts';
import { SyncApi } from './api-client.ts';
import { downloadDocumentFile, downloadMissing, missingFiles } from './downloads.ts';

const bytes = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 31) % 251);

/** A file server that honours Range and can be told to drop the connection after some requests. */
function fileServer(body: Uint8Array, { failAfter = Infinity, ignoreRange = false } = {}) {
	let served = 0;
	const ranges: string[] = [];
	const fetcher: typeof fetch = async (_input, init) => {
		const range = new Headers(init?.headers).get('range');
		ranges.push(range ?? '');
		if (served++ >= failAfter) throw new TypeError('Failed to fetch');
		const match = /^bytes=(\d+)-(\d+)$/.exec(range ?? '');
		if (!match || ignoreRange)
			return new Response(body.slice(), { status: 200, headers: { 'content-length': String(body.length) } });
		const start = Number(match[1]);
		const end = Math.min(Number(match[2]), body.length - 1);
		return new Response(body.slice(start, end + 1), {
			status: 206,
			headers: { 'content-range': `bytes ${start}-${end}/${body.length}` }
		});
	};
	return { fetcher, ranges };
}

async function pulledDocument(content: Uint8Array, overrides: Partial<DocumentRow> = {}): Promise<DocumentRow> {
	const now = Date.now();
	return {
		id: crypto.randomUUID(),
		caseId: crypto.randomUUID(),
		name: 'brief.pdf',
		sha256: await sha256Hex(new Blob([content.slice()])),
		size: content.length,
		mimeType: 'application/pdf',
		kind: 'pdf',
		status: 'indexed',
		createdAt: now,
		updatedAt: now,
		rev: 3,
		...overrides
	};
}

const server = { url: 'https://docket.example', token: 'dkt_x' };
const noSleep = async () => {};

describe('downloads of pulled documents’ bytes', () => {
	it('lists pulled documents without bytes, downloads them in parts and stores them by hash', async () => {
		const { db, store } = await freshStore();
		const doc = await pulledDocument(bytes);
		await db.documents.add(doc);
		await db.documents.add({ ...doc, id: crypto.randomUUID() }); // same bytes twice: one download
		await db.documents.add(await pulledDocument(Uint8Array.of(1, 2, 3), { rev: 0 })); // local only
		expect(await missingFiles(db)).toHaveLength(1);
		const { fetcher, ranges } = fileServer(bytes);
		const result = await downloadMissing(db, store, new SyncApi(server, fetcher), { partBytes: 4096, sleep: noSleep });
		expect(result).toEqual({ downloaded: 1, failed: [] });
		expect(ranges).toEqual(['bytes=0-4095', 'bytes=4096-8191', 'bytes=8192-12287']);
		const stored = await store.get(doc.sha256);
		expect(await sha256Hex(stored!)).toBe(doc.sha256);
		expect(await db.files.get(doc.sha256)).toMatchObject({ size: bytes.length, mimeType: 'application/pdf' });
		expect(await missingFiles(db)).toHaveLength(0);
		expect(await db.syncState.count()).toBe(0);
	});

	it('resumes from the bytes kept by an attempt that lost the connection', async () => {
		const { db, store } = await freshStore();
		const doc = await pulledDocument(bytes);
		await db.documents.add(doc);
		const broken = fileServer(bytes, { failAfter: 1 });
		await expect(
			downloadDocumentFile(db, store, new SyncApi(server, broken.fetcher), doc, {
				partBytes: 4096,
				retryDelays: [0],
				sleep: noSleep
			})
		).rejects.toThrow(/reached/);
		expect(await store.get(doc.sha256)).toBeUndefined();
		// The part that arrived is kept on its own; the next attempt asks only for what is missing.
		expect((await db.syncState.toArray()).map((row) => (row.value instanceof Blob ? row.value.size : -1))).toEqual([
			4096
		]);
		const { fetcher, ranges } = fileServer(bytes);
		await downloadDocumentFile(db, store, new SyncApi(server, fetcher), doc, { partBytes: 4096, sleep: noSleep });
		expect(ranges[0]).toBe('bytes=4096-8191');
		expect(await sha256Hex((await store.get(doc.sha256))!)).toBe(doc.sha256);
	});

	it('retries a dropped part and copes with a server that ignores Range', async () => {
		const { db, store } = await freshStore();
		const doc = await pulledDocument(bytes);
		const flaky = fileServer(bytes, { failAfter: 0 });
		let calls = 0;
		const fetcher: typeof fetch = async (input, init) =>
			calls++ === 0 ? flaky.fetcher(input, init) : fileServer(bytes, { ignoreRange: true }).fetcher(input, init);
		await downloadDocumentFile(db, store, new SyncApi(server, fetcher), doc, { partBytes: 4096, sleep: noSleep });
		expect(calls).toBe(2);
		expect(await sha256Hex((await store.get(doc.sha256))!)).toBe(doc.sha256);
	});

	it('refuses bytes whose SHA-256 does not match, and keeps nothing of them', async () => {
		const { db, store } = await freshStore();
		const doc = await pulledDocument(bytes);
		const tampered = bytes.slice();
		tampered[5000] = tampered[5000]! ^ 1;
		const { fetcher } = fileServer(tampered);
		await expect(
			downloadDocumentFile(db, store, new SyncApi(server, fetcher), doc, { partBytes: 4096, sleep: noSleep })
		).rejects.toThrow(/fingerprint/);
		expect(await store.get(doc.sha256)).toBeUndefined();
		expect(await db.files.count()).toBe(0);
		expect(await db.syncState.count()).toBe(0);
	});
});
