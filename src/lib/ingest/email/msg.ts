import * as msgreader from '@kenjiuno/msgreader';
import type { FieldsData } from '@kenjiuno/msgreader';
import { decompressRTF } from '@kenjiuno/decompressrtf';
import { decodeText, decodeWindows1252 } from '../text.ts';
import { messageBody, type MessageBody } from './body.ts';
import { cleanText } from './clean.ts';
import {
	attachmentName,
	attachmentsOf,
	omittedRecipients,
	parseMailDate,
	type ParsedMessage,
	type Recipients
} from './mime.ts';
import { checkCompoundFile } from './cfb-guard.ts';
import { rtfToText } from './rtf-text.ts';
import { cleanMessageId, messageIds, threadKeyOf } from './thread.ts';
import { FAMILY_LIMITS, type MailAddress, type MessageMeta } from './types.ts';

type MsgReaderClass = new (data: DataView) => {
	getFileData(): FieldsData;
	getAttachment(attach: FieldsData): { fileName: string; content: Uint8Array };
};
// A CommonJS module: Node's ESM loader nests the class one `.default` deeper than bundlers do.
const loaded = msgreader as unknown as { default: MsgReaderClass | { default: MsgReaderClass } };
const MsgReader: MsgReaderClass = 'default' in loaded.default ? loaded.default.default : loaded.default;

/** The first value of each header in an unfolded RFC 822 header block (an Outlook item's transport headers). */
export function headerValues(block: string): Map<string, string> {
	const out = new Map<string, string>();
	for (const line of block
		.replace(/\r\n?/g, '\n')
		.replace(/\n[ \t]+/g, ' ')
		.split('\n')) {
		const colon = line.indexOf(':');
		if (colon <= 0) continue;
		const key = line.slice(0, colon).trim().toLowerCase();
		if (!out.has(key)) out.set(key, line.slice(colon + 1).trim());
	}
	return out;
}

function address(name: string | undefined, email: string | undefined): MailAddress | undefined {
	// Control characters (a name's CR LF) would forge lines in the header block.
	const a = cleanText(email ?? '');
	// Exchange-internal addresses ("/O=EXCHANGELABS/…") are not addresses a person recognises.
	const usable = a.includes('@') ? a.toLowerCase() : '';
	const n = cleanText(name ?? '');
	if (!usable && !n) return undefined;
	return n && n.toLowerCase() !== usable ? { name: n, address: usable } : { address: usable || n };
}

/**
 * Reads an Outlook item (`.msg`, a compound file) with @kenjiuno/msgreader: sender, recipients by kind,
 * subject, body (plain, else HTML), transport headers for ids and date, and attachments (an embedded
 * message comes out as a `.msg` of its own). A file msgreader cannot read throws, and is `damaged`; one
 * whose sector chains loop is refused before msgreader sees it (`cfb-guard.ts`).
 */
export async function parseMsg(bytes: Uint8Array): Promise<ParsedMessage> {
	checkCompoundFile(bytes);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const reader = new MsgReader(view);
	const data = reader.getFileData();
	if (data.error) throw new Error(data.error);
	if (data.dataType !== 'msg') throw new Error('This compound file is not an Outlook item.');
	const headers = headerValues(data.headers ?? '');
	const recipients: { to: Recipients; cc: Recipients; bcc: Recipients } = {
		to: { list: [], omitted: 0 },
		cc: { list: [], omitted: 0 },
		bcc: { list: [], omitted: 0 }
	};
	for (const r of data.recipients ?? []) {
		const a = address(r.name, r.smtpAddress ?? r.email);
		if (!a) continue;
		const field = recipients[r.recipType === 'cc' ? 'cc' : r.recipType === 'bcc' ? 'bcc' : 'to'];
		if (field.list.length < FAMILY_LIMITS.maxAddresses) field.list.push(a);
		else field.omitted++;
	}
	const { omitted, note } = omittedRecipients(recipients);
	const from = address(data.senderName, data.senderSmtpAddress ?? data.senderEmail);
	const found = (data.attachments ?? []).map((entry, i) => {
		const attachment = reader.getAttachment(entry);
		const mimeType = (entry.attachMimeTag ?? (entry.innerMsgContent ? 'application/vnd.ms-outlook' : '')).toLowerCase();
		const name = attachmentName(
			attachment.fileName || entry.fileName || entry.name,
			mimeType || 'application/octet-stream',
			i
		);
		return { name, mimeType: mimeType || 'application/octet-stream', bytes: attachment.content };
	});
	const { attachments, children } = await attachmentsOf(found);
	const date =
		parseMailDate(headers.get('date')) ??
		parseMailDate(data.clientSubmitTime) ??
		parseMailDate(data.messageDeliveryTime);
	const messageId = cleanMessageId(headers.get('message-id') ?? data.messageId);
	const inReplyTo = messageIds(headers.get('in-reply-to'))[0];
	const meta: MessageMeta = {
		...(from ? { from } : {}),
		to: recipients.to.list,
		cc: recipients.cc.list,
		bcc: recipients.bcc.list,
		subject: cleanText(data.subject ?? ''),
		...(date === undefined ? {} : { date }),
		...(messageId ? { messageId } : {}),
		...(inReplyTo ? { inReplyTo } : {}),
		references: messageIds(headers.get('references')),
		threadKey: '',
		attachments,
		...(omitted ? { omitted } : {})
	};
	meta.threadKey = threadKeyOf(meta);
	const body = msgBody(data);
	return { meta, paragraphs: body.paragraphs, children, notes: [...(note ? [note] : []), ...body.notes] };
}

/** Windows code pages (PidTagInternetCodepage) as WHATWG decoder labels, where the number alone is not one. */
const CODE_PAGES: Record<number, string> = {
	65001: 'utf-8',
	1200: 'utf-16le',
	1201: 'utf-16be',
	20127: 'us-ascii',
	28591: 'iso-8859-1',
	932: 'shift_jis',
	936: 'gbk',
	949: 'euc-kr',
	950: 'big5',
	20866: 'koi8-r',
	21866: 'koi8-u',
	50220: 'iso-2022-jp',
	51932: 'euc-jp',
	54936: 'gb18030'
};

/**
 * The binary HTML body (PidTagHtml) as text: in the message's code page when it names one, else as a
 * text file is read (`decodeText`: a byte-order mark, valid UTF-8, else Windows-1252, which Node's
 * decoder would read as Latin-1).
 */
export function decodeHtmlBody(bytes: Uint8Array, codePage: number | undefined): string {
	if (codePage === 1252) return decodeWindows1252(bytes);
	const label =
		codePage === undefined
			? undefined
			: (CODE_PAGES[codePage] ??
				(codePage >= 28592 && codePage <= 28606
					? `iso-8859-${codePage - 28590}`
					: codePage >= 1250 && codePage <= 1258
						? `windows-${codePage}`
						: undefined));
	if (label) {
		try {
			return new TextDecoder(label).decode(bytes);
		} catch {
			// An unknown label: fall through to the guess.
		}
	}
	return decodeText(bytes);
}

/** Compressed RTF bigger than this is not decompressed (the decompressor holds it as a number array). */
const MAX_RTF_BYTES = 16 * 1024 * 1024;

/**
 * The body: plain text and HTML (a string, or the binary PidTagHtml msgreader leaves undecoded) by
 * `messageBody`'s rule; an item with only an RTF body has it decompressed and stripped to text. An RTF
 * body that cannot be read is said so in a note, never dropped silently.
 */
function msgBody(data: FieldsData): MessageBody {
	const html = data.bodyHtml?.trim()
		? data.bodyHtml
		: data.html && data.html.length > 0
			? decodeHtmlBody(data.html, data.internetCodepage ?? data.messageCodepage)
			: undefined;
	if (data.body?.trim() || html?.trim()) return messageBody(data.body, html);
	const rtf = data.compressedRtf;
	if (!rtf || rtf.length === 0) return { paragraphs: [], notes: [] };
	const unread =
		'The message body is in RTF (rich text), which Docket could not read: open the original in Outlook to read it.';
	// The header's size must match what is there: the decompressor runs to the size it is told.
	const declared = rtf.length >= 16 ? (rtf[0]! | (rtf[1]! << 8) | (rtf[2]! << 16) | (rtf[3]! << 24)) >>> 0 : -1;
	if (declared < 12 || declared + 4 > rtf.length || rtf.length > MAX_RTF_BYTES)
		return { paragraphs: [], notes: [unread] };
	try {
		const decompressed = Uint8Array.from(decompressRTF(Array.from(rtf)));
		const text = rtfToText(decodeWindows1252(decompressed));
		const body = messageBody(text, undefined);
		return body.paragraphs.length > 0 ? body : { paragraphs: [], notes: [unread] };
	} catch {
		return { paragraphs: [], notes: [unread] };
	}
}
