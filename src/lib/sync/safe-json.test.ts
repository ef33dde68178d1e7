import { describe, expect, it } from 'vitest';
import { storeExtraction } from '../ingest/store-extraction.ts';
import { extractText } from '../ingest/text.ts';
import { freshDatabase } from '../testing/db.ts';
import { MAX_JSON_DEPTH, sanitizeText, unstorableReason, utf8Length } from './safe-json.ts';

describe('text a database can store', () => {
	it('replaces U+0000 and lone surrogates one unit for one, and keeps pairs', () => {
		const text = 'a\u0000b\uD800c\uDC00d😀e\uDBFF';
		const clean = sanitizeText(text);
		expect(clean).toBe('a\uFFFDb\uFFFDc\uFFFDd😀e\uFFFD');
		expect(clean.length).toBe(text.length);
		expect(unstorableReason({ clean })).toBeUndefined();
	});

	it('says why a value cannot be stored, without recursion', () => {
		expect(unstorableReason({ a: ['x\u0000'] })).toMatch(/fields\.a\[0\] holds the character U\+0000/);
		expect(unstorableReason({ ['k\uD800']: 1 })).toMatch(/field name/);
		let deep: unknown = 1;
		for (let i = 0; i < 100_000; i++) deep = [deep];
		expect(unstorableReason({ deep })).toMatch(new RegExp(`deeper than ${MAX_JSON_DEPTH}`));
	});

	it('refuses millions of values before walking them (a push meant to exhaust the server)', () => {
		const zeros = new Array<number>(8_000_000).fill(0);
		const before = process.memoryUsage().heapUsed;
		expect(unstorableReason({ a: zeros }, 'fields', 256 * 1024)).toMatch(/more than 262144 values/);
		expect(process.memoryUsage().heapUsed - before).toBeLessThan(50 * 1024 * 1024);
		const keys = Object.fromEntries(Array.from({ length: 300_000 }, (_, i) => [`k${i}`, i]));
		expect(unstorableReason(keys, 'fields', 256 * 1024)).toMatch(/more than/);
		expect(unstorableReason({ a: [1, 2, { b: 'x' }] }, 'fields', 10)).toBeUndefined();
	});

	it('counts UTF-8 bytes', () => {
		for (const text of ['abc', 'é', '€', '😀', 'a\uD800b', ''])
			expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
	});

	it('stores no U+0000 from a UTF-16 text file, in pages, chunks or the outbox', async () => {
		const db = await freshDatabase();
		const caseId = crypto.randomUUID();
		const documentId = crypto.randomUUID();
		const now = Date.now();
		await db.documents.add({
			id: documentId,
			caseId,
			name: 'notes.txt',
			sha256: '',
			size: 0,
			mimeType: 'text/plain',
			kind: 'text',
			status: 'extracting',
			createdAt: now,
			updatedAt: now,
			rev: 0
		});
		// UTF-16LE with a BOM: "Exhibit" NUL "A", as Windows tools write it.
		const text = 'Exhibit\u0000A and more words';
		const bytes = new Uint8Array(2 + text.length * 2);
		bytes.set([0xff, 0xfe]);
		for (let i = 0; i < text.length; i++) bytes[2 + i * 2] = text.charCodeAt(i);
		const extraction = extractText(bytes, 'text');
		await storeExtraction(db, { documentId, caseId, embed: false }, extraction);
		const stored = JSON.stringify([await db.pages.toArray(), await db.chunks.toArray(), await db.outbox.toArray()]);
		expect(stored).toContain('Exhibit\uFFFDA');
		expect(stored).not.toContain('\\u0000');
		db.close();
	});
});
