import { looksLikeMbox } from './mbox.ts';
import type { FamilyKind } from './extract-family.ts';

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const WORD_PART = new TextEncoder().encode('word/document.xml');
/** "__substg1.0_" in UTF-16LE: the stream names every Outlook item has. */
const MSG_STREAM = new Uint8Array([...'__substg1.0_'].flatMap((c) => [c.charCodeAt(0), 0]));
/** "EncryptedPackage" in UTF-16LE: the stream a password-protected .docx (or .xlsx, .pptx) is wrapped in. */
const ENCRYPTED_STREAM = new Uint8Array([...'EncryptedPackage'].flatMap((c) => [c.charCodeAt(0), 0]));
const HEADER = /^[!-9;-~]{1,76}:/;
const MAIL_HEADERS = new Set([
	'from',
	'to',
	'cc',
	'subject',
	'date',
	'message-id',
	'received',
	'mime-version',
	'return-path',
	'in-reply-to',
	'references',
	'content-type',
	'x-mailer',
	'delivered-to'
]);

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
	return signature.every((b, i) => bytes[i] === b);
}

function contains(bytes: Uint8Array, needle: Uint8Array, limit = bytes.length): boolean {
	const end = Math.min(bytes.length, limit) - needle.length;
	const first = needle[0]!;
	for (let i = bytes.indexOf(first); i >= 0 && i <= end; i = bytes.indexOf(first, i + 1)) {
		let j = 1;
		while (j < needle.length && bytes[i + j] === needle[j]) j++;
		if (j === needle.length) return true;
	}
	return false;
}

/** Whether text starts with an RFC 822 header block naming at least two mail headers (From, Subject, …). */
export function looksLikeMessage(head: string): boolean {
	const lines = head.replace(/\r\n?/g, '\n').split('\n');
	let known = 0;
	for (const [i, line] of lines.entries()) {
		if (line === '') return known >= 2 && i > 0;
		if (/^[ \t]/.test(line)) continue;
		if (!HEADER.test(line)) return false;
		if (MAIL_HEADERS.has(line.slice(0, line.indexOf(':')).toLowerCase())) known++;
		if (i > 500) break;
	}
	return known >= 2;
}

function extension(name: string): string {
	const base = name.split(/[/\\]/).pop() ?? name;
	const dot = base.lastIndexOf('.');
	return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

/**
 * Recognises messages, mailboxes, Word and HTML files by their bytes (a name only breaks ties): an OLE
 * file with Outlook streams, a ZIP with a Word part, mail headers, an mbox `From ` line, HTML markup.
 */
export function sniffFamily(bytes: Uint8Array, name: string, mimeType?: string): FamilyKind | undefined {
	const ext = extension(name);
	if (startsWith(bytes, OLE)) {
		if (ext === 'msg' || mimeType === 'application/vnd.ms-outlook' || contains(bytes, MSG_STREAM)) return 'email';
		// An encrypted Office file: the Word reader says it is password-protected, not "an old Office file".
		return contains(bytes, ENCRYPTED_STREAM) ? 'docx' : undefined;
	}
	if (startsWith(bytes, ZIP)) return ext === 'docx' || contains(bytes, WORD_PART) ? 'docx' : undefined;
	const head = new TextDecoder('latin1').decode(bytes.subarray(0, 64 * 1024));
	if (head.includes('\u0000')) return undefined;
	if (looksLikeMbox(bytes)) return 'mbox';
	if (ext === 'mbox' && head.startsWith('From ')) return 'mbox';
	if (looksLikeMessage(head)) return 'email';
	if (ext === 'eml' || mimeType === 'message/rfc822') return 'email';
	const lead = head.trimStart().slice(0, 512).toLowerCase();
	if (ext === 'html' || ext === 'htm' || mimeType === 'text/html' || /^(<!doctype html|<html[\s>])/.test(lead))
		return 'html';
	return undefined;
}
