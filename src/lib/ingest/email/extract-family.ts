import type * as DocxModule from '../docx.ts';
import { looksLikeText } from '../sniff.ts';
import { decodeText, extractText } from '../text.ts';
import type * as HtmlModule from './html-text.ts';
import type * as MimeModule from './mime.ts';
import type * as MsgModule from './msg.ts';
import type { Extraction, ExtractionInput, ExtractedPage } from '../types.ts';
import { ZipRefusal } from '../zip-guard.ts';
import { sha256OfBytes } from './digest.ts';
import { cutNote, layOut, messageHeaderLines, type LaidOut } from './layout.ts';
import { splitMbox } from './mbox.ts';
import { FAMILY_LIMITS, type ChildFile } from './types.ts';

// The parsers load on first use (a worker that only ever reads PDFs never loads them), and once: each
// import() call costs a loader round trip under tsx, which a mailbox of thousands of messages would feel.
let msgModule: Promise<typeof MsgModule> | undefined;
let mimeModule: Promise<typeof MimeModule> | undefined;
let docxModule: Promise<typeof DocxModule> | undefined;
let htmlModule: Promise<typeof HtmlModule> | undefined;

/** Kinds read by this module: documents without pages, and containers of other documents. */
export type FamilyKind = 'email' | 'mbox' | 'docx' | 'html';

const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function isOle(bytes: Uint8Array): boolean {
	return OLE.every((b, i) => bytes[i] === b);
}

function page(laid: LaidOut): ExtractedPage {
	return { page: 1, text: laid.text, headerEnd: laid.headerEnd, paragraphs: laid.paragraphs };
}

function withText(kind: FamilyKind, laid: LaidOut, empty: string): Extraction {
	const pages = [page(laid)];
	const base = { kind, pages, pageCount: 1, pagesWithErrors: [] };
	if (laid.text.trim() === '') return { status: 'no-text', ...base, pagesWithoutText: [1], error: empty };
	return { status: 'indexed', ...base, pagesWithoutText: [] };
}

/**
 * Adds a plain-words note to an extraction (`error`, which the document keeps and shows whatever its
 * status): how a file was read differently from what it claims to be, or that its text is incomplete.
 */
export function withNote<T extends Extraction>(extraction: T, note: string | undefined): T {
	if (!note) return extraction;
	const before = 'error' in extraction ? extraction.error : '';
	return Object.assign(extraction, { error: before ? `${before} ${note}` : note });
}

/** A header line at the very start, as every message has ("Received: …", "From: …"). */
const FIRST_HEADER = /^(\ufeff)?[!-9;-~]{1,76}:/;

/** Whether the bytes start with a header block at all: without one, a parser reads the content as headers. */
function startsWithHeader(bytes: Uint8Array): boolean {
	return FIRST_HEADER.test(new TextDecoder('latin1').decode(bytes.subarray(0, 1024)).replace(/^[\r\n]+/, ''));
}

/** A password-protected .docx is an OLE file holding the encrypted zip (sniff-family.ts sends it here). */
function encryptedOffice(name: string): Extraction {
	const word = !/\.(xlsx|xlsm|pptx|pptm)$/i.test(name);
	const what = word ? 'Word file' : 'Office file';
	return {
		status: 'unsupported',
		reason: 'format',
		detected: `password-protected ${what}`,
		error: `This ${what} is password-protected (encrypted), and Docket cannot open encrypted ${word ? 'Word' : 'Office'} files. Open it with its password, save a copy without one (File › Info › Protect Document › Encrypt with Password, then clear it), and add that copy.`
	};
}

function stem(name: string): string {
	const base = name.split(/[/\\]/).pop() ?? name;
	const dot = base.lastIndexOf('.');
	return dot > 0 ? base.slice(0, dot) : base;
}

const DAMAGED: Record<FamilyKind, string> = {
	email:
		'Docket could not read this message: its structure is broken. Open it in a mail program to check it, or export it again.',
	mbox: 'Docket could not read this mailbox. Export it again from the mail program.',
	docx: 'Docket could not read this Word file. Open it in Word to check it, or save a fresh copy.',
	html: 'Docket could not read this web page file.'
};

/**
 * Reads an email (.eml or Outlook .msg), an mbox, a Word file or an HTML file. Never throws for a bad
 * file: over the size limit it is `unsupported`, a zip bomb or broken structure `damaged`, with the reason.
 */
export async function extractFamily(kind: FamilyKind, input: ExtractionInput): Promise<Extraction> {
	const { bytes } = input;
	if (bytes.byteLength > FAMILY_LIMITS.maxFileBytes)
		return {
			status: 'unsupported',
			reason: 'format',
			error: `This file is ${Math.round(bytes.byteLength / 1048576)} MiB; Docket reads messages, mailboxes and Word files up to ${FAMILY_LIMITS.maxFileBytes / 1048576} MiB. Split it (a mailbox by year, say) and add the parts.`
		};
	try {
		switch (kind) {
			case 'email': {
				// Named .eml but no headers: mail parsing would take the content for headers and lose it.
				if (!isOle(bytes) && !startsWithHeader(bytes)) {
					if (looksLikeText(bytes))
						return withNote(
							extractText(bytes, 'text'),
							'This file has no mail headers, so Docket read it as plain text, not as a message.'
						);
					return {
						status: 'damaged',
						kind: 'email',
						error:
							'This file is not a message: it has no mail headers and is not text. Check that it is the right file, or export the message again.'
					};
				}
				const parsed = isOle(bytes)
					? await (await (msgModule ??= import('./msg.ts'))).parseMsg(bytes)
					: await (await (mimeModule ??= import('./mime.ts'))).parseEml(bytes);
				const laid = layOut(messageHeaderLines(parsed.meta), parsed.paragraphs);
				const result = withNote(withText('email', laid, 'The message has no text.'), parsed.notes.join(' '));
				if (result.status === 'indexed' || result.status === 'no-text')
					result.family = { message: parsed.meta, children: parsed.children };
				return result;
			}
			case 'mbox': {
				const parts = splitMbox(bytes, FAMILY_LIMITS.maxMessages);
				const children: ChildFile[] = [];
				const width = String(parts.length).length;
				for (const [i, part] of parts.entries())
					children.push({
						name: `${stem(input.name)} ${String(i + 1).padStart(width, '0')}.eml`,
						mimeType: 'message/rfc822',
						bytes: part,
						sha256: await sha256OfBytes(part),
						role: 'message'
					});
				const base = { kind: 'mbox' as const, pages: [], pageCount: 0, pagesWithoutText: [], pagesWithErrors: [] };
				if (children.length === 0) {
					const none = 'No message was found in this mailbox (no "From " separator line followed by mail headers)';
					// Its content is still evidence: text is indexed as text, so nothing in it is lost.
					if (looksLikeText(bytes))
						return withNote(extractText(bytes, 'text'), `${none}; Docket read it as plain text.`);
					return { status: 'no-text', ...base, error: `${none}.` };
				}
				return { status: 'indexed', ...base, family: { children, messages: children.length } };
			}
			case 'docx': {
				if (isOle(bytes)) return encryptedOffice(input.name);
				const docx = await (await (docxModule ??= import('../docx.ts'))).docxText(bytes);
				return withNote(
					withText('docx', layOut([], docx.paragraphs), 'The Word document has no text.'),
					docx.notes.join(' ')
				);
			}
			case 'html': {
				const { htmlToParagraphs } = await (htmlModule ??= import('./html-text.ts'));
				const cut = { cut: false };
				const paragraphs = htmlToParagraphs(decodeText(bytes), FAMILY_LIMITS.maxTextChars, cut);
				return withNote(
					withText('html', layOut([], paragraphs), 'The page has no text.'),
					cut.cut ? cutNote(FAMILY_LIMITS.maxTextChars) : undefined
				);
			}
		}
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		if (error instanceof ZipRefusal)
			return {
				status: 'damaged',
				kind,
				error:
					error.reason === 'bomb'
						? `Docket did not open this Word file: ${error.message}`
						: `${DAMAGED[kind]} (${error.message})`,
				detail: message
			};
		return { status: 'damaged', kind, error: DAMAGED[kind], detail: message };
	}
}
