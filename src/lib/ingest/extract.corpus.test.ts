import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeExtractor } from './extract.node.ts';
import { nodePdfPlatform } from './pdf-platform.node.ts';
import { CORPUS_MISSING, corpusFiles, expectedStatus } from './testing/corpus.ts';
import { hasPages, type Extraction } from './types.ts';

/** Page counts known independently of pdf.js (from the files' own page trees). */
const KNOWN_PAGES: Record<string, number> = {
	'tracemonkey.pdf': 14,
	'freeculture.pdf': 352,
	'nested_outline.pdf': 9,
	'basicapi.pdf': 3
};

const files = corpusFiles();

describe.skipIf(!files)(`every corpus PDF ends in its true state${files ? '' : ` (${CORPUS_MISSING})`}`, () => {
	const extractor = nodeExtractor();
	const results = new Map<string, Extraction>();

	it('extracts each file with its index.json password, one bad file never stopping the rest', async () => {
		for (const f of files!) {
			const options = f.password === undefined ? {} : { password: f.password };
			results.set(f.file, await extractor.extract({ name: f.file, bytes: readFileSync(f.path) }, options));
		}
		const wrong = files!
			.map((f) => [f.file, results.get(f.file)?.status, expectedStatus(f.file)])
			.filter(([, got, want]) => got !== want);
		expect(wrong).toEqual([]);
	}, 90_000);

	it('counts pages exactly as pdf.js numPages does (and as the files say)', async () => {
		const pdfjs = await nodePdfPlatform().loadPdfjs();
		for (const f of files!) {
			const result = results.get(f.file)!;
			expect(hasPages(result), f.file).toBe(true);
			if (!hasPages(result)) continue;
			const task = pdfjs.getDocument({
				data: new Uint8Array(readFileSync(f.path)),
				verbosity: 0,
				...(f.password ? { password: f.password } : {})
			});
			const numPages = (await task.promise).numPages;
			await task.destroy();
			expect([f.file, result.pageCount, result.pages.length], f.file).toEqual([f.file, numPages, numPages]);
			expect(result.pages.map((p) => p.page)).toEqual(Array.from({ length: numPages }, (_, i) => i + 1));
			if (KNOWN_PAGES[f.file] !== undefined) expect(result.pageCount, f.file).toBe(KNOWN_PAGES[f.file]);
		}
	}, 60_000);

	it('yields the text of text PDFs, in reading order', () => {
		const trace = results.get('tracemonkey.pdf');
		if (!trace || !hasPages(trace)) throw new Error('tracemonkey.pdf was not extracted');
		expect(trace.pages[0]!.text).toContain('Trace-based Just-in-Time Type Specialization');
		// The title comes before the abstract on page 1.
		expect(trace.pages[0]!.text.indexOf('Trace-based')).toBeLessThan(trace.pages[0]!.text.indexOf('Abstract'));
		const culture = results.get('freeculture.pdf');
		if (!culture || !hasPages(culture)) throw new Error('freeculture.pdf was not extracted');
		expect(culture.pages.filter((p) => p.text.trim()).length).toBeGreaterThan(340);
		expect(culture.pages.map((p) => p.text).join('\n')).toMatch(/Lessig/);
		// CJK text through the bundled CMaps, and a non-embedded standard font.
		const japanese = results.get('issue11555.pdf');
		expect(japanese && hasPages(japanese) ? japanese.pages[0]!.text : '').toContain('あいう');
	});

	it('lists the pages without text', () => {
		const partial = results.get('bug1708041.pdf');
		expect(partial?.status).toBe('indexed');
		expect(partial && hasPages(partial) ? partial.pagesWithoutText : []).toEqual([2, 3, 4, 5]);
		const blank = results.get('empty.pdf');
		expect(blank?.status).toBe('no-text');
		expect(blank && hasPages(blank) ? blank.pagesWithoutText : []).toEqual([1]);
	});

	it('asks for the password of protected files, again when wrong, and opens them with it', async () => {
		const protectedFiles = files!.filter((f) => f.password !== undefined);
		expect(protectedFiles.map((f) => f.file).sort()).toEqual(['issue3371.pdf', 'issue6010_1.pdf']);
		for (const f of protectedFiles) {
			const bytes = readFileSync(f.path);
			const none = await extractor.extract({ name: f.file, bytes });
			expect(none).toMatchObject({ status: 'needs-password', reason: 'required' });
			const wrong = await extractor.extract({ name: f.file, bytes }, { password: `${f.password!}x` });
			expect(wrong).toMatchObject({ status: 'needs-password', reason: 'incorrect' });
			const right = await extractor.extract({ name: f.file, bytes }, { password: f.password! });
			expect(['indexed', 'no-text']).toContain(right.status);
		}
		const opened = results.get('issue6010_1.pdf');
		expect(opened && hasPages(opened) ? opened.pages[0]!.text : '').toContain('Issue 6010');
	}, 30_000);
});
