import { describe, expect, it } from 'vitest';
import { nodeExtractor } from './extract.node.ts';
import { sniff } from './sniff.ts';
import { makePdf } from './testing/make-pdf.ts';
import { docxParts, makeZip } from './email/testing.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('sniff: %PDF- inside another kind of file', () => {
	it('a message that mentions "%PDF-1.7" in its body is a message, and its text is indexed', async () => {
		const eml = utf8(
			'From: it@x.example\r\nTo: a@a.example\r\nSubject: broken file\r\n\r\nThe file starts with %PDF-1.7 but will not open.\r\n'
		);
		expect(sniff(eml, 'm.eml')).toEqual({ kind: 'email' });
		const e = await nodeExtractor().extract({ name: 'm.eml', bytes: eml });
		expect(e.status).toBe('indexed');
		if (e.status === 'indexed') expect(e.pages[0]!.text).toContain('will not open');
	});

	it('a .docx whose first stored part is a PDF is read as Word, not as that PDF', async () => {
		const zip = makeZip([
			{ name: 'a.pdf', data: makePdf({ pages: 1 }), store: true },
			...docxParts(['The Word text of the contract.'])
		]);
		expect(sniff(zip, 'c.docx')).toEqual({ kind: 'docx' });
		const e = await nodeExtractor().extract({ name: 'c.docx', bytes: zip });
		expect(e.status).toBe('indexed');
		if (e.status === 'indexed') expect(e.pages[0]!.text).toContain('The Word text of the contract.');
	});

	it('header lines before %PDF- are not junk pdf.js may skip; other junk still is', () => {
		expect(sniff(utf8('Content-Type: application/pdf\r\n\r\n%PDF-1.4\n'), 'x.bin').kind).not.toBe('pdf');
		expect(sniff(utf8('junk before\n%PDF-1.4\n'), 'x.bin')).toEqual({ kind: 'pdf' });
		expect(sniff(utf8('HTTP/1.1 200 OK\n\n%PDF-1.4\n'), 'x.bin')).toEqual({ kind: 'pdf' });
		expect(sniff(utf8('%PDF-1.7\nFrom: a@b\nSubject: x\n'), 'x')).toEqual({ kind: 'pdf' });
	});
});
