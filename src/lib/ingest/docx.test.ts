import { describe, expect, it } from 'vitest';
import { DOCX_SECTIONS } from './docx.ts';
import { docxParts, makeZip } from './email/testing.ts';
import { nodeExtractor } from './extract.node.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const extract = (name: string, bytes: Uint8Array) => nodeExtractor().extract({ name, bytes });

function ole(withEncryptedPackage: boolean): Uint8Array {
	const bytes = new Uint8Array(4096);
	bytes.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
	if (withEncryptedPackage) bytes.set(enc('E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0'), 1200);
	return bytes;
}

describe('Word files Docket cannot open say why', () => {
	it('an encrypted .docx (an OLE file holding EncryptedPackage) is called password-protected', async () => {
		const e = await extract('enc.docx', ole(true));
		expect(e.status).toBe('unsupported');
		expect('error' in e && e.error).toMatch(/password-protected.*cannot open encrypted Word files/);
	});

	it('an old .doc reads as a sentence', async () => {
		const e = await extract('old.doc', ole(false));
		expect('error' in e && e.error).toMatch(/^This is a Microsoft Office file in the old format \(\.doc\/\.xls\), not/);
	});
});

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const P = (t: string) => `<w:p><w:r><w:t xml:space="preserve">${t}</w:t></w:r></w:p>`;

function docx(body: string, extra: { name: string; data: string }[] = []): Uint8Array {
	const parts = docxParts([]);
	parts[2] = {
		name: 'word/document.xml',
		data: `<?xml version="1.0"?><w:document ${W}><w:body>${body}</w:body></w:document>`
	};
	return makeZip([...parts, ...extra]);
}

async function read(bytes: Uint8Array): Promise<{ text: string; note: string }> {
	const e = await extract('x.docx', bytes);
	if (e.status !== 'indexed') throw new Error(`expected indexed, got ${e.status}`);
	return { text: e.pages[0]!.text, note: 'error' in e ? String(e.error) : '' };
}

describe('Word text that must not be glued, lost or hidden', () => {
	it('w:br and w:cr are line breaks, w:tab a tab; tab stops and field codes are not text', async () => {
		const { text } = await read(
			docx(
				'<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>Acme Corp</w:t><w:br/><w:t>123 Main Street</w:t><w:cr/><w:t>Springfield</w:t><w:tab/><w:t>USA</w:t></w:r></w:p>' +
					'<w:p><w:r><w:instrText> HYPERLINK "http://x" </w:instrText></w:r><w:r><w:t>field result</w:t></w:r></w:p>'
			)
		);
		expect(text).toBe('Acme Corp\n123 Main Street\nSpringfield\tUSA\n\nfield result');
	});

	it('deleted tracked text is indexed under its label, and the document says it has revisions', async () => {
		const { text, note } = await read(
			docx(
				'<w:p><w:r><w:t xml:space="preserve">The price is </w:t></w:r><w:del w:id="1" w:author="Opp"><w:r><w:delText>$50,000</w:delText></w:r></w:del><w:ins w:id="2" w:author="Opp"><w:r><w:t>$5,000</w:t></w:r></w:ins><w:r><w:t xml:space="preserve"> payable.</w:t></w:r></w:p>' +
					'<w:p><w:moveFrom w:id="5"><w:r><w:t>MOVED-FROM text</w:t></w:r></w:moveFrom></w:p>'
			)
		);
		expect(text).toBe(`The price is $5,000 payable.\n\n${DOCX_SECTIONS.deleted}\n\n$50,000\n\nMOVED-FROM text`);
		expect(note).toMatch(/tracked changes/);
	});

	it('headers, footers, footnotes, endnotes and comments follow the body, each labelled', async () => {
		const part = (tag: string, inner: string) => `<?xml version="1.0"?><w:${tag} ${W}>${inner}</w:${tag}>`;
		const { text } = await read(
			docx(P('Body text.'), [
				{ name: 'word/header1.xml', data: part('hdr', P('PRIVILEGED AND CONFIDENTIAL')) },
				{ name: 'word/header2.xml', data: part('hdr', P('PRIVILEGED AND CONFIDENTIAL')) },
				{ name: 'word/footer1.xml', data: part('ftr', P('Draft v3')) },
				{
					name: 'word/footnotes.xml',
					data: part(
						'footnotes',
						`<w:footnote w:type="separator" w:id="-1">${P('---')}</w:footnote><w:footnote w:id="1">${P('A footnote.')}</w:footnote>`
					)
				},
				{ name: 'word/endnotes.xml', data: part('endnotes', `<w:endnote w:id="1">${P('An endnote.')}</w:endnote>`) },
				{
					name: 'word/comments.xml',
					data: part('comments', `<w:comment w:id="0" w:author="Partner">${P('Delete before sending.')}</w:comment>`)
				}
			])
		);
		expect(text.split('\n\n')).toEqual([
			'Body text.',
			DOCX_SECTIONS.headers,
			'PRIVILEGED AND CONFIDENTIAL',
			DOCX_SECTIONS.footers,
			'Draft v3',
			DOCX_SECTIONS.footnotes,
			'A footnote.',
			DOCX_SECTIONS.endnotes,
			'An endnote.',
			DOCX_SECTIONS.comments,
			'Partner: Delete before sending.'
		]);
	});

	it('hidden text is indexed, and noted', async () => {
		const { text, note } = await read(
			docx(
				'<w:p><w:r><w:t xml:space="preserve">Visible. </w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>HIDDEN: we knew.</w:t></w:r></w:p>'
			)
		);
		expect(text).toBe('Visible. HIDDEN: we knew.');
		expect(note).toMatch(/hidden text/);
	});
});
