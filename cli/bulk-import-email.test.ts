import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli as runCliProcess } from './testing.ts';
import { makeEml, makeMbox } from '../src/lib/ingest/email/testing.ts';
import { makePdf } from '../src/lib/ingest/testing/make-pdf.ts';
import type { RunningServer } from '../sync-server/main.ts';
import { apiClient, newUser, openBackend, type TestBackend } from '../sync-server/testing.ts';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface Line {
	file: string;
	sha256: string;
	status: string;
	server: 'sent' | 'skipped';
	documentId: string;
	parent?: string;
}

const runCli = (args: string[], killAfter?: number) => runCliProcess<Line>(args, killAfter);

const MESSAGES = 24;

describe('docket ingest --server with a mailbox and messages', () => {
	let backend: TestBackend;
	let server: RunningServer;
	let token: string;
	let teammate: string;
	let dir: string;
	const shared = makePdf({ pages: 1, lines: () => ['The signed lease, schedule of dilapidations.'] });
	const own = Array.from({ length: MESSAGES }, (_, i) =>
		makePdf({ pages: 1, lines: () => [`Invoice ${i} for the works, marmalade${i}.`] })
	);

	beforeAll(async () => {
		backend = await openBackend('pglite');
		server = await backend.start();
		token = await newUser(server, 'firm', 'importer');
		teammate = await newUser(server, 'firm', 'teammate');
		dir = await mkdtemp(join(tmpdir(), 'docket-import-mail-'));
		const folder = join(dir, 'share');
		await mkdir(folder, { recursive: true });
		// A mailbox whose every message carries the same lease and one invoice of its own; replies thread.
		const messages = Array.from({ length: MESSAGES }, (_, i) =>
			makeEml({
				from: 'Ann Smith <ann@smith.example>',
				to: 'Bob Jones <bob@jones.example>',
				cc: 'Cat Lee <cat@lee.example>',
				subject: i === 0 ? 'Harbour lease' : 'Re: Harbour lease',
				date: `Sun, ${String(3 + (i % 20)).padStart(2, '0')} Mar 2024 10:00:00 +0000`,
				messageId: `m${i}@smith.example`,
				...(i > 0 ? { inReplyTo: `m${i - 1}@smith.example`, references: `<m0@smith.example>` } : {}),
				text: `Message number ${i} about the lease, quince${i}.`,
				attachments: [
					{ name: 'lease.pdf', mimeType: 'application/pdf', bytes: shared },
					{ name: `invoice-${i}.pdf`, mimeType: 'application/pdf', bytes: own[i]! }
				]
			})
		);
		await writeFile(join(folder, 'client.mbox'), makeMbox(messages));
		// The lease as a file of its own too: the same document as the attachment, whichever is read first.
		await writeFile(join(folder, 'lease.pdf'), shared);
		// A loose message carrying the lease again: stored once in the case, listed under this message too.
		await writeFile(
			join(folder, 'loose.eml'),
			makeEml({
				from: 'Dan Roe <dan@roe.example>',
				to: 'ann@smith.example',
				subject: 'Lease copy',
				date: 'Mon, 25 Mar 2024 09:00:00 +0000',
				messageId: 'loose@roe.example',
				text: 'Here is the lease again.',
				attachments: [{ name: 'lease copy.pdf', mimeType: 'application/pdf', bytes: shared }]
			})
		);
	}, 120_000);

	afterAll(async () => {
		await backend?.close();
		if (dir) await rm(dir, { recursive: true, force: true });
	});

	it('splits each message and attachment into documents, sends each once across a kill, and a teammate pulls them', async () => {
		const args = [
			'ingest',
			join(dir, 'share'),
			'--server',
			server.url,
			'--case',
			'Harbour Lease',
			'--team-token',
			token,
			'--state',
			join(dir, 'state.jsonl'),
			'--json'
		];
		const first = await runCli(args, 20);
		expect(first.code).toBeNull();
		const second = await runCli(args);
		expect(second.code, second.stderr).toBe(0);
		const sentBefore = new Set(first.lines.filter((l) => l.server === 'sent').map((l) => l.file));
		expect(second.lines.filter((l) => l.server === 'sent' && sentBefore.has(l.file))).toEqual([]);
		const sentLines = [...first.lines, ...second.lines].filter((l) => l.server === 'sent');
		// Each document went up once across both runs: the lease once, although 25 messages carry it.
		expect(sentLines.length).toBe(new Set(sentLines.map((l) => l.sha256)).size);
		expect(sentLines.filter((l) => l.sha256 === sha256(shared))).toHaveLength(1);
		expect(second.lines.some((l) => l.parent?.endsWith('client.mbox'))).toBe(true);

		// What a teammate pulls.
		const { changes } = await apiClient(server.url, teammate).pullAll();
		const live = changes.filter((c) => !c.deleted);
		const caseId = live.find((c) => c.table === 'cases' && c.fields['title'] === 'Harbour Lease')!.id;
		const documents = live.filter((c) => c.table === 'documents' && c.fields['caseId'] === caseId);
		const shas = documents.map((d) => String(d.fields['sha256']));
		expect(shas.length).toBe(new Set(shas).size);
		// The mailbox, its messages, the loose message, the lease once and each invoice.
		expect(documents).toHaveLength(1 + MESSAGES + 1 + 1 + MESSAGES);
		const mbox = documents.find((d) => d.fields['name'] === 'client.mbox')!;
		expect(mbox.fields).toMatchObject({ kind: 'mbox', mailbox: { messages: MESSAGES } });
		const messages = documents.filter((d) => d.fields['parentId'] === mbox.id);
		expect(messages).toHaveLength(MESSAGES);
		const chunks = live.filter((c) => c.table === 'chunks' && c.fields['caseId'] === caseId);
		const textOf = (id: string) =>
			chunks
				.filter((c) => c.fields['documentId'] === id)
				.map((c) => String(c.fields['text']))
				.join(' ');
		const lease = documents.find((d) => d.fields['sha256'] === sha256(shared))!;
		const threads = new Set<unknown>();
		const numbers = new Set<number>();
		for (const m of messages) {
			expect(m.fields).toMatchObject({
				kind: 'email',
				status: 'indexed',
				email: {
					from: { name: 'Ann Smith', address: 'ann@smith.example' },
					to: [{ name: 'Bob Jones', address: 'bob@jones.example' }],
					cc: [{ name: 'Cat Lee', address: 'cat@lee.example' }],
					subject: expect.stringMatching(/Harbour lease/),
					date: expect.any(Number)
				}
			});
			threads.add(m.fields['threadId']);
			const email = m.fields['email'] as { messageId: string; attachments: { name: string; documentId: string }[] };
			const i = Number(/^m(\d+)@/.exec(email.messageId)![1]);
			numbers.add(i);
			expect(textOf(m.id)).toContain(`quince${i}`);
			expect(email.attachments.find((a) => a.name === 'lease.pdf')?.documentId).toBe(lease.id);
			const invoice = documents.find(
				(d) => d.id === email.attachments.find((a) => a.name === `invoice-${i}.pdf`)?.documentId
			);
			expect(invoice?.fields).toMatchObject({ parentId: m.id, kind: 'pdf', name: `invoice-${i}.pdf` });
			expect(textOf(invoice!.id)).toContain(`marmalade${i}`);
		}
		expect(numbers.size).toBe(MESSAGES);
		expect(threads.size).toBe(1);
		// The lease's parent is whichever message was read first (none, when lease.pdf itself was); every
		// message lists the same document.
		const loose = documents.find((d) => d.fields['name'] === 'loose.eml')!;
		expect([...messages.map((m) => m.id), loose.id, undefined]).toContain(lease.fields['parentId']);
		expect(loose.fields['parentId']).toBeUndefined();
		expect((loose.fields['email'] as { attachments: { documentId: string }[] }).attachments[0]?.documentId).toBe(
			lease.id
		);
		// A message's header block is located as such, not by page.
		expect(chunks.some((c) => c.fields['documentId'] === messages[0]!.id && c.fields['block'] === 'headers')).toBe(
			true
		);

		// Every original comes down with its bytes, to the teammate too.
		for (const doc of documents) {
			const response = await fetch(`${server.url}/api/v1/files/${doc.id}`, {
				headers: { authorization: `Bearer ${teammate}` }
			});
			expect(response.status, String(doc.fields['name'])).toBe(200);
			expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(doc.fields['sha256']);
		}
		const { rows } = await server.database.pool.query<{ n: string }>(
			'SELECT count(*) AS n FROM uploads WHERE state = $1',
			['complete']
		);
		expect(Number(rows[0]!.n)).toBe(documents.length);

		const third = await runCli(args);
		expect(third.code).toBe(0);
		expect(third.lines.every((l) => l.server === 'skipped')).toBe(true);
	}, 300_000);
});
