/**
 * What email, mailbox, Word and HTML extraction add to an extraction: the message's metadata (kept on
 * the document, so it syncs with it), and the files found inside (attachments, a mailbox's messages),
 * which become documents of their own.
 */

export interface MailAddress {
	/** The display name as decoded ("Ann Smith"); absent when the header gives none. */
	name?: string;
	/** Lower-cased address ("ann@smith.example"); '' for a name-only entry (an Outlook display list). */
	address: string;
}

/** One attachment as the message lists it. */
export interface AttachmentInfo {
	name: string;
	mimeType: string;
	size: number;
	sha256: string;
	/** The child document holding it (set when stored; the same document under every message carrying it). */
	documentId?: string;
	/** Why it was not made a document (nested too deep, over a limit): the bytes stay in the message's original. */
	skipped?: string;
}

/** A message's metadata: what the headers say, decoded, and where it belongs. */
export interface MessageMeta {
	from?: MailAddress;
	to: MailAddress[];
	cc: MailAddress[];
	bcc: MailAddress[];
	subject: string;
	/** Milliseconds since the epoch, when the Date header parses. */
	date?: number;
	/** Message-ID without angle brackets, lower-cased. */
	messageId?: string;
	inReplyTo?: string;
	references: string[];
	/**
	 * The thread key extraction can know alone: the first of References, else In-Reply-To, else its own
	 * Message-ID, else `subject:` + the normalised subject. Storing refines it against the case's messages.
	 */
	threadKey: string;
	attachments: AttachmentInfo[];
	/** Recipients past `FAMILY_LIMITS.maxAddresses` per field, not kept (absent: none were dropped). */
	omitted?: { to?: number; cc?: number; bcc?: number };
}

/** A file found inside another, to be stored and extracted as a document of its own. */
export interface ChildFile {
	name: string;
	mimeType: string;
	bytes: Uint8Array;
	sha256: string;
	/** `message`: one of a mailbox's messages; `attachment`: a message's attachment. */
	role: 'message' | 'attachment';
}

/** Limits that keep hostile mail, mailboxes and Word files bounded in memory and time. */
export const FAMILY_LIMITS = {
	/** Largest message, mailbox or Word file parsed (a bigger one is `unsupported`, with the reason). */
	maxFileBytes: 512 * 1024 * 1024,
	/** Attachments one message may yield as documents; the rest are listed as skipped. */
	maxAttachments: 500,
	/** Messages one mailbox may yield. */
	maxMessages: 100_000,
	/** Messages within messages (attachments of attachments): deeper ones are listed, not opened. */
	maxDepth: 10,
	/** MIME parts nested within one message (postal-mime's own limit). */
	maxMimeNesting: 64,
	/** Addresses kept per recipient field, so one row stays far below the sync limit on fields. */
	maxAddresses: 200,
	/** Characters of text kept from one message, Word file or HTML file. */
	maxTextChars: 20 * 1024 * 1024,
	/** Uncompressed bytes of a Word file, all parts together. */
	maxDocxUncompressedBytes: 256 * 1024 * 1024,
	/** Uncompressed-to-compressed ratio of one part above which a Word file is treated as a zip bomb. */
	maxDocxRatio: 200
} as const;
