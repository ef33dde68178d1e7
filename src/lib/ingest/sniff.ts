import { looksLikeMbox } from './email/mbox.ts';
import { looksLikeMessage, sniffFamily } from './email/sniff-family.ts';
import { imageFormat } from '../ocr/image-format.ts';
import type { SourceKind } from './types.ts';

/**
 * Decides what a file is from its bytes, using its name and MIME type only to tell Markdown from plain
 * text and to choose between "damaged PDF" and "not a PDF". A PNG renamed `.pdf` is a PNG.
 */
export type Sniffed =
	| { kind: SourceKind }
	| { kind: 'empty' }
	| { kind: 'other'; detected?: string }
	/** Named or typed as a PDF but without a PDF header: pdf.js still gets a try, and says why it fails. */
	| { kind: 'pdf-suspect' };

/** Signatures of common files people drop by mistake, so the message can name what the file is. */
const SIGNATURES: readonly { name: string; bytes: readonly number[]; offset?: number }[] = [
	{ name: 'PNG image', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
	{ name: 'JPEG image', bytes: [0xff, 0xd8, 0xff] },
	{ name: 'GIF image', bytes: [0x47, 0x49, 0x46, 0x38] },
	{ name: 'TIFF image', bytes: [0x49, 0x49, 0x2a, 0x00] },
	{ name: 'TIFF image', bytes: [0x4d, 0x4d, 0x00, 0x2a] },
	{ name: 'WebP image', bytes: [0x57, 0x45, 0x42, 0x50], offset: 8 },
	{ name: 'BMP image', bytes: [0x42, 0x4d] },
	{ name: 'ZIP archive (or a Word/Excel .docx/.xlsx file)', bytes: [0x50, 0x4b, 0x03, 0x04] },
	// Named to read well after "This is a" (the message in extract.ts).
	{
		name: 'Microsoft Office file in the old format (.doc/.xls)',
		bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]
	},
	{ name: 'RTF document', bytes: [0x7b, 0x5c, 0x72, 0x74, 0x66] },
	{ name: 'gzip archive', bytes: [0x1f, 0x8b] },
	{ name: '7-Zip archive', bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
	{ name: 'RAR archive', bytes: [0x52, 0x61, 0x72, 0x21] },
	{ name: 'MP3 audio', bytes: [0x49, 0x44, 0x33] },
	{ name: 'MP4 video', bytes: [0x66, 0x74, 0x79, 0x70], offset: 4 },
	{ name: 'program or library', bytes: [0x7f, 0x45, 0x4c, 0x46] },
	{ name: 'program or library', bytes: [0x4d, 0x5a] }
];

const PDF_HEADER = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
/** pdf.js (like Acrobat) accepts a header anywhere in the first kilobyte. */
const PDF_HEADER_WINDOW = 1024;
/** Bytes looked at to decide whether a file is text. */
const TEXT_WINDOW = 64 * 1024;

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
	if (bytes.length < offset + signature.length) return false;
	return signature.every((b, i) => bytes[offset + i] === b);
}

function indexOf(bytes: Uint8Array, needle: readonly number[], limit: number): number {
	const end = Math.min(bytes.length - needle.length, limit);
	outer: for (let i = 0; i <= end; i++) {
		for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
		return i;
	}
	return -1;
}

export function extensionOf(name: string): string {
	const base = name.split(/[/\\]/).pop() ?? name;
	const dot = base.lastIndexOf('.');
	return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

const MARKDOWN_EXTENSIONS = new Set(['md', 'markdown', 'mdown', 'mkd']);
const TEXT_EXTENSIONS = new Set(['txt', 'text', 'csv', 'tsv', 'log', '']);

function namedPdf(name: string, mimeType: string | undefined): boolean {
	return extensionOf(name) === 'pdf' || mimeType === 'application/pdf';
}

/**
 * Text if it has a Unicode byte-order mark, or has no NUL bytes and few control characters in its first
 * 64 KiB. Encoding is settled later by `decodeText`.
 */
export function looksLikeText(bytes: Uint8Array): boolean {
	if (startsWith(bytes, [0xef, 0xbb, 0xbf]) || startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff]))
		return true;
	const n = Math.min(bytes.length, TEXT_WINDOW);
	let control = 0;
	for (let i = 0; i < n; i++) {
		const b = bytes[i]!;
		if (b === 0) return false;
		// Tab, LF, VT, FF, CR and ESC (ANSI colour codes in logs) are normal in text files.
		if (b < 0x20 && b !== 9 && b !== 10 && b !== 11 && b !== 12 && b !== 13 && b !== 27) control++;
	}
	return control <= n * 0.01;
}

/** A header line ("Subject: …"), as mail, MIME parts and HTTP headers start. */
const HEADER_LINE = /^[!-9;-~]{1,76}:[ \t]/m;

/**
 * Whether `%PDF-` at `at` makes the file a PDF. At the start it always does. Further in, pdf.js accepts
 * junk before it, but a file that is a container of its own (a .docx zip storing a PDF, an Outlook item,
 * an image) or starts like mail is that, and a message merely quoting "%PDF-1.7" is not a PDF; nor is
 * text with header lines before the marker (a MIME part): reading it as a PDF would lose the text.
 */
function isPdfAt(bytes: Uint8Array, at: number): boolean {
	if (at < 0) return false;
	if (at === 0) return true;
	if (imageFormat(bytes)) return false;
	if (SIGNATURES.some((s) => startsWith(bytes, s.bytes, s.offset))) return false;
	const head = new TextDecoder('latin1').decode(bytes.subarray(0, TEXT_WINDOW));
	if (looksLikeMbox(bytes) || looksLikeMessage(head)) return false;
	return !HEADER_LINE.test(head.slice(0, at));
}

export function sniff(bytes: Uint8Array, name: string, mimeType?: string): Sniffed {
	if (bytes.length === 0) return { kind: 'empty' };
	if (isPdfAt(bytes, indexOf(bytes, PDF_HEADER, PDF_HEADER_WINDOW))) return { kind: 'pdf' };
	const family = sniffFamily(bytes, name, mimeType);
	if (family) return { kind: family };
	// PNG, JPEG and TIFF are documents read by OCR (ocr/image-document.ts); other images stay 'other'.
	if (imageFormat(bytes)) return { kind: 'image' };
	for (const signature of SIGNATURES) {
		if (startsWith(bytes, signature.bytes, signature.offset)) return { kind: 'other', detected: signature.name };
	}
	if (namedPdf(name, mimeType)) return { kind: 'pdf-suspect' };
	if (looksLikeText(bytes)) {
		const ext = extensionOf(name);
		if (MARKDOWN_EXTENSIONS.has(ext) || mimeType === 'text/markdown') return { kind: 'markdown' };
		if (TEXT_EXTENSIONS.has(ext) || mimeType?.startsWith('text/')) return { kind: 'text' };
		// Text under an unfamiliar extension (e.g. `.eml`, `.json`) is still readable text.
		return { kind: 'text' };
	}
	return { kind: 'other' };
}
