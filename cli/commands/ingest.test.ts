import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS_DIR, CORPUS_MISSING, corpusFiles, expectedStatus } from '../../src/lib/ingest/testing/corpus.ts';
import { makePdf } from '../../src/lib/ingest/testing/make-pdf.ts';
import { main } from '../main.ts';

function capture() {
	const out: string[] = [];
	const err: string[] = [];
	return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) }, out, err };
}

const REPORT_KEYS = ['chunks', 'error', 'file', 'kind', 'ocrPages', 'pages', 'sha256', 'status'];

interface Line {
	file: string;
	sha256: string;
	status: string;
	pages: number;
	chunks: number;
	ocrPages?: number;
	error?: string;
}

function parse(lines: string[]): Line[] {
	return lines.map((l) => {
		const value: Line = JSON.parse(l) as Line;
		for (const key of Object.keys(value)) expect(REPORT_KEYS).toContain(key);
		return value;
	});
}

describe('docket ingest', () => {
	let dir: string;
	beforeAll(async () => {
		dir = await mkdtemp(join(tmpdir(), 'docket-ingest-'));
	});
	afterAll(async () => {
		await rm(dir, { recursive: true, force: true });
	});

	it('reports hostile files with their states and exits 0', async () => {
		const whole = makePdf({ pages: 20 });
		const files = {
			'zero.pdf': new Uint8Array(),
			'image.pdf': Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
			'cut.pdf': whole.subarray(0, 900),
			'notes.md': new TextEncoder().encode('# Notes\n\nThe lease ends in May.'),
			'<img src=x onerror=alert(1)> & "y" ..\\..\\evil.pdf': makePdf({ pages: 3 })
		};
		for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
		const { io, out, err } = capture();
		expect(await main(['ingest', '--json', ...Object.keys(files).map((n) => join(dir, n))], io)).toBe(0);
		expect(err).toEqual([]);
		const lines = parse(out);
		expect(lines.map((l) => [l.file.slice(dir.length + 1), l.status, l.pages])).toEqual([
			['zero.pdf', 'unsupported', 0],
			['image.pdf', 'damaged', 0],
			['cut.pdf', 'damaged', 0],
			['notes.md', 'indexed', 1],
			['<img src=x onerror=alert(1)> & "y" ..\\..\\evil.pdf', 'indexed', 3]
		]);
		expect(lines[0]!.error).toMatch(/empty/);
		expect(lines[1]!.error).toMatch(/PNG/);
		expect(lines[2]!.error).toMatch(/structure is broken/);
		expect(lines[3]!.chunks).toBe(1);
		expect(lines[0]!.sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
	}, 60_000); // worker threads start cold: seconds on a loaded machine

	it('exits 1 when a named file cannot be read, after reporting the others', async () => {
		await writeFile(join(dir, 'ok.txt'), 'Some text.');
		const { io, out, err } = capture();
		expect(await main(['ingest', '--json', join(dir, 'missing.pdf'), join(dir, 'ok.txt')], io)).toBe(1);
		expect(parse(out).map((l) => l.status)).toEqual(['indexed']);
		expect(err.join('\n')).toMatch(/cannot read .*missing\.pdf/);
	}, 60_000);

	it('reads the rest of a folder around entries it cannot read: a link loop, a broken link, a pipe', async () => {
		const tree = join(dir, 'tree');
		await mkdir(join(tree, 'a', 'b'), { recursive: true });
		await writeFile(join(tree, 'a', 'first.txt'), 'The first file.');
		await writeFile(join(tree, 'a', 'b', 'second.txt'), 'The second file.');
		await symlink('..', join(tree, 'a', 'b', 'up'));
		await symlink(join(tree, 'nowhere'), join(tree, 'broken'));
		await promisify(execFile)('mkfifo', [join(tree, 'pipe')]);
		const { io, out, err } = capture();
		expect(await main(['ingest', '--json', tree], io)).toBe(1);
		expect(parse(out).map((l) => [l.file.slice(tree.length + 1), l.status])).toEqual([
			['a/b/second.txt', 'indexed'],
			['a/first.txt', 'indexed']
		]);
		const said = err.join('\n');
		expect(said).toMatch(/up: a link to a folder already read/);
		expect(said).toMatch(/broken: a link to something that is not there/);
		expect(said).toMatch(/pipe: not a regular file/);
	}, 60_000);

	it('needs at least one file', async () => {
		const { io, err } = capture();
		expect(await main(['ingest', '--json'], io)).toBe(2);
		expect(err.join('\n')).toMatch(/Usage: docket ingest/);
	});

	const files = corpusFiles();
	it.skipIf(!files)(
		`puts every corpus PDF in its true state, through bin/docket.js${files ? '' : ` (${CORPUS_MISSING})`}`,
		async () => {
			const passwords = [...new Set(files!.flatMap((f) => (f.password ? [f.password] : [])))];
			const { stdout } = await promisify(execFile)(
				process.execPath,
				// Text-layer states; the scans' OCR is checked below, on the files that hold legible text.
				['bin/docket.js', 'ingest', CORPUS_DIR, ...passwords.flatMap((p) => ['--password', p]), '--no-ocr', '--json'],
				{ maxBuffer: 16 * 1024 * 1024 }
			);
			const lines = parse(stdout.trim().split('\n'));
			expect(lines.map((l) => l.file.slice(CORPUS_DIR.length))).toEqual(
				expect.arrayContaining(files!.map((f) => f.file))
			);
			const wrong = lines
				.filter((l) => l.file.endsWith('.pdf'))
				.map((l) => [l.file.slice(CORPUS_DIR.length), l.status])
				.filter(([file, status]) => status !== expectedStatus(file!));
			expect(wrong).toEqual([]);
			const trace = lines.find((l) => l.file.endsWith('/tracemonkey.pdf'))!;
			expect(trace).toMatchObject({ status: 'indexed', pages: 14 });
			expect(trace.chunks).toBeGreaterThan(50);
			expect(lines.find((l) => l.file.endsWith('/freeculture.pdf'))).toMatchObject({ pages: 352 });
		},
		120_000
	);

	it.skipIf(!files)(
		'asks for a password, then opens the file with it',
		async () => {
			const path = join(CORPUS_DIR, 'issue6010_1.pdf');
			const none = capture();
			await main(['ingest', '--json', path], none.io);
			expect(parse(none.out)[0]).toMatchObject({ status: 'needs-password', pages: 0, chunks: 0 });
			const right = capture();
			await main(['ingest', '--json', '--password', 'wrong', '--password', 'abc', path], right.io);
			expect(parse(right.out)[0]).toMatchObject({ status: 'indexed', pages: 1, chunks: 1 });
		},
		60_000
	);
});

describe('docket ingest with OCR (the default)', () => {
	const files = corpusFiles();
	it.skipIf(!files)(
		`reads the corpus scans that hold legible text, offline, and leaves text PDFs alone${files ? '' : ` (${CORPUS_MISSING})`}`,
		async () => {
			const scans = files!.filter((f) => f.file === 'issue19326.pdf' || f.file === 'issue3371.pdf');
			const text = files!.find((f) => f.file === 'tracemonkey.pdf');
			const { io, out } = capture();
			const args = [
				'ingest',
				'--json',
				...scans.flatMap((f) => [f.path, ...(f.password ? ['--password', f.password] : [])])
			];
			expect(await main([...args, ...(text ? [text.path] : [])], io)).toBe(0);
			const lines = parse(out);
			for (const line of lines.filter((l) => !l.file.endsWith('tracemonkey.pdf'))) {
				expect(line.status, line.file).toBe('indexed');
				expect(line.ocrPages, line.file).toBeGreaterThan(0);
			}
			const plain = lines.find((l) => l.file.endsWith('tracemonkey.pdf'));
			if (plain) expect(plain.ocrPages).toBe(0);
		},
		300_000
	);
});
