import { describe, expect, it } from 'vitest';
import type { MessageMeta } from '../ingest/email/types.ts';
import { citeDocument } from '../ingest/email/citation.ts';
import { formatPage } from '../ingest/page-label.ts';
import { citationsOf } from '../rag/citations.ts';
import { checkPulledRow } from '../sync/protocol.ts';
import { dayStart, matchesFilter, mergeFilters, parseOperators } from './operators.ts';

const meta: MessageMeta = {
	from: { name: 'Ann Smith', address: 'ann@smith.example' },
	to: [{ name: 'Bob Jones', address: 'bob@jones.example' }],
	cc: [{ address: 'cy@young.example' }],
	bcc: [],
	subject: 'Re: Settlement offer',
	date: Date.UTC(2024, 2, 3, 10),
	references: [],
	threadKey: 'id:x',
	attachments: [{ name: 'a.pdf', mimeType: 'application/pdf', size: 1, sha256: 'a'.repeat(64) }]
};

describe('search operators', () => {
	it('takes operators out of the query, quoted values and all', () => {
		expect(
			parseOperators('lease from:ann to:"Bob Jones" subject:settlement has:attachment after:2024-03-01 terms')
		).toEqual({
			text: 'lease terms',
			filter: {
				from: ['ann'],
				to: ['bob jones'],
				cc: [],
				subject: ['settlement'],
				after: Date.UTC(2024, 2, 1),
				hasAttachment: true
			},
			problems: []
		});
		expect(parseOperators('plain "from: words" here')).toEqual({ text: 'plain "from: words" here', problems: [] });
		expect(parseOperators('x before:2024-02-30 has:pictures').problems).toEqual([
			'before:2024-02-30 is not a date (write YYYY-MM-DD)',
			'has:pictures is not known (has:attachment is)'
		]);
		expect(dayStart('2024/3/5')).toBe(Date.UTC(2024, 2, 5));
	});

	it('matches sender, recipients, subject, dates and attachments; a document that is no message never', () => {
		const f = (q: string) => parseOperators(q).filter!;
		expect(matchesFilter(meta, f('from:smith'))).toBe(true);
		expect(matchesFilter(meta, f('from:bob'))).toBe(false);
		expect(matchesFilter(meta, f('to:jones cc:cy'))).toBe(true);
		expect(matchesFilter(meta, f('subject:"settlement offer"'))).toBe(true);
		expect(matchesFilter(meta, f('after:2024-03-03 before:2024-03-04'))).toBe(true);
		expect(matchesFilter(meta, f('before:2024-03-03'))).toBe(false);
		expect(matchesFilter({ ...meta, attachments: [] }, f('has:attachment'))).toBe(false);
		expect(matchesFilter(undefined, f('from:ann'))).toBe(false);
		const both = mergeFilters(f('after:2024-03-01'), f('after:2024-03-05 before:2024-04-01'))!;
		expect([both.after, both.before]).toEqual([Date.UTC(2024, 2, 5), Date.UTC(2024, 3, 1)]);
	});

	it('cites a message as a lawyer would, and other documents by name and page', () => {
		const email = { name: 'x.eml', kind: 'email' as const, email: meta };
		expect(citeDocument(email, { page: 1, paragraph: 2 })).toBe(
			'Email, Ann Smith to Bob Jones and others, 3 Mar 2024, ¶ 2'
		);
		expect(citeDocument({ ...email, email: { ...meta, cc: [] } }, { page: 1, block: 'headers' })).toBe(
			'Email, Ann Smith to Bob Jones, 3 Mar 2024, headers'
		);
		expect(citeDocument({ name: 'draft.docx', kind: 'docx' }, { page: 1, paragraph: 4, paragraphEnd: 5 })).toBe(
			'draft.docx, ¶¶ 4–5'
		);
		expect(citeDocument({ name: 'brief.pdf', kind: 'pdf' }, { page: 3 })).toBe('brief.pdf, p. 3');
	});

	it('carries a paragraph from a retrieved passage into an answer’s citation, which names it', () => {
		const passage = {
			n: 1,
			chunkId: 'c1',
			documentId: 'd1',
			documentName: 'Email, Ann Smith to Bob Jones, 3 Mar 2024',
			page: 1,
			paragraph: 2,
			start: 40,
			end: 70,
			text: 'We offer forty thousand.'
		};
		const [cited] = citationsOf('They offered forty thousand [1].', [passage]);
		expect(cited).toMatchObject({ n: 1, paragraph: 2, start: 40, end: 70 });
		expect(`${passage.documentName}, ${formatPage(cited!)}`).toBe('Email, Ann Smith to Bob Jones, 3 Mar 2024, ¶ 2');
		expect(formatPage({ page: 4, label: 'iv' })).toBe('p. iv (PDF 4)');
	});

	it('quarantines a pulled message whose metadata is not the shape the app reads', () => {
		const row = (email: unknown) => ({
			table: 'documents',
			id: crypto.randomUUID(),
			rev: 1,
			seq: 1,
			deleted: false,
			fields: { email }
		});
		expect(checkPulledRow(row(meta)).ok).toBe(true);
		expect(checkPulledRow(row({ ...meta, to: 'bob' }))).toMatchObject({
			ok: false,
			reason: expect.stringMatching(/^email\.to/)
		});
	});
});
