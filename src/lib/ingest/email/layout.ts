import { formatAddress } from './thread.ts';
import type { MailAddress, MessageMeta } from './types.ts';

/** A document without pages, laid out as one page: an optional header block, then numbered paragraphs. */
export interface LaidOut {
	text: string;
	/** End of the header block (0: none). */
	headerEnd: number;
	/** Where each paragraph starts in `text`; ¶ n is `paragraphs[n - 1]`. */
	paragraphs: number[];
}

/** Separates the header block from the body, and one paragraph from the next. */
const GAP = '\n\n';

export function layOut(headerLines: readonly string[], paragraphs: readonly string[]): LaidOut {
	const header = headerLines.join('\n');
	let text = header;
	const starts: number[] = [];
	for (const paragraph of paragraphs) {
		if (text !== '') text += GAP;
		starts.push(text.length);
		text += paragraph;
	}
	return { text, headerEnd: header.length, paragraphs: starts };
}

/** English month abbreviations, as legal citations print them (and not through Intl: it is slow per call). */
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "3 Mar 2024, 14:05 UTC": unambiguous in every locale, and the same on every device. */
export function formatMessageDate(ms: number): string {
	const d = new Date(ms);
	const month = MONTHS[d.getUTCMonth()]!;
	const hh = String(d.getUTCHours()).padStart(2, '0');
	const mm = String(d.getUTCMinutes()).padStart(2, '0');
	return `${d.getUTCDate()} ${month} ${d.getUTCFullYear()}, ${hh}:${mm} UTC`;
}

/** The header block a reader sees and searches: who, when, what, and what came with it. */
export function messageHeaderLines(meta: MessageMeta): string[] {
	const lines: string[] = [];
	if (meta.from) lines.push(`From: ${formatAddress(meta.from)}`);
	// A field cut at the limit says so, lest a reader take the list for everyone who got the message.
	const field = (label: string, list: readonly MailAddress[], more: number | undefined) => {
		if (list.length > 0)
			lines.push(`${label}: ${list.map(formatAddress).join(', ')}${more ? ` … and ${more} more` : ''}`);
	};
	field('To', meta.to, meta.omitted?.to);
	field('Cc', meta.cc, meta.omitted?.cc);
	field('Bcc', meta.bcc, meta.omitted?.bcc);
	if (meta.date !== undefined) lines.push(`Date: ${formatMessageDate(meta.date)}`);
	lines.push(`Subject: ${meta.subject || '(no subject)'}`);
	if (meta.attachments.length > 0) lines.push(`Attachments: ${meta.attachments.map((a) => a.name).join(', ')}`);
	return lines;
}

/** The note a document carries when its text was cut at `max` characters. */
export function cutNote(max: number): string {
	return `The text was cut at ${Math.round(max / 1048576)} million characters: what follows is not indexed. Open the original file to read the rest.`;
}
