import PostalMime, { type Address as PostalAddress } from 'postal-mime';
import { sha256OfBytes } from './digest.ts';
import { messageBody } from './body.ts';
import { cleanText } from './clean.ts';
import { cleanMessageId, messageIds, threadKeyOf } from './thread.ts';
import { FAMILY_LIMITS, type AttachmentInfo, type ChildFile, type MailAddress, type MessageMeta } from './types.ts';

/** A message read from its bytes: metadata, body paragraphs and the attachments to store. */
export interface ParsedMessage {
	meta: MessageMeta;
	paragraphs: string[];
	children: ChildFile[];
	/** What the document must say about how it was read (text cut at the limit, recipients dropped, …). */
	notes: string[];
}

/** A recipient field as kept: at most `FAMILY_LIMITS.maxAddresses`, and how many more it had. */
export interface Recipients {
	list: MailAddress[];
	omitted: number;
}

/** The `omitted` counts of a message's recipient fields, and the note saying so (none when nothing was dropped). */
export function omittedRecipients(fields: { to: Recipients; cc: Recipients; bcc: Recipients }): {
	omitted?: NonNullable<MessageMeta['omitted']>;
	note?: string;
} {
	const omitted: NonNullable<MessageMeta['omitted']> = {};
	const parts: string[] = [];
	for (const key of ['to', 'cc', 'bcc'] as const) {
		const n = fields[key].omitted;
		if (n <= 0) continue;
		omitted[key] = n;
		parts.push(`${n} ${key === 'to' ? 'To' : key === 'cc' ? 'Cc' : 'Bcc'}`);
	}
	if (parts.length === 0) return {};
	return {
		omitted,
		note: `Only the first ${FAMILY_LIMITS.maxAddresses} recipients of a field are kept: ${parts.join(', ')} recipients more are not indexed. Open the original to see them all.`
	};
}

/** Flattens groups, drops empty entries and keeps at most `FAMILY_LIMITS.maxAddresses`, counting the rest. */
export function mailboxes(addresses: readonly PostalAddress[] | undefined): Recipients {
	const list: MailAddress[] = [];
	let omitted = 0;
	for (const entry of addresses ?? []) {
		const members = 'group' in entry && Array.isArray(entry.group) ? entry.group : [entry];
		for (const m of members) {
			// Control characters (a decoded name's CR LF) would forge lines in the header block.
			const address = cleanText(m.address ?? '').toLowerCase();
			const name = cleanText(m.name ?? '');
			if (!address && !name) continue;
			if (list.length >= FAMILY_LIMITS.maxAddresses) omitted++;
			else list.push(name && name.toLowerCase() !== address ? { name, address } : { address: address || name });
		}
	}
	return { list, omitted };
}

/** Milliseconds since the epoch for a date header, or undefined when it does not parse. */
export function parseMailDate(value: string | undefined | null): number | undefined {
	if (!value) return undefined;
	const ms = Date.parse(value);
	return Number.isFinite(ms) ? ms : undefined;
}

const EXTENSIONS: Record<string, string> = {
	'message/rfc822': 'eml',
	'application/pdf': 'pdf',
	'text/plain': 'txt',
	'text/html': 'html',
	'text/markdown': 'md',
	'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
	'application/vnd.ms-outlook': 'msg',
	'image/png': 'png',
	'image/jpeg': 'jpg'
};

/** An attachment's name: its own, else one made from its type ("attachment 2.pdf"). */
export function attachmentName(filename: string | null | undefined, mimeType: string, index: number): string {
	// Control characters and path separators make no file name: a name is display text, never a path.
	const given = cleanText((filename ?? '').replace(/[/\\]/g, ' '));
	if (given) return given.slice(0, 255);
	const ext = EXTENSIONS[mimeType.toLowerCase()];
	return `attachment ${index + 1}${ext ? `.${ext}` : ''}`;
}

/** Turns found files into listed attachments and child files, up to the per-message limit. */
export async function attachmentsOf(
	found: readonly { name: string; mimeType: string; bytes: Uint8Array }[]
): Promise<{ attachments: AttachmentInfo[]; children: ChildFile[] }> {
	const attachments: AttachmentInfo[] = [];
	const children: ChildFile[] = [];
	for (const [i, file] of found.entries()) {
		const sha256 = await sha256OfBytes(file.bytes);
		const info: AttachmentInfo = { name: file.name, mimeType: file.mimeType, size: file.bytes.byteLength, sha256 };
		if (i >= FAMILY_LIMITS.maxAttachments) {
			info.skipped = `This message has more than ${FAMILY_LIMITS.maxAttachments} attachments; the rest stay inside the message's original file.`;
		} else if (file.bytes.byteLength === 0) {
			info.skipped = 'This attachment is empty (0 bytes).';
		} else {
			children.push({ name: file.name, mimeType: file.mimeType, bytes: file.bytes, sha256, role: 'attachment' });
		}
		attachments.push(info);
	}
	return { attachments, children };
}

/**
 * Reads an RFC 822 message with postal-mime. Every message/rfc822 part becomes an attachment (a child
 * document, read in its own turn), so nesting is bounded by the family depth, not by one parse. MIME
 * nesting and header size are postal-mime's limits; a message over them throws, and is `damaged`.
 */
export async function parseEml(bytes: Uint8Array): Promise<ParsedMessage> {
	const email = await PostalMime.parse(bytes, {
		forceRfc822Attachments: true,
		maxNestingDepth: FAMILY_LIMITS.maxMimeNesting,
		maxRfc822NestingDepth: 0
	});
	const messageId = cleanMessageId(email.messageId);
	const inReplyTo = messageIds(email.inReplyTo)[0];
	const references = messageIds(email.references);
	const subject = cleanText(email.subject ?? '');
	const found = (email.attachments ?? []).map((a, i) => {
		const content = a.content;
		const data =
			typeof content === 'string'
				? new TextEncoder().encode(content)
				: content instanceof Uint8Array
					? content
					: new Uint8Array(content);
		const mimeType = (a.mimeType || 'application/octet-stream').toLowerCase();
		return { name: attachmentName(a.filename, mimeType, i), mimeType, bytes: data };
	});
	const { attachments, children } = await attachmentsOf(found);
	const from = mailboxes(email.from ? [email.from] : []).list[0];
	const date = parseMailDate(email.date);
	const recipients = { to: mailboxes(email.to), cc: mailboxes(email.cc), bcc: mailboxes(email.bcc) };
	const { omitted, note } = omittedRecipients(recipients);
	const meta: MessageMeta = {
		...(from ? { from } : {}),
		to: recipients.to.list,
		cc: recipients.cc.list,
		bcc: recipients.bcc.list,
		subject,
		...(date === undefined ? {} : { date }),
		...(messageId ? { messageId } : {}),
		...(inReplyTo ? { inReplyTo } : {}),
		references,
		threadKey: '',
		attachments,
		...(omitted ? { omitted } : {})
	};
	meta.threadKey = threadKeyOf(meta);
	const body = messageBody(email.text, email.html);
	return { meta, paragraphs: body.paragraphs, children, notes: [...(note ? [note] : []), ...body.notes] };
}
