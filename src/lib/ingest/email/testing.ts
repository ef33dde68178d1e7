/**
 * Fixtures the email tests write themselves (Node only): RFC 822 messages and mboxes as text, Word files
 * zipped from XML by a small ZIP writer (which can also lie about sizes, to build zip bombs), and Outlook
 * `.msg` items written as compound files with the `cfb` package.
 */
import CFB from 'cfb';
import { deflateRawSync } from 'node:zlib';

export interface FixtureAttachment {
	name: string;
	mimeType: string;
	bytes: Uint8Array;
}

export interface FixtureMessage {
	from: string;
	to: string;
	cc?: string;
	subject: string;
	date: string;
	messageId?: string;
	inReplyTo?: string;
	references?: string;
	text?: string;
	html?: string;
	attachments?: FixtureAttachment[];
}

function base64Lines(bytes: Uint8Array): string {
	const b64 = Buffer.from(bytes).toString('base64');
	return b64.replace(/.{1,76}/g, (line) => `${line}\r\n`);
}

/** An RFC 822 message with CRLF line ends: text and/or HTML body, base64 attachments. */
export function makeEml(m: FixtureMessage): string {
	const headers = [
		`From: ${m.from}`,
		`To: ${m.to}`,
		...(m.cc ? [`Cc: ${m.cc}`] : []),
		`Subject: ${m.subject}`,
		`Date: ${m.date}`,
		...(m.messageId ? [`Message-ID: <${m.messageId}>`] : []),
		...(m.inReplyTo ? [`In-Reply-To: <${m.inReplyTo}>`] : []),
		...(m.references ? [`References: ${m.references}`] : []),
		'MIME-Version: 1.0'
	];
	const boundary = `b-${Math.abs(hash(m.subject + m.date))}`;
	const parts: string[] = [];
	if (m.text !== undefined)
		parts.push(
			`Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${m.text.replace(/\r?\n/g, '\r\n')}\r\n`
		);
	if (m.html !== undefined)
		parts.push(`Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${m.html}\r\n`);
	for (const a of m.attachments ?? [])
		parts.push(
			`Content-Type: ${a.mimeType}; name="${a.name}"\r\nContent-Disposition: attachment; filename="${a.name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(a.bytes)}`
		);
	return `${headers.join('\r\n')}\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n${parts.map((p) => `--${boundary}\r\n${p}`).join('')}--${boundary}--\r\n`;
}

function hash(s: string): number {
	let h = 0;
	for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
	return h;
}

/** An mbox (mboxrd): a `From ` line before each message, `From ` lines in bodies quoted as `>From `. */
export function makeMbox(messages: readonly string[]): string {
	return messages
		.map((m) => {
			const body = m.replace(/\r\n/g, '\n').replace(/^(>*From )/gm, '>$1');
			return `From sender@example.com Sun Mar  3 10:00:00 2024\n${body}${body.endsWith('\n') ? '' : '\n'}\n`;
		})
		.join('');
}

const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

function crc32(bytes: Uint8Array): number {
	let c = 0xffffffff;
	for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

export interface ZipInput {
	name: string;
	data: Uint8Array | string;
	/** Writes this uncompressed size in the headers instead of the real one (a lying zip bomb). */
	declaredSize?: number;
	/** Stores the part uncompressed (method 0), so its bytes show in the file as they are. */
	store?: boolean;
}

/** A ZIP with deflated parts, as Word writes them. */
export function makeZip(entries: readonly ZipInput[]): Uint8Array {
	const chunks: Buffer[] = [];
	const central: Buffer[] = [];
	let offset = 0;
	for (const e of entries) {
		const data = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : Buffer.from(e.data);
		const packed = e.store ? data : deflateRawSync(data);
		const method = e.store ? 0 : 8;
		const name = Buffer.from(e.name, 'utf8');
		const size = e.declaredSize ?? data.length;
		const local = Buffer.alloc(30);
		local.writeUInt32LE(0x04034b50, 0);
		local.writeUInt16LE(20, 4);
		local.writeUInt16LE(method, 8);
		local.writeUInt32LE(crc32(data), 14);
		local.writeUInt32LE(packed.length, 18);
		local.writeUInt32LE(size, 22);
		local.writeUInt16LE(name.length, 26);
		chunks.push(local, name, packed);
		const dir = Buffer.alloc(46);
		dir.writeUInt32LE(0x02014b50, 0);
		dir.writeUInt16LE(20, 4);
		dir.writeUInt16LE(20, 6);
		dir.writeUInt16LE(method, 10);
		dir.writeUInt32LE(crc32(data), 16);
		dir.writeUInt32LE(packed.length, 20);
		dir.writeUInt32LE(size, 24);
		dir.writeUInt16LE(name.length, 28);
		dir.writeUInt32LE(offset, 42);
		central.push(dir, name);
		offset += local.length + name.length + packed.length;
	}
	const dirBytes = Buffer.concat(central);
	const end = Buffer.alloc(22);
	end.writeUInt32LE(0x06054b50, 0);
	end.writeUInt16LE(entries.length, 8);
	end.writeUInt16LE(entries.length, 10);
	end.writeUInt32LE(dirBytes.length, 12);
	end.writeUInt32LE(offset, 16);
	return new Uint8Array(Buffer.concat([...chunks, dirBytes, end]));
}

function xmlEscape(s: string): string {
	return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The parts of a minimal Word document with these paragraphs. */
export function docxParts(paragraphs: readonly string[]): ZipInput[] {
	const body = paragraphs.map((p) => `<w:p><w:r><w:t xml:space="preserve">${xmlEscape(p)}</w:t></w:r></w:p>`).join('');
	return [
		{
			name: '[Content_Types].xml',
			data: '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
		},
		{
			name: '_rels/.rels',
			data: '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
		},
		{
			name: 'word/document.xml',
			data: `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`
		}
	];
}

export function makeDocx(paragraphs: readonly string[]): Uint8Array {
	return makeZip(docxParts(paragraphs));
}

export interface FixtureMsg {
	subject: string;
	senderName: string;
	senderEmail: string;
	recipients: { name: string; email: string; kind: 'to' | 'cc' }[];
	body: string;
	/** Transport headers (Message-ID, Date, In-Reply-To …), as Outlook keeps them. */
	headers?: string;
	attachments?: FixtureAttachment[];
}

function utf16(s: string): Buffer {
	return Buffer.from(s, 'utf16le');
}

/** A property stream: a header of `headerBytes`, then 16-byte entries of fixed (PT_LONG) and variable properties. */
function properties(
	headerBytes: number,
	fixed: [number, number][],
	variable: [number, number][],
	header?: Buffer
): Buffer {
	const out = Buffer.alloc(headerBytes + 16 * (fixed.length + variable.length));
	header?.copy(out, 0);
	let at = headerBytes;
	for (const [tag, value] of fixed) {
		out.writeUInt32LE(tag, at);
		out.writeUInt32LE(6, at + 4);
		out.writeUInt32LE(value, at + 8);
		at += 16;
	}
	for (const [tag, size] of variable) {
		out.writeUInt32LE(tag, at);
		out.writeUInt32LE(6, at + 4);
		out.writeUInt32LE(size, at + 8);
		at += 16;
	}
	return out;
}

/** An Outlook item (.msg): a compound file of MAPI property streams, as [MS-OXMSG] lays them out. */
export function makeMsg(m: FixtureMsg): Uint8Array {
	const cfb = CFB.utils.cfb_new();
	const add = (path: string, content: Buffer) => CFB.utils.cfb_add(cfb, path, content);
	const strings: [string, string][] = [
		['0037001F', m.subject],
		['0C1A001F', m.senderName],
		['0C1F001F', m.senderEmail],
		['5D01001F', m.senderEmail],
		['1000001F', m.body],
		...(m.headers ? ([['007D001F', m.headers]] as [string, string][]) : [])
	];
	for (const [tag, value] of strings) add(`/__substg1.0_${tag}`, utf16(value));
	add('/__substg1.0_001A001F', utf16('IPM.Note'));
	add('/__nameid_version1.0/__substg1.0_00020102', Buffer.alloc(0));
	add('/__nameid_version1.0/__substg1.0_00030102', Buffer.alloc(0));
	add('/__nameid_version1.0/__substg1.0_00040102', Buffer.alloc(0));
	const top = Buffer.alloc(32);
	top.writeUInt32LE(m.recipients.length, 8);
	top.writeUInt32LE(m.attachments?.length ?? 0, 12);
	top.writeUInt32LE(m.recipients.length, 16);
	top.writeUInt32LE(m.attachments?.length ?? 0, 20);
	add(
		'/__properties_version1.0',
		properties(
			32,
			[],
			strings.map(([tag, value]) => [parseInt(tag, 16), utf16(value).length + 2]),
			top
		)
	);
	m.recipients.forEach((r, i) => {
		const dir = `/__recip_version1.0_#${i.toString(16).toUpperCase().padStart(8, '0')}`;
		add(`${dir}/__substg1.0_3001001F`, utf16(r.name));
		add(`${dir}/__substg1.0_3003001F`, utf16(r.email));
		add(`${dir}/__substg1.0_39FE001F`, utf16(r.email));
		add(
			`${dir}/__properties_version1.0`,
			properties(
				8,
				[[0x0c150003, r.kind === 'cc' ? 2 : 1]],
				[
					[0x3001001f, utf16(r.name).length + 2],
					[0x3003001f, utf16(r.email).length + 2],
					[0x39fe001f, utf16(r.email).length + 2]
				]
			)
		);
	});
	(m.attachments ?? []).forEach((a, i) => {
		const dir = `/__attach_version1.0_#${i.toString(16).toUpperCase().padStart(8, '0')}`;
		add(`${dir}/__substg1.0_3707001F`, utf16(a.name));
		add(`${dir}/__substg1.0_3704001F`, utf16(a.name));
		add(`${dir}/__substg1.0_370E001F`, utf16(a.mimeType));
		add(`${dir}/__substg1.0_37010102`, Buffer.from(a.bytes));
		add(
			`${dir}/__properties_version1.0`,
			properties(
				8,
				[[0x37050003, 1]],
				[
					[0x3707001f, utf16(a.name).length + 2],
					[0x3704001f, utf16(a.name).length + 2],
					[0x370e001f, utf16(a.mimeType).length + 2],
					[0x37010102, a.bytes.length]
				]
			)
		);
	});
	return new Uint8Array(CFB.write(cfb, { type: 'buffer' }) as Buffer);
}
