import { describe, expect, it } from 'vitest';
import { chunkPages } from '../chunker.ts';
import { nodeExtractor } from '../extract.node.ts';
import { sniff } from '../sniff.ts';
import { hasPages, type Extraction } from '../types.ts';
import { makePdf } from '../testing/make-pdf.ts';
import { htmlToParagraphs } from './html-text.ts';
import { splitMbox } from './mbox.ts';
import { docxParts, makeDocx, makeEml, makeMbox, makeMsg, makeZip } from './testing.ts';
import { normaliseSubject } from './thread.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const extract = (name: string, bytes: Uint8Array) => nodeExtractor().extract({ name, bytes });

function indexed(e: Extraction) {
	if (e.status !== 'indexed') throw new Error(`expected indexed, got ${e.status}: ${'error' in e ? e.error : ''}`);
	return e;
}

const settlement = {
	from: 'Ann Smith <Ann@Smith.example>',
	to: 'Bob Jones <bob@jones.example>',
	cc: 'Cy Young <cy@young.example>',
	subject: 'Settlement offer',
	date: 'Sun, 3 Mar 2024 10:00:00 +0000',
	messageId: 'root@smith.example',
	text: 'Dear Bob,\n\nWe offer forty thousand to settle.\n\nRegards, Ann'
};

describe('email extraction', () => {
	it('reads an .eml: headers, paragraphs, attachments and ids', async () => {
		const pdf = makePdf({ pages: 1 });
		const eml = makeEml({
			...settlement,
			attachments: [{ name: 'offer.pdf', mimeType: 'application/pdf', bytes: pdf }]
		});
		const e = indexed(await extract('offer.eml', enc(eml)));
		expect(e.kind).toBe('email');
		const meta = e.family!.message!;
		expect(meta.from).toEqual({ name: 'Ann Smith', address: 'ann@smith.example' });
		expect(meta.to).toEqual([{ name: 'Bob Jones', address: 'bob@jones.example' }]);
		expect(meta.cc).toEqual([{ name: 'Cy Young', address: 'cy@young.example' }]);
		expect(meta.date).toBe(Date.UTC(2024, 2, 3, 10));
		expect(meta.messageId).toBe('root@smith.example');
		expect(meta.threadKey).toBe('id:root@smith.example');
		expect(meta.attachments).toMatchObject([{ name: 'offer.pdf', mimeType: 'application/pdf', size: pdf.length }]);
		expect(e.family!.children![0]!.bytes).toEqual(pdf);
		const page = e.pages[0]!;
		expect(page.text.slice(0, page.headerEnd)).toContain('Subject: Settlement offer');
		expect(page.paragraphs!.map((p) => page.text.slice(p).split('\n\n')[0])).toEqual([
			'Dear Bob,',
			'We offer forty thousand to settle.',
			'Regards, Ann'
		]);
		const chunks = chunkPages(e.pages, { size: 40, overlap: 5 });
		expect(chunks[0]).toMatchObject({ block: 'headers', start: 0 });
		const offer = chunks.find((c) => c.text.includes('forty thousand'))!;
		expect(offer.paragraph).toBe(2);
		expect(page.text.slice(offer.start, offer.end)).toBe(offer.text);
	});

	it('threads a reply by References, and by normalised subject when there are no ids', async () => {
		const reply = makeEml({
			...settlement,
			subject: 'RE: Fwd: Settlement offer',
			messageId: 'reply@jones.example',
			inReplyTo: 'middle@x',
			references: '<root@smith.example> <middle@x>'
		});
		const meta = indexed(await extract('r.eml', enc(reply))).family!.message!;
		expect(meta).toMatchObject({ inReplyTo: 'middle@x', references: ['root@smith.example', 'middle@x'] });
		expect(meta.threadKey).toBe('id:root@smith.example');
		const bare = { ...settlement, subject: 'Re: [Case 12] Settlement  OFFER' } as Partial<typeof settlement>;
		delete bare.messageId;
		const noIds = indexed(await extract('n.eml', enc(makeEml(bare as typeof settlement)))).family!.message!;
		expect(noIds.threadKey).toBe(`subject:${normaliseSubject('Settlement offer')}`);
	});

	it('reads an HTML-only body as text, without scripts, styles or frames', async () => {
		const html =
			'<html><head><style>p{}</style><script>alert(1)</script></head><body><p>Hello <b>there</b>&amp; welcome</p><iframe src="https://evil.example/"></iframe><img src="https://track.example/p.gif"><div>Second<br>line</div></body></html>';
		const e = indexed(await extract('h.eml', enc(makeEml({ ...settlement, text: undefined, html }))));
		const body = e.pages[0]!.text.slice(e.pages[0]!.paragraphs![0]);
		expect(body).toBe('Hello there& welcome\n\nSecond\nline');
		expect(htmlToParagraphs('<pre>  a\n  b</pre><p>c</p>')).toEqual(['  a\n  b', 'c']);
		const file = indexed(
			await extract('page.html', enc('<!doctype html><title>T</title><h1>Head</h1><p>Body text</p>'))
		);
		expect(file.kind).toBe('html');
		expect(file.pages[0]!.text).toBe('Head\n\nBody text');
	});

	it('splits an mbox at From lines and unquotes >From in bodies', async () => {
		const one = makeEml({ ...settlement, text: 'From the start,\nwe agreed.\n>From here on: quoted.' });
		const two = makeEml({ ...settlement, subject: 'Second', messageId: 'two@x', text: 'Another.' });
		const mbox = makeMbox([one, two]);
		expect(mbox).toContain('\n>From the start');
		expect(mbox).toContain('\n>>From here on');
		expect(sniff(enc(mbox), 'export.mbox')).toEqual({ kind: 'mbox' });
		const parts = splitMbox(enc(mbox));
		expect(parts).toHaveLength(2);
		const first = new TextDecoder().decode(parts[0]);
		expect(first).toContain('\nFrom the start,\nwe agreed.\n>From here on: quoted.');
		expect(first.startsWith('From: Ann Smith')).toBe(true);
		const e = indexed(await extract('export.mbox', enc(mbox)));
		expect(e.kind).toBe('mbox');
		expect(e.family!.children!.map((c) => [c.name, c.role])).toEqual([
			['export 1.eml', 'message'],
			['export 2.eml', 'message']
		]);
		const child = indexed(await extract('export 1.eml', e.family!.children![0]!.bytes));
		expect(child.pages[0]!.text).toContain('>From here on: quoted.');
		expect(child.pages[0]!.text).not.toContain('>>From');
	});

	it('reads an Outlook .msg written as a compound file', async () => {
		const msg = makeMsg({
			subject: 'Board minutes',
			senderName: 'Ann Smith',
			senderEmail: 'ann@smith.example',
			recipients: [
				{ name: 'Bob Jones', email: 'bob@jones.example', kind: 'to' },
				{ name: 'Cy Young', email: 'cy@young.example', kind: 'cc' }
			],
			body: 'The board met.\r\n\r\nIt resolved to appeal.',
			headers:
				'Message-ID: <minutes@smith.example>\r\nDate: Mon, 4 Mar 2024 09:30:00 +0000\r\nIn-Reply-To: <root@smith.example>\r\n',
			attachments: [{ name: 'minutes.txt', mimeType: 'text/plain', bytes: enc('Minutes of the board.') }]
		});
		expect(sniff(msg, 'minutes.msg')).toEqual({ kind: 'email' });
		expect(sniff(msg, 'renamed.bin')).toEqual({ kind: 'email' });
		const e = indexed(await extract('minutes.msg', msg));
		const meta = e.family!.message!;
		expect(meta).toMatchObject({
			from: { name: 'Ann Smith', address: 'ann@smith.example' },
			to: [{ name: 'Bob Jones', address: 'bob@jones.example' }],
			cc: [{ name: 'Cy Young', address: 'cy@young.example' }],
			subject: 'Board minutes',
			date: Date.UTC(2024, 2, 4, 9, 30),
			messageId: 'minutes@smith.example',
			threadKey: 'id:root@smith.example'
		});
		expect(new TextDecoder().decode(e.family!.children![0]!.bytes)).toBe('Minutes of the board.');
		expect(e.pages[0]!.paragraphs).toHaveLength(2);
	});

	it('reads a .docx zipped from XML as paragraphs', async () => {
		const docx = makeDocx(['Draft agreement', 'Clause 1. The parties agree.', 'Clause 2. Costs & fees.']);
		expect(sniff(docx, 'draft.docx')).toEqual({ kind: 'docx' });
		expect(sniff(docx, 'draft.zip')).toEqual({ kind: 'docx' });
		const e = indexed(await extract('draft.docx', docx));
		const page = e.pages[0]!;
		expect(page.text).toBe('Draft agreement\n\nClause 1. The parties agree.\n\nClause 2. Costs & fees.');
		expect(page.headerEnd).toBe(0);
		const chunks = chunkPages(e.pages, { size: 30, overlap: 3 });
		expect(chunks.find((c) => c.text.includes('Costs'))).toMatchObject({ paragraph: 3 });
	});
});

describe('hostile email and Word files end in a true state', () => {
	it('a truncated .msg is damaged, with a reason', async () => {
		const msg = makeMsg({
			subject: 'x',
			senderName: 'a',
			senderEmail: 'a@x',
			recipients: [],
			body: 'body '.repeat(2000)
		});
		for (const cut of [600, 3000, msg.length >> 1]) {
			const e = await extract('cut.msg', msg.subarray(0, cut));
			expect(e.status, `cut at ${cut}`).toBe('damaged');
			expect('error' in e && e.error).toMatch(/could not read this message/);
		}
	});

	it('a .msg whose sector chain loops back on itself is damaged at once, not read forever', async () => {
		const msg = Buffer.from(
			makeMsg({ subject: 'x', senderName: 'a', senderEmail: 'a@x', recipients: [], body: 'body '.repeat(2000) })
		);
		const sectorSize = 1 << msg.readUInt16LE(0x1e);
		const fat = sectorSize + msg.readUInt32LE(0x4c) * sectorSize;
		// Every sector that continues a chain now continues to itself.
		for (let i = 0; i < sectorSize / 4; i++)
			if (msg.readUInt32LE(fat + i * 4) < 0xfffffff0) msg.writeUInt32LE(i, fat + i * 4);
		const e = await extract('loop.msg', new Uint8Array(msg));
		expect(e).toMatchObject({ status: 'damaged', detail: expect.stringMatching(/loops back on itself/) });
	});

	it('a malformed MIME tree (unclosed boundaries, bad base64, a missing header end) still reads', async () => {
		const eml = [
			'From: a@x.example',
			'To: b@x.example',
			'Subject: broken',
			'Content-Type: multipart/mixed; boundary="outer"',
			'',
			'--outer',
			'Content-Type: multipart/alternative; boundary="inner"',
			'',
			'--inner',
			'Content-Type: text/plain',
			'',
			'Visible text survives.',
			'--outer',
			'Content-Type: application/pdf; name="x.pdf"',
			'Content-Transfer-Encoding: base64',
			'',
			'%%%not base64!!!'
		].join('\r\n');
		const e = await extract('broken.eml', enc(eml));
		expect(hasPages(e) && e.pages[0]!.text).toContain('Visible text survives.');
		const deep = `From: a@x\r\nSubject: deep\r\n${'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'.repeat(200)}text\r\n`;
		const nested = await extract('deep.eml', enc(deep));
		expect(nested.status).toBe('damaged');
	});

	it('a .docx zip bomb is refused from its declared sizes, and one that lies about them when inflating', async () => {
		// The real part is small; its declared size says 3 GB.
		const huge = '<w:p/>';
		const declared = makeZip([
			...docxParts(['x']).slice(0, 2),
			{ name: 'word/document.xml', data: huge, declaredSize: 3e9 }
		]);
		const e1 = await extract('bomb.docx', declared);
		expect(e1).toMatchObject({ status: 'damaged', kind: 'docx' });
		expect('error' in e1 && e1.error).toMatch(/zip bomb/);
		const zeros = new Uint8Array(16 * 1024 * 1024);
		const lying = makeZip([
			...docxParts(['x']).slice(0, 2),
			{ name: 'word/document.xml', data: zeros, declaredSize: 1000 }
		]);
		expect(lying.length).toBeLessThan(200 * 1024);
		const e2 = await extract('liar.docx', lying);
		expect(e2).toMatchObject({ status: 'damaged', kind: 'docx' });
		expect('error' in e2 && e2.error).toMatch(/more than the 1000 bytes it declares/);
		const ratio = makeZip([...docxParts(['x']).slice(0, 2), { name: 'word/document.xml', data: zeros }]);
		expect(await extract('ratio.docx', ratio)).toMatchObject({
			status: 'damaged',
			error: expect.stringMatching(/compressed \d+ to 1/)
		});
	}, 30_000);

	it('a 50 MB attachment is kept whole as a child file', async () => {
		const big = new Uint8Array(50 * 1024 * 1024);
		for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
		const eml = makeEml({
			...settlement,
			attachments: [{ name: 'dump.bin', mimeType: 'application/octet-stream', bytes: big }]
		});
		const e = indexed(await extract('big.eml', enc(eml)));
		expect(e.family!.message!.attachments[0]).toMatchObject({ name: 'dump.bin', size: big.length });
		expect(e.family!.children![0]!.bytes.byteLength).toBe(big.length);
	}, 60_000);
});
