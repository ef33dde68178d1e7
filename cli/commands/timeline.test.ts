import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import type { TimelineLine } from './timeline.ts';

function capture() {
	const out: string[] = [];
	const err: string[] = [];
	return { io: { stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l) }, out, err };
}

let dir = '';
beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'docket-timeline-'));
	// Two pages (form feed): the second holds a relative date and a false positive.
	await writeFile(
		join(dir, 'letter.txt'),
		'Dear Ms Jones,\n\nOn or about 12 June 2023 Peter Parker delivered the goods.\fUnder Section 4.2 the sum of $12,500 fell due. ' +
			'He called the following Tuesday. Case No. 12-2024.'
	);
	await writeFile(
		join(dir, 'notes.md'),
		'# Notes\n\nThe lease was signed on 04/03/2022 by Jane Doe (jane@example.com). The site was closed from 1 to 5 May 2024.'
	);
});
afterAll(async () => {
	await rm(dir, { recursive: true, force: true });
});

async function run(...args: string[]) {
	const { io, out, err } = capture();
	const code = await main(['timeline', ...args], io);
	return { code, out, err };
}

describe('docket timeline', () => {
	it("resolves relative dates against a letter's own date line when no --document-date is given", async () => {
		const own = await mkdtemp(join(tmpdir(), 'docket-timeline-memo-'));
		const memo = join(own, 'memo.txt');
		await writeFile(memo, 'Smith & Partners\n1 March 2024\n\nThe tenant called the following Tuesday.');
		const { code, out } = await run('--docs', memo, '--json');
		await rm(own, { recursive: true, force: true });
		expect(code).toBe(0);
		expect(out.map((l) => JSON.parse(l) as TimelineLine).map((l) => [l.date, l.inferred])).toEqual([
			['2024-03-01', false],
			['2024-03-05', true]
		]);
	});

	it('prints one JSON line per event, sorted by date, with file, page, sentence and people', async () => {
		const { code, out, err } = await run('--docs', join(dir, 'letter.txt'), join(dir, 'notes.md'), '--json');
		expect(err).toEqual([]);
		expect(code).toBe(0);
		const lines = out.map((l) => JSON.parse(l) as TimelineLine);
		expect(lines.map((l) => [l.date, l.endDate, l.file.endsWith('notes.md') ? 'notes' : 'letter', l.page])).toEqual([
			['2022-03-04', undefined, 'notes', 1],
			['2023-06-12', undefined, 'letter', 1],
			['2024-05-01', '2024-05-05', 'notes', 1]
		]);
		expect(lines[0]).toMatchObject({
			precision: 'day',
			sentence: 'The lease was signed on 04/03/2022 by Jane Doe (jane@example.com).',
			people: ['jane@example.com', 'Jane Doe'],
			inferred: false,
			approximate: false
		});
		expect(lines[1]).toMatchObject({ approximate: true, people: ['Peter Parker'] });
	});

	it('names organisations apart from people, a name without its suffix included', async () => {
		const own = await mkdtemp(join(tmpdir(), 'docket-timeline-orgs-'));
		const file = join(own, 'orgs.txt');
		await writeFile(
			file,
			'On 2 May 2024 Brightwater Marine Ltd leased the berth from Harbour Holdings.\n\n' +
				'On 9 May 2024 Jane Doe of Brightwater Marine paid the deposit.'
		);
		const { code, out } = await run('--docs', file, '--json');
		await rm(own, { recursive: true, force: true });
		expect(code).toBe(0);
		expect(out.map((l) => JSON.parse(l) as TimelineLine).map((l) => [l.date, l.people, l.organisations])).toEqual([
			['2024-05-02', [], ['Brightwater Marine Ltd', 'Harbour Holdings']],
			['2024-05-09', ['Jane Doe'], ['Brightwater Marine Ltd']]
		]);
	});

	it('resolves relative dates against --document-date and marks them inferred; reads --order mdy', async () => {
		const { code, out } = await run('--docs', dir, '--document-date', '2023-06-15', '--order', 'mdy', '--json');
		expect(code).toBe(0);
		const lines = out.map((l) => JSON.parse(l) as TimelineLine);
		expect(lines.map((l) => [l.date, l.inferred, l.page])).toEqual([
			['2022-04-03', false, 1],
			['2023-06-12', false, 1],
			// Page 2 states no date before it, so it counts from the document's date (Thursday 15 June).
			['2023-06-20', true, 2],
			['2024-05-01', false, 1]
		]);
	});

	it('prints a readable line per event without --json', async () => {
		const { out } = await run('--docs', join(dir, 'notes.md'));
		expect(out).toEqual([
			expect.stringMatching(/^2022-03-04 {2}.*notes\.md p\. 1: The lease was signed/),
			expect.stringMatching(/^2024-05-01 – 2024-05-05 {2}/)
		]);
	});

	it('reads the messages of a mailbox, each as a document of its own', async () => {
		const own = await mkdtemp(join(tmpdir(), 'docket-timeline-mbox-'));
		const message = (n: number, date: string, body: string) =>
			`From sender${n}@example.com Mon Mar  4 09:00:00 2024\nFrom: Ann Smith <ann@example.com>\nTo: Bob Jones <bob@example.com>\nSubject: Delivery ${n}\nDate: ${date}\nMessage-ID: <m${n}@example.com>\n\n${body}\n`;
		await writeFile(
			join(own, 'box.mbox'),
			message(1, 'Mon, 4 Mar 2024 09:00:00 +0000', 'The goods were delivered on 12 June 2023.') +
				'\n' +
				message(2, 'Tue, 5 Mar 2024 09:00:00 +0000', 'The invoice was paid on 3 July 2023.')
		);
		const { code, out } = await run('--docs', own, '--json');
		expect(code).toBe(0);
		const lines = out.map((l) => JSON.parse(l) as TimelineLine);
		expect(lines.map((l) => l.date)).toEqual(expect.arrayContaining(['2023-06-12', '2023-07-03']));
		expect(new Set(lines.filter((l) => l.date.startsWith('2023')).map((l) => l.file)).size).toBe(2);
		await rm(own, { recursive: true, force: true });
	});

	it('refuses bad options with a clear message', async () => {
		expect((await run()).err.join('\n')).toMatch(/Name the files/);
		expect((await run('--docs', dir, '--order', 'ymd')).err.join('\n')).toMatch(/--order must be dmy or mdy/);
		const bad = await run('--docs', dir, '--document-date', '15/06/2023');
		expect(bad.code).toBe(2);
		expect(bad.err.join('\n')).toMatch(/YYYY-MM-DD/);
	});
});
