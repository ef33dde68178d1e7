import type { MailAddress } from './types.ts';

/** Message-IDs compare without angle brackets, spaces or case: mailers quote the same id differently. */
export function cleanMessageId(raw: string | undefined | null): string | undefined {
	if (!raw) return undefined;
	const id = raw
		.trim()
		.replace(/^<+|>+$/g, '')
		.trim()
		.toLowerCase();
	return id === '' || id.length > 998 ? undefined : id;
}

/** Every `<id>` in a References or In-Reply-To header, in order; a bare id when there are no brackets. */
export function messageIds(raw: string | undefined | null): string[] {
	if (!raw) return [];
	const bracketed = [...raw.matchAll(/<([^<>\s]+)>/g)].map((m) => cleanMessageId(m[1]));
	const ids = bracketed.length > 0 ? bracketed : raw.split(/\s+/).map((part) => cleanMessageId(part));
	return [...new Set(ids.filter((id): id is string => id !== undefined))].slice(0, 200);
}

const REPLY_PREFIX = /^\s*((re|fw|fwd|aw|wg|sv|vs|antw|tr|rif|r)\s*(\[\d+\])?\s*:\s*|\[[^\]]{1,40}\]\s*)/i;

/** A subject without reply and forward prefixes ("Re: Fwd: [List] Re: Draft" → "draft"), for threading. */
export function normaliseSubject(subject: string): string {
	let s = subject.normalize('NFKC');
	for (let i = 0; i < 20; i++) {
		const next = s.replace(REPLY_PREFIX, '');
		if (next === s) break;
		s = next;
	}
	return s.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** Whether a subject says it answers or forwards another message. */
export function isReplySubject(subject: string): boolean {
	return REPLY_PREFIX.test(subject);
}

/** The thread key a message carries by itself (see `MessageMeta.threadKey`). */
export function threadKeyOf(meta: {
	messageId?: string | undefined;
	inReplyTo?: string | undefined;
	references: readonly string[];
	subject: string;
}): string {
	const root = meta.references[0] ?? meta.inReplyTo ?? meta.messageId;
	if (root) return `id:${root}`;
	return `subject:${normaliseSubject(meta.subject)}`;
}

/** "Ann Smith", else the address, else "unknown sender". */
export function personName(address: MailAddress | undefined): string {
	if (!address) return 'unknown sender';
	return address.name?.trim() || address.address || 'unknown sender';
}

/** "Ann Smith <ann@smith.example>" as a header line shows it. */
export function formatAddress(address: MailAddress): string {
	if (!address.name) return address.address;
	if (!address.address) return address.name;
	return `${address.name} <${address.address}>`;
}
