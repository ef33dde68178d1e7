import { describe, expect, it } from 'vitest';
import { CancelledError, DocketError } from '../errors.ts';
import { nodeExtractor } from './extract.node.ts';
import { portEndpoint, type ClientEndpoint } from '../worker/transport.ts';
import { serveExtraction, WorkerExtractor, type ExtractionCalls } from './protocol.ts';
import { makePdf } from './testing/make-pdf.ts';
import { makeEml } from './email/testing.ts';
import { freshDatabase } from '../testing/db.ts';
import { DocketDatabase } from '../db/database.ts';
import type { Extractor } from './types.ts';

/** The worker side on one end of a MessageChannel, the client on the other: the real protocol, no Worker. */
function connectTo(extractor: Extractor, timeoutMs = 20_000, database?: (name: string) => DocketDatabase) {
	let die: ((reason: string) => void) | undefined;
	let connections = 0;
	const client = new WorkerExtractor(
		(): ClientEndpoint<ExtractionCalls> => {
			connections++;
			const channel = new MessageChannel();
			serveExtraction(portEndpoint(channel.port2), extractor, database);
			const page: ClientEndpoint<ExtractionCalls> = portEndpoint(channel.port1);
			return {
				postMessage: (message, transfer) => page.postMessage(message, transfer),
				listen(onMessage, onDeath) {
					die = onDeath;
					return page.listen(onMessage, onDeath);
				},
				terminate: () => channel.port1.close()
			};
		},
		{ timeoutMs }
	);
	return { client, kill: (reason: string) => die?.(reason), connections: () => connections };
}

describe('extraction worker protocol', () => {
	it('extracts through the worker, with progress, and moves the bytes instead of copying them', async () => {
		const { client } = connectTo(nodeExtractor());
		const bytes = makePdf({ pages: 12 });
		const progress: number[] = [];
		const result = await client.extract({ name: 'a.pdf', bytes }, { onProgress: (p) => progress.push(p.pagesDone) });
		expect(result).toMatchObject({ status: 'indexed', pageCount: 12 });
		expect(progress.at(-1)).toBe(12);
		expect(bytes.byteLength).toBe(0); // transferred
		client.dispose();
	});

	it('indexes in the worker: chunks and pages go to the database there, the page gets the outcome without text', async () => {
		const db = await freshDatabase();
		const now = Date.now();
		await db.documents.add({
			id: 'd',
			caseId: 'c',
			name: 'a.pdf',
			sha256: 'x',
			size: 1,
			mimeType: 'application/pdf',
			kind: 'unknown',
			status: 'extracting',
			createdAt: now,
			updatedAt: now,
			rev: 0
		});
		const { client } = connectTo(nodeExtractor(), 20_000, (name) => new DocketDatabase(name));
		const progress: number[] = [];
		const result = await client.extractAndStore(
			{ name: 'a.pdf', bytes: makePdf({ pages: 30 }) },
			db.name,
			{ documentId: 'd', caseId: 'c', embed: false },
			{
				onProgress: (p) => progress.push(p.pagesDone)
			}
		);
		expect(result).toMatchObject({
			status: 'stored',
			extractionStatus: 'indexed',
			document: { id: 'd', status: 'indexed', pages: 30 }
		});
		expect(JSON.stringify(result)).not.toContain('Page 1 of 30');
		expect(await db.pages.count()).toBe(30);
		expect((await db.chunks.toArray()).some((c) => c.text.includes('This generated page number 30 tells'))).toBe(true);
		// Progress is coalesced in the worker, but the first and last always arrive.
		expect(progress[0]).toBe(0);
		expect(progress.at(-1)).toBe(30);
		expect(progress.length).toBeLessThanOrEqual(31);

		// A store that fails in the worker comes back as a typed error, like any other.
		await expect(
			client.extractAndStore({ name: 'b.txt', bytes: new TextEncoder().encode('hi') }, db.name, {
				documentId: 'gone',
				caseId: 'c',
				embed: false
			})
		).rejects.toBeInstanceOf(DocketError);
		client.dispose();
	});

	it('lays a message out in the worker for the viewer: its text, header block and paragraphs, not its attachments', async () => {
		const { client } = connectTo(nodeExtractor());
		const attachment = makePdf({ pages: 1, lines: () => ['A large exhibit.'] });
		const bytes = new TextEncoder().encode(
			makeEml({
				from: 'Ann Smith <ann@smith.example>',
				to: 'bob@jones.example',
				subject: 'Lease',
				date: 'Sun, 3 Mar 2024 10:00:00 +0000',
				text: 'Bob,\n\nThe lease is attached.',
				attachments: [{ name: 'exhibit.pdf', mimeType: 'application/pdf', bytes: attachment }]
			})
		);
		const result = await client.layOut('email', { name: 'lease.eml', bytes });
		expect(bytes.byteLength).toBe(0); // transferred to the worker
		if (!('page' in result)) throw new Error(result.error);
		const { text, headerEnd, paragraphs } = result.page;
		expect(text.slice(0, headerEnd)).toContain('From: Ann Smith <ann@smith.example>');
		expect(paragraphs.map((p, i) => text.slice(p, paragraphs[i + 1] ?? text.length).trim())).toEqual([
			'Bob,',
			'The lease is attached.'
		]);
		// Only the layout crosses back: no children, no bytes.
		expect(Object.keys(result)).toEqual(['page']);
		expect(Object.keys(result.page).sort()).toEqual(['headerEnd', 'paragraphs', 'text']);
		// A Word file that is not one answers why, as data.
		const broken = await client.layOut('docx', { name: 'draft.docx', bytes: new Uint8Array([0x50, 0x4b, 3, 4, 1, 2]) });
		expect(broken).toEqual({ error: expect.stringMatching(/could not read this Word file/) });
		client.dispose();
	});

	it('passes the password and brings states back as data', async () => {
		const seen: (string | undefined)[] = [];
		const fake: Extractor = {
			extract: (_input, options) => {
				seen.push(options?.password);
				return Promise.resolve({ status: 'needs-password', kind: 'pdf', reason: 'incorrect', error: 'wrong' });
			}
		};
		const { client } = connectTo(fake);
		expect(
			await client.extract({ name: 'x.pdf', bytes: new Uint8Array([1]) }, { password: 'mot de passe é' })
		).toMatchObject({ reason: 'incorrect' });
		expect(seen).toEqual(['mot de passe é']);
		client.dispose();
	});

	it('cancels a running extraction in the worker and rejects with a typed error', async () => {
		const { client } = connectTo(nodeExtractor());
		const controller = new AbortController();
		const run = client.extract(
			{ name: 'big.pdf', bytes: makePdf({ pages: 400 }) },
			{ signal: controller.signal, onProgress: (p) => p.pagesDone > 0 && controller.abort() }
		);
		const error: unknown = await run.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(DocketError);
		expect(error).toMatchObject({ code: 'cancelled', name: 'CancelledError' });
		client.dispose();
	});

	it('rejects every pending call when the worker dies, then starts a new one', async () => {
		const never: Extractor = { extract: () => new Promise(() => undefined) };
		const { client, kill, connections } = connectTo(never);
		const a = client.extract({ name: 'a.txt', bytes: new Uint8Array([65]) });
		const b = client.extract({ name: 'b.txt', bytes: new Uint8Array([66]) });
		kill('out of memory');
		await expect(a).rejects.toMatchObject({ code: 'worker-crashed', message: expect.stringMatching(/out of memory/) });
		await expect(b).rejects.toMatchObject({ code: 'worker-crashed' });
		expect(connections()).toBe(1);
		const c = client.extract({ name: 'c.txt', bytes: new Uint8Array([67]) });
		expect(connections()).toBe(2);
		client.dispose();
		await expect(c).rejects.toBeInstanceOf(DocketError);
	});

	it('times out a call that makes no progress', async () => {
		const never: Extractor = { extract: () => new Promise(() => undefined) };
		const { client } = connectTo(never, 300);
		await expect(client.extract({ name: 'a.txt', bytes: new Uint8Array([65]) })).rejects.toMatchObject({
			code: 'timeout'
		});
		client.dispose();
	});

	it('rebuilds worker-side errors as DocketErrors', async () => {
		const broken: Extractor = { extract: () => Promise.reject(new CancelledError('Extraction')) };
		const { client } = connectTo(broken);
		await expect(client.extract({ name: 'a.txt', bytes: new Uint8Array([65]) })).rejects.toMatchObject({
			code: 'cancelled',
			name: 'CancelledError'
		});
		client.dispose();
	});
});
