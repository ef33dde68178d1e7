import { createServer } from 'node:http';
import { PassThrough } from 'node:stream';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as runCliProcess } from './testing.ts';
import { makePdf } from '../src/lib/ingest/testing/make-pdf.ts';
import type { RunningServer } from '../sync-server/main.ts';
import { apiClient, newUser, openBackend, type TestBackend } from '../sync-server/testing.ts';
import { fileMutations, nameUuid, signIn } from './bulk-import.ts';
import { chunkPages } from '../src/lib/ingest/chunker.ts';
import { readerPages } from '../src/lib/ingest/reader-text.ts';
import { main } from './main.ts';
import { patientFetch } from '../src/lib/sync/rate-limit.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface Line {
	file: string;
	sha256: string;
	status: string;
	chunks: number;
	server: 'sent' | 'skipped';
	documentId: string;
}

const runCli = (args: string[], killAfter?: number) => runCliProcess<Line>(args, killAfter);

describe('the mutations of one imported file', () => {
	it('carry the printed page names, the map back to the page, the OCR summary and each OCR page’s layer', () => {
		const word = {
			text: 'Holloway',
			confidence: 93,
			box: [0.1, 0.2, 0.3, 0.25] as [number, number, number, number],
			start: 0,
			end: 8
		};
		const pages = readerPages(
			[1, 2, 3].map((n) => ({
				page: n,
				text: `Holloway wrote that the taking was unconsti-\ntutional on day ${n} of the trial.\n${n + 10}`,
				...(n === 2 ? { ocr: { confidence: 93, words: [word] } } : {})
			}))
		);
		const extraction = {
			status: 'indexed' as const,
			kind: 'pdf' as const,
			pages,
			pageCount: 3,
			pagesWithoutText: [],
			pagesWithErrors: [],
			ocr: { pages: [2], lowestConfidence: 93, checkPages: [] }
		};
		const planned = { path: '/x/scan.pdf', size: 10, mtimeMs: 0, sha256: 'a'.repeat(64), documentId: nameUuid('doc') };
		const { chunks, document } = fileMutations(
			nameUuid('case'),
			planned,
			{ file: 'scan.pdf', sha256: planned.sha256, extraction, chunks: chunkPages(pages) },
			1
		);
		const text = chunks.filter((m) => m.table === 'chunks');
		expect(text.map((m) => m.fields['label'])).toEqual(['11', '12', '13']);
		expect(text.every((m) => Array.isArray(m.fields['shifts']))).toBe(true);
		const layers = chunks.filter((m) => m.table === 'ocrLayers');
		expect(layers).toHaveLength(1);
		expect(layers[0]!.fields).toMatchObject({
			page: 2,
			documentId: planned.documentId,
			words: [['Holloway', 93, 0.1, 0.2, 0.3, 0.25, 0, 8]]
		});
		expect(document.fields['ocr']).toEqual(extraction.ocr);
	});
});

describe('docket ingest --server (bulk import)', () => {
	let backend: TestBackend;
	let server: RunningServer;
	let token: string;
	let dir: string;
	const local = new Map<string, Uint8Array>();

	beforeAll(async () => {
		backend = await openBackend('pglite');
		server = await backend.start();
		token = await newUser(server, 'firm', 'importer');
		dir = await mkdtemp(join(tmpdir(), 'docket-import-'));
		const folder = join(dir, 'share');
		await mkdir(join(folder, 'sub'), { recursive: true });
		// A few hundred small files, a few large ones (small pages keep it fast), a copy and a broken file.
		for (let i = 0; i < 240; i++) {
			const bytes = makePdf({
				pages: 1 + (i % 3),
				lines: (p) => [`Letter ${i}, page ${p}.`, `Reference code QX${i}Z.`]
			});
			const name = join(folder, i % 2 ? 'sub' : '', `letter-${String(i).padStart(3, '0')}.pdf`);
			await writeFile(name, bytes);
			local.set(name, bytes);
		}
		for (let i = 0; i < 3; i++) {
			const bytes = makePdf({
				pages: 400,
				lines: (p) => [`Transcript ${i} page ${p}.`, `Deponent said pomegranate${i}.`]
			});
			const name = join(folder, `transcript-${i}.pdf`);
			await writeFile(name, bytes);
			local.set(name, bytes);
		}
		await writeFile(join(folder, 'copy-of-letter-000.pdf'), local.get(join(folder, 'letter-000.pdf'))!);
		await writeFile(join(folder, 'broken.pdf'), makePdf({ pages: 3 }).subarray(0, 500));
	}, 120_000);

	afterAll(async () => {
		await backend?.close();
		if (dir) await rm(dir, { recursive: true, force: true });
	});

	it('resumes after SIGKILL and leaves each file on the server exactly once, with its SHA-256', async () => {
		const folder = join(dir, 'share');
		const args = [
			'ingest',
			folder,
			'--server',
			server.url,
			'--case',
			'Harbour Lease',
			'--team-token',
			token,
			'--state',
			join(dir, 'state.jsonl'),
			'--json'
		];
		const first = await runCli(args, 60);
		expect(first.code).toBeNull(); // killed
		expect(first.lines.length).toBeGreaterThanOrEqual(60);
		expect(first.lines.length).toBeLessThan(local.size);

		const second = await runCli(args);
		expect(second.code, second.stderr).toBe(0);
		// Nothing the first run finished went up again.
		const sentBefore = new Set(first.lines.filter((l) => l.server === 'sent').map((l) => l.file));
		expect(second.lines.filter((l) => sentBefore.has(l.file) && l.server === 'sent')).toEqual([]);
		const all = [...first.lines, ...second.lines];
		expect(new Set(all.map((l) => l.file)).size).toBe(local.size + 2);
		// Progress went to stderr, one line per file when not a terminal; stdout held only JSON.
		expect(second.stderr).toMatch(/docket ingest \[\d+\/245\]/);

		const { changes } = await apiClient(server.url, token).pullAll();
		const live = changes.filter((c) => !c.deleted);
		const cases = live.filter((c) => c.table === 'cases' && c.fields['title'] === 'Harbour Lease');
		expect(cases).toHaveLength(1);
		const caseId = cases[0]!.id;
		const documents = live.filter((c) => c.table === 'documents' && c.fields['caseId'] === caseId);
		const shas = documents.map((d) => String(d.fields['sha256']));
		// Every distinct file once: the copy is the same bytes, the broken file is a document too.
		const expected = new Set([...local.values()].map(sha256));
		expected.add(sha256(makePdf({ pages: 3 }).subarray(0, 500)));
		expect(shas.length).toBe(new Set(shas).size);
		expect(new Set(shas)).toEqual(expected);
		expect(documents.find((d) => d.fields['name'] === 'broken.pdf')?.fields['status']).toBe('damaged');

		// Each original is there with the right bytes; each chunk once.
		for (const doc of documents) {
			// The import and hundreds of downloads on one token can pass the server's rate limit: wait it out.
			const response = await patientFetch(fetch, { tries: 30 })(`${server.url}/api/v1/files/${doc.id}`, {
				headers: { authorization: `Bearer ${token}` }
			});
			expect(response.status, String(doc.fields['name'])).toBe(200);
			expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(doc.fields['sha256']);
		}
		const chunks = live.filter((c) => c.table === 'chunks' && c.fields['caseId'] === caseId);
		const transcript = documents.find((d) => d.fields['name'] === 'transcript-2.pdf')!;
		const itsChunks = chunks.filter((c) => c.fields['documentId'] === transcript.id);
		expect(itsChunks.map((c) => c.fields['ordinal']).sort((a, b) => Number(a) - Number(b))).toEqual(
			Array.from({ length: itsChunks.length }, (_, i) => i)
		);
		expect(itsChunks.length).toBeGreaterThanOrEqual(400);
		expect(itsChunks.every((c) => c.id === nameUuid(`${transcript.id}:chunk:${String(c.fields['ordinal'])}`))).toBe(
			true
		);
		const { rows } = await server.database.pool.query<{ n: string }>(
			'SELECT count(*) AS n FROM uploads WHERE state = $1',
			['complete']
		);
		// A killed upload may leave an open one behind, but none finished twice.
		expect(Number(rows[0]!.n)).toBe(documents.length);

		// A third run finds everything there and sends nothing.
		const third = await runCli(args);
		expect(third.code).toBe(0);
		expect(third.lines.every((l) => l.server === 'skipped')).toBe(true);
	}, 600_000);

	it('waits out the server’s rate limit (429, Retry-After) instead of failing files', async () => {
		const log = new PassThrough();
		let refusals = 0;
		log.on('data', (line: Buffer) => (refusals += line.toString().split('"rate limited"').length - 1));
		const limited = await backend.start(
			{ rateLimit: { burst: 4, perSecond: 8 }, logStream: log },
			{ 'log-level': 'warn' }
		);
		const limitedToken = await newUser(limited, 'firm-limited', 'importer');
		const folder = join(dir, 'limited');
		await mkdir(folder, { recursive: true });
		for (let i = 0; i < 12; i++)
			await writeFile(join(folder, `note-${i}.pdf`), makePdf({ pages: 1, lines: () => [`Note ${i}.`] }));
		const out: string[] = [];
		const err: string[] = [];
		const code = await main(
			[
				'ingest',
				folder,
				'--server',
				limited.url,
				'--case',
				'Busy',
				'--team-token',
				limitedToken,
				'--state',
				join(dir, 'limited.jsonl'),
				'--json'
			],
			{ stdout: (line) => out.push(line), stderr: (line) => err.push(line) }
		);
		expect(code, err.join('\n')).toBe(0);
		const lines = out.map((line) => JSON.parse(line) as Line);
		expect(lines).toHaveLength(12);
		expect(lines.every((l) => l.server === 'sent')).toBe(true);
		// The limit did bite: the server refused requests the import then sent again.
		expect(refusals).toBeGreaterThan(0);
		// The database is shared with the test above: count this import's notes only.
		const { rows } = await limited.database.pool.query<{ n: string }>(
			"SELECT count(*) AS n FROM uploads WHERE state = 'complete' AND filename LIKE 'note-%'"
		);
		expect(Number(rows[0]!.n)).toBe(12);
	}, 120_000);

	it('signs in by email with POST /api/v1/auth/login { email, password, deviceName } → { token }', async () => {
		const seen: unknown[] = [];
		const fake = createServer((request, response) => {
			let body = '';
			request.on('data', (c: Buffer) => (body += c.toString()));
			request.on('end', () => {
				seen.push(JSON.parse(body));
				const ok = request.url === '/api/v1/auth/login' && body.includes('"password":"hunter2"');
				response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
				response.end(JSON.stringify(ok ? { token: 'tok-123' } : { error: { code: 'unauthorized', message: 'no' } }));
			});
		});
		await new Promise<void>((done) => fake.listen(0, '127.0.0.1', done));
		const address = fake.address();
		const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
		try {
			expect(await signIn(url, 'ann@firm.example', 'hunter2')).toBe('tok-123');
			expect(seen[0]).toMatchObject({ email: 'ann@firm.example', password: 'hunter2', deviceName: expect.any(String) });
			await expect(signIn(url, 'ann@firm.example', 'wrong')).rejects.toThrow(/did not accept the password/);
		} finally {
			fake.close();
		}
		// The real server: a wrong password is refused in plain words, and nothing is imported.
		const err: string[] = [];
		process.env['DOCKET_PASSWORD'] = 'pw';
		const code = await main(
			['ingest', join(dir, 'share', 'broken.pdf'), '--server', server.url, '--case', 'X', '--email', 'a@b.example'],
			{ stdout: () => undefined, stderr: (l) => err.push(l) }
		).finally(() => delete process.env['DOCKET_PASSWORD']);
		expect(code).toBe(1);
		expect(err.join('\n')).toMatch(/did not accept the password for a@b\.example/);
	});
});
