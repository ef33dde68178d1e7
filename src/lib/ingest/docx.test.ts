import { describe, expect, it } from 'vitest';
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
