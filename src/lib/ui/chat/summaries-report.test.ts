import { describe, expect, it } from 'vitest';
import type { DocketDatabase } from '../../db/database.ts';
import { ScriptedEngine } from '../../rag/testing.ts';
import { freshDatabase } from '../../testing/db.ts';
import { MODEL_NOT_LOADED } from '../../rag/answer.machine.ts';
import { ReportDraft, fileName, isPlaceholderAnswer, reportDraft } from './report-draft.svelte.ts';
import { NO_MODEL_TO_SUMMARISE, SummaryState } from './summaries.svelte.ts';

async function seeded(): Promise<DocketDatabase> {
	const db = await freshDatabase();
	const base = {
		caseId: 'c',
		sha256: 'x',
		size: 1,
		mimeType: 'text/plain',
		kind: 'text' as const,
		createdAt: 0,
		updatedAt: 0,
		rev: 0
	};
	await db.documents.bulkAdd([
		{ ...base, id: 'd1', name: 'lease.txt', status: 'indexed' },
		{ ...base, id: 'd2', name: 'broken.pdf', status: 'damaged' }
	]);
	await db.chunks.bulkAdd([
		{
			id: 'k1',
			caseId: 'c',
			documentId: 'd1',
			ordinal: 1,
			page: 2,
			start: 0,
			end: 9,
			text: 'Terminate after two missed payments.',
			rev: 0
		},
		{ id: 'k0', caseId: 'c', documentId: 'd1', ordinal: 0, page: 1, start: 0, end: 9, text: 'Rent monthly.', rev: 0 }
	]);
	return db;
}

const echo = (options: { pauseAfter?: number } = {}) =>
	new ScriptedEngine((m) => `Summary of: ${m.at(-1)!.content.slice(0, 40)}`, options);

describe('SummaryState', () => {
	it('says a model is needed when none is loaded, and writes nothing', async () => {
		const db = await seeded();
		const state = new SummaryState(
			() => db,
			() => 'c',
			() => undefined
		);
		await state.summariseCase();
		expect(state.error).toBe(NO_MODEL_TO_SUMMARISE);
		expect(await db.summaries.count()).toBe(0);
		await db.delete();
	});

	it('summarises a document in reading order, then the case from its readable documents, reusing the document summary', async () => {
		const db = await seeded();
		const engine = echo();
		const state = new SummaryState(
			() => db,
			() => 'c',
			() => engine
		);
		await state.summariseDocument('d1', 'lease.txt');
		expect((await db.summaries.get('doc:d1'))?.text).toMatch(/^Summary of: Rent monthly\./);
		const requests = engine.requests.length;
		await state.summariseCase();
		// One more request: the case summary alone (the document summary by the same model is reused).
		expect(engine.requests.length).toBe(requests + 1);
		expect((await db.summaries.get('case:c'))?.text).toMatch(/^Summary of: Document “lease\.txt”/);
		expect(state.running).toBeUndefined();
		expect(state.error).toBeUndefined();
		await db.delete();
	});

	it('cancel stops the model mid-summary and says so', async () => {
		const db = await seeded();
		const engine = echo({ pauseAfter: 1 });
		const state = new SummaryState(
			() => db,
			() => 'c',
			() => engine
		);
		const running = state.summariseDocument('d1', 'lease.txt');
		await new Promise((r) => setTimeout(r, 20));
		expect(state.running?.label).toBe('Summarising lease.txt');
		state.cancel();
		await running;
		expect(engine.interrupted).toBeGreaterThan(0);
		expect(state.error).toBe('Summary cancelled.');
		expect(await db.summaries.count()).toBe(0);
		await db.delete();
	});
});

describe('ReportDraft', () => {
	it('composes the case summary, chosen passages and chosen answers with their question and sources', async () => {
		const db = await seeded();
		await db.summaries.put({ id: 'case:c', caseId: 'c', modelId: 'm', text: 'A lease dispute.', createdAt: 0 });
		const base = { threadId: 't', caseId: 'c', status: 'done' as const, rev: 0 };
		await db.messages.bulkAdd([
			{ ...base, id: 'q', role: 'user', content: 'When may the landlord terminate?', citations: [], createdAt: 1 },
			{
				...base,
				id: 'a',
				role: 'assistant',
				content: 'After two missed payments [1].',
				citations: [{ n: 1, chunkId: 'k1', documentId: 'd1', page: 2, start: 0, end: 9 }],
				modelId: 'm',
				createdAt: 2
			},
			// Asked before a model was loaded: the notice and its passages, which must never be exported as an answer.
			{ ...base, id: 'q2', role: 'user', content: 'Who signed?', citations: [], createdAt: 3 },
			{
				...base,
				id: 'p',
				role: 'assistant',
				content: `${MODEL_NOT_LOADED}\n\n[1]`,
				citations: [{ n: 1, chunkId: 'k0', documentId: 'd1', page: 1, start: 0, end: 9 }],
				createdAt: 4
			}
		]);
		const draft = new ReportDraft();
		draft.toggleAnswer('a');
		draft.toggleAnswer('p');
		draft.togglePassage({ chunkId: 'k0', documentName: 'lease.txt', page: 1, text: 'Rent monthly.' });
		draft.togglePassage({ chunkId: 'k1', documentName: 'lease.txt', page: 2, text: 'x' });
		draft.togglePassage({ chunkId: 'k1', documentName: 'lease.txt', page: 2, text: 'x' });
		const report = await draft.compose(db, 'c', 'Lease report');
		expect(report.sections.map((s) => s.kind)).toEqual(['summary', 'passage', 'answer']);
		expect(report.sections[2]).toMatchObject({ title: 'When may the landlord terminate?' });
		expect(report.sections[2]!.body).toContain('[1] lease.txt, p. 2');
		expect(report.sections.some((s) => s.body.includes(MODEL_NOT_LOADED))).toBe(false);
		expect(await db.reports.get(report.id)).toBeDefined();
		draft.includeSummary = false;
		expect((await draft.compose(db, 'c', 'r')).sections.map((s) => s.kind)).toEqual(['passage', 'answer']);
		await db.delete();
	});

	it('checks an answer’s quotations against its cited chunks, and puts the chronology as it stands now in the report', async () => {
		const db = await seeded();
		const base = { threadId: 't', caseId: 'c', status: 'done' as const, rev: 0, modelId: 'm' };
		await db.messages.bulkAdd([
			{ ...base, id: 'q', role: 'user', content: 'When?', citations: [], createdAt: 1 },
			{
				...base,
				id: 'a',
				role: 'assistant',
				content: 'It says "after two missed payments" [1], not "after one missed payment" [1].',
				citations: [{ n: 1, chunkId: 'k1', documentId: 'd1', page: 2, start: 0, end: 9 }],
				createdAt: 2
			}
		]);
		await db.events.bulkAdd([
			{
				id: 'e1',
				caseId: 'c',
				documentId: 'd1',
				page: 1,
				date: '2024-03-03',
				precision: 'day',
				sentence: 'Signed on 3 March 2024.',
				people: [],
				inferred: false,
				approximate: false,
				phrase: '3 March 2024',
				start: 0,
				end: 5
			},
			{
				id: 'e2',
				caseId: 'c',
				documentId: 'd1',
				page: 2,
				date: '2025-01-01',
				precision: 'day',
				sentence: 'Out of the period.',
				people: [],
				inferred: false,
				approximate: false,
				phrase: '1 January 2025',
				start: 0,
				end: 5
			}
		]);
		// An edit made after the chronology was picked still shows: the report reads it when composed.
		const draft = new ReportDraft();
		draft.toggleAnswer('a');
		draft.chronology = {
			title: 'Chronology, 2024-01-01 to 2024-12-31',
			filter: { from: '2024-01-01', to: '2024-12-31' }
		};
		await db.eventEdits.put({ id: 'e1', caseId: 'c', note: 'Original seen', updatedAt: 1, rev: 0 });
		const report = await draft.compose(db, 'c', 'r');
		expect(report.quotations).toEqual({ verified: 1, flagged: 1 });
		expect(report.sections.map((s) => s.kind)).toEqual(['answer', 'chronology']);
		expect(report.sections[1]!.body).toBe(
			'- 2024-03-03: Signed on 3 March 2024. — lease.txt, p. 1. Note: Original seen'
		);
		await db.delete();
	});

	it('keeps the picks across a reload, and a pick made while loading wins over the saved ones', async () => {
		const db = await seeded();
		const first = new ReportDraft({ db, caseId: 'c' });
		await first.loaded;
		first.toggleAnswer('a');
		first.togglePassage({ chunkId: 'k0', documentName: 'lease.txt', page: 1, text: 'Rent monthly.' });
		first.includeSummary = false;
		await expect
			.poll(async () => (await db.settings.get('reportDraft:c'))?.value)
			.toMatchObject({ answers: ['a'], includeSummary: false });

		const reloaded = new ReportDraft({ db, caseId: 'c' });
		await reloaded.loaded;
		expect([...reloaded.answers]).toEqual(['a']);
		expect(reloaded.passages.map((p) => p.chunkId)).toEqual(['k0']);
		expect(reloaded.includeSummary).toBe(false);
		expect(new ReportDraft({ db, caseId: 'other' }).passages).toEqual([]);

		const racing = new ReportDraft({ db, caseId: 'c' });
		racing.toggleAnswer('b');
		await racing.loaded;
		expect([...racing.answers]).toEqual(['b']);
		expect(reportDraft(db, 'c')).toBe(reportDraft(db, 'c'));
		expect(reportDraft(undefined, 'c')).not.toBe(reportDraft(db, 'c'));
		await db.delete();
	});

	it('tells a model’s finished answer from a notice or a stopped answer', () => {
		const answer = { role: 'assistant' as const, content: 'After two missed payments.', status: 'done' as const };
		expect(isPlaceholderAnswer({ ...answer, modelId: 'm' })).toBe(false);
		expect(isPlaceholderAnswer(answer)).toBe(true);
		expect(isPlaceholderAnswer({ ...answer, modelId: 'm', status: 'cancelled' })).toBe(true);
		expect(isPlaceholderAnswer({ ...answer, modelId: 'm', content: MODEL_NOT_LOADED })).toBe(true);
	});

	it('names export files after the title', () => {
		expect(fileName('Lease report: Alder v. Brook', 'md')).toBe('Lease-report-Alder-v-Brook.md');
		expect(fileName('***', 'html')).toBe('report.html');
	});
});
