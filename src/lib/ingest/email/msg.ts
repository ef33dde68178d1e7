import * as msgreader from '@kenjiuno/msgreader';
import type { FieldsData } from '@kenjiuno/msgreader';
import { attachmentName, attachmentsOf, parseMailDate, type ParsedMessage } from './mime.ts';
import { checkCompoundFile } from './cfb-guard.ts';
import { htmlToParagraphs, textToParagraphs } from './html-text.ts';
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
	const a = (email ?? '').trim();
	// Exchange-internal addresses ("/O=EXCHANGELABS/…") are not addresses a person recognises.
	const usable = a.includes('@') ? a.toLowerCase() : '';
	const n = (name ?? '').trim();
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
	const to: MailAddress[] = [];
	const cc: MailAddress[] = [];
	const bcc: MailAddress[] = [];
	for (const r of data.recipients ?? []) {
		const a = address(r.name, r.smtpAddress ?? r.email);
		if (!a) continue;
		const list = r.recipType === 'cc' ? cc : r.recipType === 'bcc' ? bcc : to;
		if (list.length < FAMILY_LIMITS.maxAddresses) list.push(a);
	}
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
		to,
		cc,
		bcc,
		subject: (data.subject ?? '').replace(/\s+/g, ' ').trim(),
		...(date === undefined ? {} : { date }),
		...(messageId ? { messageId } : {}),
		...(inReplyTo ? { inReplyTo } : {}),
		references: messageIds(headers.get('references')),
		threadKey: '',
		attachments
	};
	meta.threadKey = threadKeyOf(meta);
	const body = data.body?.trim()
		? textToParagraphs(data.body, FAMILY_LIMITS.maxTextChars)
		: htmlToParagraphs(data.bodyHtml ?? '', FAMILY_LIMITS.maxTextChars);
	return { meta, paragraphs: body, children };
}
