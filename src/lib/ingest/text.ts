import { readerPages } from './reader-text.ts';
import type { ExtractedPage, IndexedExtraction, NoTextExtraction } from './types.ts';

/**
 * Decodes a text file: UTF-8 or UTF-16 by byte-order mark, else strict UTF-8, else Windows-1252 (the
 * usual encoding of older legal documents saved on Windows, and a superset of Latin-1).
 */
export function decodeText(bytes: Uint8Array): string {
	if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
		return new TextDecoder('utf-8').decode(bytes.subarray(3));
	if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
	if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		return decodeWindows1252(bytes);
	}
}

/** 0x80–0x9F of Windows-1252 (the rest is Latin-1); undefined bytes keep their Latin-1 code point. */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/**
 * Decoded by hand: Node 20's TextDecoder treats 'windows-1252' as Latin-1 (curly quotes become control
 * characters), and the CLI must read files exactly as the browser does.
 */
export function decodeWindows1252(bytes: Uint8Array): string {
	let out = '';
	for (let i = 0; i < bytes.length; i += 8192) {
		const part = bytes.subarray(i, i + 8192);
		out += String.fromCharCode(
			...Array.from(part, (b) => (b >= 0x80 && b <= 0x9f ? CP1252_HIGH.charCodeAt(b - 0x80) : b))
		);
	}
	return out;
}

/**
 * Text files have no pages, except where a form feed marks one (`pdftotext` output, printed reports):
 * then each form-feed-separated part is a page, so citations say "p. N" as the paper did. Otherwise the
 * whole file is page 1; the chunker still cuts it into passages with character ranges.
 * Line endings become `\n` so character ranges do not depend on the system that saved the file.
 */
export function splitTextPages(text: string): ExtractedPage[] {
	const normalised = text.replace(/\r\n?/g, '\n');
	const parts = normalised.includes('\f') ? normalised.split('\f') : [normalised];
	// A trailing form feed ends the last page; it does not start an empty one.
	if (parts.length > 1 && parts[parts.length - 1]!.trim() === '') parts.pop();
	return parts.map((part, i) => ({ page: i + 1, text: part }));
}

export function extractText(bytes: Uint8Array, kind: 'text' | 'markdown'): IndexedExtraction | NoTextExtraction {
	// Form-feed pages printed from a word processor have running heads and hyphens like a PDF's.
	const pages = readerPages(splitTextPages(decodeText(bytes)));
	const pagesWithoutText = pages.filter((p) => p.text.trim() === '').map((p) => p.page);
	const base = { kind, pages, pageCount: pages.length, pagesWithoutText, pagesWithErrors: [] };
	if (pagesWithoutText.length === pages.length) {
		return { status: 'no-text', ...base, error: 'The file contains only blank space: there is no text to search.' };
	}
	return { status: 'indexed', ...base };
}
