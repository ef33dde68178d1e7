import CFB from 'cfb';
import { describe, expect, it } from 'vitest';
import { nodeExtractor } from '../extract.node.ts';
import { hasPages, type Extraction } from '../types.ts';
import { HTML_PART_LABEL } from './body.ts';
import { splitMbox } from './mbox.ts';
import { makeMsg } from './testing.ts';
import { FAMILY_LIMITS } from './types.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const extract = (name: string, bytes: Uint8Array) => nodeExtractor().extract({ name, bytes });

function text(e: Extraction): string {
	if (!hasPages(e)) throw new Error(`expected pages, got ${e.status}: ${'error' in e ? e.error : ''}`);
	return e.pages.map((p) => p.text).join('\n');
}

describe('a file named .eml that is not a message loses nothing', () => {
	it('plain text without headers is indexed as text, with a note', async () => {
		const e = await extract('n2.eml', enc('just some text\r\nno headers\r\n\r\nThe admission is here.'));
		expect(e.status).toBe('indexed');
		expect(text(e)).toContain('The admission is here.');
		expect(text(e)).toContain('just some text');
		expect('error' in e && e.error).toMatch(/no mail headers/);
	});

	it('binary garbage is damaged with a reason, not an indexed empty message', async () => {
		const g = new Uint8Array(4096);
		for (let i = 0; i < g.length; i++) g[i] = (i * 2654435761) >>> 24 || 1;
		const e = await extract('g2.eml', g);
		expect(e.status).toBe('damaged');
		expect('error' in e && e.error).toMatch(/not a message/);
	});
});

describe('mbox separators', () => {
	const m = (i: number, body: string) =>
		`From sender@x.example Sun Mar  3 10:00:00 2024\nFrom: s${i}@x.example\nSubject: msg ${i}\n\n${body}\n\n`;

	it('a body line "From what I hear" after a blank line stays in its message', () => {
		const parts = splitMbox(enc(m(1, 'Hello,\n\nFrom what I hear, the deal is off.\nRegards') + m(2, 'second')));
		expect(parts).toHaveLength(2);
		expect(new TextDecoder().decode(parts[0])).toContain('\n\nFrom what I hear, the deal is off.\nRegards');
	});

	it('a quoted separator-like line not followed by headers stays too; other writers’ forms split', () => {
		const quoted = m(1, 'Quoted log:\nFrom bob@x.example Mon Mar  4 09:00:00 2024 wrote something\n\nmore');
		const parts = splitMbox(enc(quoted + m(2, 'two')));
		expect(parts).toHaveLength(2);
		expect(new TextDecoder().decode(parts[0])).toContain('wrote something');
		const others = [
			'From - Sat Mar 02 15:25:24 2024\nFrom: a@x\n\none\n\n',
			'From 1@xxx Sat Mar 02 15:25:24 +0000 2024\r\nFrom: b@x\r\n\r\ntwo\r\n\r\n',
			'From MAILER-DAEMON Fri Jul  8 12:08 2011\nSubject: c\n\nthree\n'
		];
		expect(splitMbox(enc(others.join('')))).toHaveLength(3);
	});
});

describe('an mbox without messages', () => {
	it('is indexed as text, not emptied', async () => {
		const e = await extract('notes.mbox', enc('From the desk of the GC\nnot a header line\n\nKeep this.'));
		expect(text(e)).toContain('Keep this.');
		expect('error' in e && e.error).toMatch(/No message was found/);
	});
});

function withStream(msg: Uint8Array, path: string, content: Uint8Array): Uint8Array {
	const cfb = CFB.read(Buffer.from(msg), { type: 'buffer' });
	CFB.utils.cfb_add(cfb, path, Buffer.from(content));
	return new Uint8Array(CFB.write(cfb, { type: 'buffer' }) as Buffer);
}

const outlook = {
	subject: 'Outlook item',
	senderName: 'Ann Smith',
	senderEmail: 'ann@a.example',
	recipients: [{ name: 'Bob', email: 'bob@b.example', kind: 'to' as const }],
	body: ''
};

describe('Outlook bodies that are not plain text', () => {
	it('an HTML-only body (binary PidTagHtml) is indexed as text', async () => {
		const html = enc('<html><body><p>The HTML-only body: we accept the offer.</p><p>Caf\u00e9</p></body></html>');
		const e = await extract('h.msg', withStream(makeMsg(outlook), '/__substg1.0_10130102', html));
		expect(e.status).toBe('indexed');
		expect(text(e)).toContain('The HTML-only body: we accept the offer.');
		expect(text(e)).toContain('Caf\u00e9');
	});

	it('an RTF-only body is read, or the document says it was not', async () => {
		const rtf = enc(
			"{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0 Arial;}}\\f0 The RTF body says \\u8220?yes\\u8221?.\\par Caf\\'e9\\par}"
		);
		const header = new Uint8Array(16);
		new DataView(header.buffer).setUint32(0, rtf.length + 12, true);
		new DataView(header.buffer).setUint32(4, rtf.length, true);
		new DataView(header.buffer).setUint32(8, 0x414c454d, true); // "MELA": stored uncompressed
		const e = await extract(
			'r.msg',
			withStream(makeMsg(outlook), '/__substg1.0_10090102', new Uint8Array([...header, ...rtf]))
		);
		expect(text(e)).toContain('The RTF body says \u201cyes\u201d.');
		expect(text(e)).toContain('Caf\u00e9');
		expect(text(e)).not.toContain('Arial');
		const broken = new Uint8Array([...header, ...rtf]);
		new DataView(broken.buffer).setUint32(0, 1 << 30, true);
		const d = await extract('r.msg', withStream(makeMsg(outlook), '/__substg1.0_10090102', broken));
		expect('error' in d && d.error).toMatch(/RTF/);
	});
});

describe('header block injection', () => {
	const lines = (e: Extraction) => {
		if (!hasPages(e)) throw new Error(e.status);
		const p = e.pages[0]!;
		return p.text.slice(0, p.headerEnd).split('\n');
	};

	it('an encoded From name with a newline forges no To: or Date: line', async () => {
		const name = Buffer.from('Ann\nTo: someone-else@x.example\u2028Date: 1 Jan 2020').toString('base64');
		const e = await extract('c.eml', enc(`From: =?utf-8?B?${name}?= <ann@a.example>\r\nSubject: s\r\n\r\nbody`));
		expect(lines(e)).toEqual(['From: Ann To: someone-else@x.example Date: 1 Jan 2020 <ann@a.example>', 'Subject: s']);
	});

	it('a subject with encoded CR LF stays one line', async () => {
		const subject = Buffer.from('Hello\r\nAttachments: fake.pdf\u0085x').toString('base64');
		const e = await extract('c.eml', enc(`From: a@a.example\r\nSubject: =?utf-8?B?${subject}?=\r\n\r\nbody`));
		expect(lines(e)).toEqual(['From: a@a.example', 'Subject: Hello Attachments: fake.pdf x']);
	});

	it('a .msg recipient name with CR LF forges no Cc: line', async () => {
		const msg = makeMsg({
			...outlook,
			body: 'Plain body.',
			recipients: [{ name: 'Bob\r\nCc: ghost@x.example', email: 'bob@b.example', kind: 'to' }]
		});
		expect(lines(await extract('a.msg', msg))).toEqual([
			'From: Ann Smith <ann@a.example>',
			'To: Bob Cc: ghost@x.example <bob@b.example>',
			'Subject: Outlook item'
		]);
	});
});

describe('limits are said, not silent', () => {
	it('recipients past the cap: the header block and the document say how many more', async () => {
		const to = Array.from({ length: 10000 }, (_, i) => `r${i}@x.example`).join(', ');
		const e = await extract('many.eml', enc(`From: a@a.example\r\nTo: ${to}\r\nSubject: many\r\n\r\nbody`));
		expect(e.status).toBe('indexed');
		expect(lines0(e)).toMatch(/r199@x\.example … and 9800 more$/);
		expect('error' in e && e.error).toMatch(/9800 To recipients more are not indexed/);
		if (hasPages(e)) expect(e.family!.message!.omitted).toEqual({ to: 9800 });
	});

	it('text past maxTextChars: the document says it was cut', async () => {
		const para = 'lorem ipsum dolor sit amet '.repeat(40) + '\n\n';
		const body = para.repeat(Math.ceil((FAMILY_LIMITS.maxTextChars + 100_000) / para.length)) + 'FINAL PARAGRAPH.';
		const e = await extract('long.eml', enc(`From: a@a.example\r\nSubject: long\r\n\r\n${body}`));
		expect(e.status).toBe('indexed');
		expect(text(e)).not.toContain('FINAL PARAGRAPH');
		expect('error' in e && e.error).toMatch(/cut at 20 million characters/);
	});
});

function lines0(e: Extraction): string {
	if (!hasPages(e)) throw new Error(e.status);
	return e.pages[0]!.text.split('\n').find((l) => l.startsWith('To: ')) ?? '';
}

describe('a message with plain-text and HTML parts', () => {
	const alt = (plain: string, html: string) =>
		enc(
			`From: a@a.example\r\nSubject: alt\r\nContent-Type: multipart/alternative; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n${plain}\r\n--b\r\nContent-Type: text/html\r\n\r\n${html}\r\n--b--\r\n`
		);

	it('indexes the HTML part too when it has sentences the plain part lacks', async () => {
		const e = await extract(
			'alt.eml',
			alt('plain version\r\n\r\nOnly in plain.', '<p>plain version</p><p>EXTRA SECRET clause</p>')
		);
		expect(text(e)).toContain('Only in plain.');
		expect(text(e)).toContain(HTML_PART_LABEL);
		expect(text(e)).toContain('EXTRA SECRET clause');
	});

	it('indexes one part when they say the same, and the HTML alone when it holds all the plain part has', async () => {
		const same = await extract(
			's.eml',
			alt('Dear Bob,\r\n\r\nWe accept.', '<p>Dear <b>Bob</b>,</p><p>We  accept.</p>')
		);
		expect(text(same).match(/We accept\./g)).toHaveLength(1);
		expect(text(same)).not.toContain(HTML_PART_LABEL);
		const more = await extract('m.eml', alt('We accept.', '<p>We accept.</p><p>Subject to the new clause 9.</p>'));
		expect(text(more)).toContain('Subject to the new clause 9.');
		expect(text(more).match(/We accept\./g)).toHaveLength(1);
	});
});
