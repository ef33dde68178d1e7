import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDocx, makeEml, makeMbox, makeMsg } from '../../src/lib/ingest/email/testing.ts';
import { makePdf } from '../../src/lib/ingest/testing/make-pdf.ts';
import { main } from '../main.ts';

function capture() {
	const out: string[] = [];
	const err: string[] = [];
	return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) }, out, err };
}

describe('docket ingest and search with email and Word files', () => {
	let dir: string;
	beforeAll(async () => {
		dir = await mkdtemp(join(tmpdir(), 'docket-email-'));
		const exhibit = makePdf({ pages: 1, lines: () => ['The warehouse lease, signed in March.'] });
		const attach = [{ name: 'lease.pdf', mimeType: 'application/pdf', bytes: exhibit }];
		const mbox = makeMbox([
			makeEml({
				from: 'Ann Smith <ann@smith.example>',
				to: 'Bob Jones <bob@jones.example>',
				subject: 'Lease',
				date: 'Sun, 3 Mar 2024 10:00:00 +0000',
				messageId: 'l1@x',
				text: 'Bob,\n\nThe lease is attached.',
				attachments: attach
			}),
			makeEml({
				from: 'Bob Jones <bob@jones.example>',
				to: 'Ann Smith <ann@smith.example>',
				subject: 'Re: Lease',
				date: 'Tue, 12 Mar 2024 10:00:00 +0000',
				messageId: 'l2@x',
				inReplyTo: 'l1@x',
				text: 'Ann,\n\nThe lease looks fine; returning it.',
				attachments: attach
			})
		]);
		await writeFile(join(dir, 'client.mbox'), mbox);
		await writeFile(
			join(dir, 'memo.msg'),
			makeMsg({
				subject: 'Memo on the lease',
				senderName: 'Cy Young',
				senderEmail: 'cy@young.example',
				recipients: [{ name: 'Ann Smith', email: 'ann@smith.example', kind: 'to' }],
				body: 'A memo about the lease terms.',
				headers: 'Date: Fri, 1 Mar 2024 08:00:00 +0000\r\n'
			})
		);
		await writeFile(join(dir, 'draft.docx'), makeDocx(['Draft', 'The lease runs five years.']));
	});
	afterAll(async () => {
		await rm(dir, { recursive: true, force: true });
	});

	it('reports each message and attachment on its own line, with its parent; a repeated attachment once', async () => {
		const { io, out, err } = capture();
		const progress: string[] = [];
		const sink = { isTTY: false, write: (text: string) => void progress.push(text) };
		expect(await main(['ingest', '--json', '--no-ocr', dir], { ...io, progress: sink })).toBe(0);
		expect(err).toEqual([]);
		// Progress counts the three files named, not the messages and attachments inside them.
		expect(progress.filter((l) => / \[\d+\/3\] /.test(l))).toHaveLength(3);
		const lines = out.map((l) => JSON.parse(l) as Record<string, unknown>);
		const rel = (f: unknown) => String(f).slice(dir.length + 1);
		expect(
			lines.map((l) => [rel(l['file']), l['status'], l['kind'] ?? null, l['parent'] ? rel(l['parent']) : null])
		).toEqual([
			['client.mbox', 'indexed', 'mbox', null],
			['client.mbox › client 1.eml', 'indexed', 'email', 'client.mbox'],
			['client.mbox › client 1.eml › lease.pdf', 'indexed', 'pdf', 'client.mbox › client 1.eml'],
			['client.mbox › client 2.eml', 'indexed', 'email', 'client.mbox'],
			['client.mbox › client 2.eml › lease.pdf', 'indexed', null, 'client.mbox › client 2.eml'],
			['draft.docx', 'indexed', 'docx', null],
			['memo.msg', 'indexed', 'email', null]
		]);
		expect(rel(lines[4]!['duplicateOf'])).toBe('client.mbox › client 1.eml › lease.pdf');
		expect(lines[4]!['chunks']).toBe(0);
		expect(lines[1]).toMatchObject({
			from: 'Ann Smith <ann@smith.example>',
			to: ['Bob Jones <bob@jones.example>'],
			date: '2024-03-03T10:00:00.000Z',
			subject: 'Lease',
			attachments: ['lease.pdf']
		});
	});

	it('narrows a search by from:, to:, subject:, a date range and has:attachment', async () => {
		const queries = [
			'lease from:bob',
			'lease to:ann',
			'after:2024-03-02 before:2024-03-10',
			'from:"Cy Young" subject:memo',
			'has:attachment',
			'returning',
			'five years',
			'lease before:March'
		];
		await writeFile(join(dir, '..', `${dir.split('/').pop()}.queries`), queries.join('\n'));
		const { io, out } = capture();
		const args = [
			'search',
			'--json',
			'--no-ocr',
			'--docs',
			dir,
			'--queries',
			join(dir, '..', `${dir.split('/').pop()}.queries`)
		];
		expect(await main(args, io)).toBe(0);
		const lines = out.map((l) => {
			const line = JSON.parse(l) as { results: { file: string; paragraph?: number }[]; problems?: string[] };
			return { ...line, files: [...new Set(line.results.map((r) => r.file.slice(dir.length + 1)))] };
		});
		const [fromBob, toAnn, range, cy, attached, returning, years, badDate] = lines as [
			(typeof lines)[0],
			...(typeof lines)[0][]
		];
		expect(fromBob.files).toEqual(['client.mbox › client 2.eml']);
		expect(new Set(toAnn!.files)).toEqual(new Set(['client.mbox › client 2.eml', 'memo.msg']));
		expect(range!.files).toEqual(['client.mbox › client 1.eml']);
		expect(cy!.files).toEqual(['memo.msg']);
		expect(new Set(attached!.files)).toEqual(new Set(['client.mbox › client 1.eml', 'client.mbox › client 2.eml']));
		expect(returning!.results[0]).toMatchObject({ paragraph: 2 });
		expect(years!.results[0]).toMatchObject({ paragraph: 2 });
		expect(badDate!.problems).toEqual(['before:March is not a date (write YYYY-MM-DD)']);
	}, 30_000);
});
