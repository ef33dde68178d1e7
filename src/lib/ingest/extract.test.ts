import { describe, expect, it } from 'vitest';
import { CancelledError } from '../errors.ts';
import { createExtractor } from './extract.ts';
import { nodeExtractor } from './extract.node.ts';
import { nodePdfPlatform } from './pdf-platform.node.ts';
import { sniff } from './sniff.ts';
import { saslprep } from './saslprep.ts';
import { makePdf } from './testing/make-pdf.ts';
import { aes256Security } from './testing/pdf-encryption.ts';
import { decodeText, splitTextPages } from './text.ts';
import { hasPages, type Extraction } from './types.ts';

const GIF = new TextEncoder().encode('GIF89a\x01\x00\x01\x00');
const PNG = Uint8Array.from([
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1
]);
const utf8 = (s: string) => new TextEncoder().encode(s);

function pagesOf(result: Extraction) {
	if (!hasPages(result))
		throw new Error(`expected pages, got ${result.status}: ${'error' in result ? result.error : ''}`);
	return result;
}

describe('sniffing by bytes', () => {
	it('tells a PNG renamed .pdf from a PDF, and a PDF from its header even without an extension', () => {
		// A PNG is a document now (read by OCR), but as an image, never as a PDF.
		expect(sniff(PNG, 'scan.pdf', 'application/pdf')).toEqual({ kind: 'image' });
		expect(sniff(GIF, 'scan.pdf', 'application/pdf')).toEqual({ kind: 'other', detected: 'GIF image' });
		expect(sniff(utf8('%PDF-1.7\n...'), 'no-extension')).toEqual({ kind: 'pdf' });
		expect(sniff(utf8('junk before\n%PDF-1.4\n'), 'x.bin')).toEqual({ kind: 'pdf' });
		expect(sniff(new Uint8Array(), 'x.pdf')).toEqual({ kind: 'empty' });
	});

	it('reads text and Markdown, by bytes first and the name only to tell the two apart', () => {
		expect(sniff(utf8('# Heading\n'), 'notes.md')).toEqual({ kind: 'markdown' });
		expect(sniff(utf8('# Heading\n'), 'notes.txt')).toEqual({ kind: 'text' });
		expect(sniff(utf8('plain'), 'x', 'text/markdown')).toEqual({ kind: 'markdown' });
		expect(sniff(Uint8Array.from([1, 2, 3, 0, 5]), 'notes.txt')).toEqual({ kind: 'other' });
		// A `.pdf` that is not a PDF still goes to pdf.js, so the reason comes from it.
		expect(sniff(utf8('hello'), 'letter.pdf')).toEqual({ kind: 'pdf-suspect' });
	});
});

describe('text files', () => {
	it('decodes UTF-8, UTF-16 with a byte-order mark, and Windows-1252', () => {
		expect(decodeText(utf8('\ufeffcafé'))).toBe('café');
		expect(decodeText(Uint8Array.from([0xff, 0xfe, 0x63, 0, 0xe9, 0]))).toBe('cé');
		expect(decodeText(Uint8Array.from([0x93, 0x71, 0x94, 0x20, 0xe9]))).toBe('“q” é');
	});

	it('is one page, unless form feeds mark pages; line endings become \\n', () => {
		expect(splitTextPages('a\r\nb')).toEqual([{ page: 1, text: 'a\nb' }]);
		expect(splitTextPages('one\ftwo\fthree\f')).toEqual([
			{ page: 1, text: 'one' },
			{ page: 2, text: 'two' },
			{ page: 3, text: 'three' }
		]);
	});

	it('extracts Markdown as its source text and blank text as no-text', async () => {
		const md = pagesOf(
			await nodeExtractor().extract({ name: 'brief.md', bytes: utf8('# Brief\n\nThe *contract* is void.') })
		);
		expect(md).toMatchObject({ status: 'indexed', kind: 'markdown', pageCount: 1 });
		expect(md.pages[0]!.text).toBe('# Brief\n\nThe *contract* is void.');
		const blank = await nodeExtractor().extract({ name: 'blank.txt', bytes: utf8(' \n\t\n') });
		expect(blank).toMatchObject({ status: 'no-text', pagesWithoutText: [1] });
	});
});

describe('Unicode passwords', () => {
	it('opens an AES-256 (revision 6) PDF with a Unicode password, however its accents were typed', async () => {
		const password = 'pässwörd-密码-Ελλάδα';
		const bytes = makePdf({ pages: 2, security: aes256Security(password.normalize('NFC')) });
		const extractor = nodeExtractor();
		expect(await extractor.extract({ name: 'locked.pdf', bytes })).toMatchObject({
			status: 'needs-password',
			reason: 'required'
		});
		expect(await extractor.extract({ name: 'locked.pdf', bytes }, { password: 'passwörd-密码-Ελλάδα' })).toMatchObject({
			status: 'needs-password',
			reason: 'incorrect'
		});
		const opened = pagesOf(await extractor.extract({ name: 'locked.pdf', bytes }, { password }));
		expect(opened.pages[1]!.text).toContain('Page 2 of 2.');
		// The same letters typed as base letter + combining accent (NFD) still open it.
		const decomposed = password.normalize('NFD');
		expect(decomposed).not.toBe(password);
		expect((await extractor.extract({ name: 'locked.pdf', bytes }, { password: decomposed })).status).toBe('indexed');
		// Revision 6 key derivation is deliberately slow, and each wrong spelling tried costs one: past 5 s on a busy machine.
	}, 30_000);

	it('opens an AES-256 PDF whose password was stored through SASLprep, with the password as typed', async () => {
		// A soft hyphen, a no-break space and the "ﬁ" ligature: SASLprep drops, maps and decomposes them.
		const typed = 'Se\u00adcret\u00a0\ufb01le';
		const bytes = makePdf({ pages: 1, security: aes256Security(saslprep(typed)!) });
		expect(saslprep(typed)).toBe('Secret file');
		expect((await nodeExtractor().extract({ name: 'locked.pdf', bytes }, { password: typed })).status).toBe('indexed');
	}, 30_000);
});

describe('hostile input', () => {
	const extractor = nodeExtractor();

	it('refuses a zero-byte file clearly', async () => {
		const result = await extractor.extract({ name: 'empty.pdf', bytes: new Uint8Array() });
		expect(result).toMatchObject({ status: 'unsupported', reason: 'empty' });
		expect('error' in result && result.error).toMatch(/empty \(0 bytes\)/);
	});

	it('calls a GIF renamed .pdf unsupported and names what it is, and a cut-short PNG a damaged image', async () => {
		const result = await extractor.extract({ name: 'contract.pdf', bytes: GIF, mimeType: 'application/pdf' });
		expect(result).toMatchObject({ status: 'unsupported', reason: 'format', detected: 'GIF image' });
		expect('error' in result && result.error).toMatch(/GIF image, not a PDF/);
		// It names the images Docket does read, so a GIF can be saved as one.
		expect('error' in result && result.error).toMatch(/PNG, JPEG and TIFF images; save it as one of these/);
		const png = await extractor.extract({ name: 'contract.pdf', bytes: PNG, mimeType: 'application/pdf' });
		expect(png).toMatchObject({ status: 'damaged', kind: 'image' });
		expect('error' in png && png.error).toMatch(/PNG image/);
	});

	it('calls a truncated PDF damaged, with pdf.js’s reason in plain words', async () => {
		const whole = makePdf({ pages: 30 });
		const result = await extractor.extract({ name: 'cut.pdf', bytes: whole.subarray(0, Math.floor(whole.length / 3)) });
		expect(result.status).toBe('damaged');
		if (result.status !== 'damaged') return;
		expect(result.error).toMatch(/structure is broken|cut short/);
		expect(result.detail).toMatch(/Invalid PDF structure/);
	});

	it('calls text under a .pdf name damaged rather than guessing', async () => {
		const result = await extractor.extract({ name: 'letter.pdf', bytes: utf8('Dear Sir, this is not a PDF.') });
		expect(result.status).toBe('damaged');
	});

	it('reads a generated 2,000-page PDF, every page, with progress', async () => {
		const progress: number[] = [];
		const result = pagesOf(
			await extractor.extract(
				{ name: 'big.pdf', bytes: makePdf({ pages: 2000 }) },
				{ onProgress: (p) => progress.push(p.pagesDone) }
			)
		);
		expect(result.pageCount).toBe(2000);
		expect(result.pagesWithoutText).toEqual([]);
		expect(result.pages[1999]!.text).toContain('Page 2000 of 2000.');
		expect(result.pages[0]!.text).toContain('page number 1 tells');
		expect(progress.at(-1)).toBe(2000);
		expect(progress.length).toBe(2001);
	}, 60_000);

	it('treats a name with HTML and path separators as a name only', async () => {
		const name = '<img src=x onerror=alert(1)>/../..\\etc\\passwd<b>.pdf';
		const result = pagesOf(await extractor.extract({ name, bytes: makePdf({ pages: 2 }) }));
		expect(result.pageCount).toBe(2);
		expect(sniff(utf8('x'), '<b>a/b\\c.md')).toEqual({ kind: 'markdown' });
	});

	it('stops when cancelled, with CancelledError', async () => {
		const controller = new AbortController();
		const run = extractor.extract(
			{ name: 'big.pdf', bytes: makePdf({ pages: 300 }) },
			{ signal: controller.signal, onProgress: (p) => p.pagesDone === 5 && controller.abort() }
		);
		await expect(run).rejects.toBeInstanceOf(CancelledError);
	});

	it('never lets pdf.js fetch: every CMap, font and wasm comes through the platform', async () => {
		const base = nodePdfPlatform();
		const asked: string[] = [];
		const counting = createExtractor({
			loadPdfjs: () => base.loadPdfjs(),
			readAsset: (kind, file) => {
				asked.push(`${kind}/${file}`);
				return base.readAsset(kind, file);
			}
		});
		// Helvetica is not embedded in generated files: pdf.js needs the standard font data for it.
		pagesOf(await counting.extract({ name: 'g.pdf', bytes: makePdf({ pages: 1 }) }));
		expect(asked.some((a) => a.startsWith('standardFontDataUrl/'))).toBe(true);
		const refusing = createExtractor({
			loadPdfjs: () => base.loadPdfjs(),
			readAsset: () => Promise.reject(new Error('offline'))
		});
		// Without the assets pdf.js still extracts (it falls back to built-in metrics), so a missing asset
		// never turns into a failed document.
		expect((await refusing.extract({ name: 'g.pdf', bytes: makePdf({ pages: 1 }) })).status).toBe('indexed');
	});
});
