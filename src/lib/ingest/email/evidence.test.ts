import { describe, expect, it } from 'vitest';
import { nodeExtractor } from '../extract.node.ts';
import { hasPages, type Extraction } from '../types.ts';
import { splitMbox } from './mbox.ts';

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
