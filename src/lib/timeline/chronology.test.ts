import { describe, expect, it } from 'vitest';
import type { EventRow } from '../db/schema.ts';
import { applyServerRow } from '../db/replica.ts';
import { write } from '../db/writes.ts';
import { checkPulledRow } from '../sync/protocol.ts';
import { freshDatabase } from '../testing/db.ts';
import {
	chronologyEntries,
	chronologyToCsv,
	chronologyToMarkdown,
	dateText,
	filterChronology,
	organisationsOf,
	peopleOf,
	precisionOf
} from './chronology.ts';
import { saveEventEdit } from './event-edits.ts';

function event(id: string, date: string, extra: Partial<EventRow> = {}): EventRow {
	return {
		id,
		caseId: 'c',
		documentId: 'd1',
		page: 1,
		date,
		precision: date.length === 10 ? 'day' : date.length === 7 ? 'month' : 'year',
		sentence: `Something happened on ${date}.`,
		people: [],
		inferred: false,
		approximate: false,
		phrase: date,
		start: 0,
		end: 10,
		...extra
	};
}

const names = new Map([
	['d1', 'lease.pdf'],
	['d2', 'letter.txt']
]);

describe('chronology entries', () => {
	const events = [
		event('a', '2024-05-04', { people: ['Jane Doe'], page: 2, label: 'ii' }),
		event('b', '2024-03', { documentId: 'd2', people: ['Jane Doe', 'John Roe'] }),
		event('c', '2023-12-31', { documentId: 'd2', bates: 'SMITH-000123', page: 7 }),
		event('gone', '2020-01-01', { documentId: 'd9' })
	];

	it('sort by date, leave out events of removed documents, and name the page as printed', () => {
		const entries = chronologyEntries({ events, edits: [], documentNames: names });
		expect(entries.map((e) => [e.id, e.date, e.where])).toEqual([
			['c', '2023-12-31', 'SMITH-000123 (PDF 7)'],
			['b', '2024-03', 'p. 1'],
			['a', '2024-05-04', 'p. ii (PDF 2)']
		]);
		expect(peopleOf(entries)).toEqual(['Jane Doe', 'John Roe']);
	});

	it('read a person-like name as the organisation the case also writes with a legal suffix, and filter by it', () => {
		const entries = chronologyEntries({
			events: [
				event('x', '2024-01-02', { people: ['Brightwater Marine', 'Jane Doe'] }),
				event('y', '2024-01-03', { people: [], organisations: ['Brightwater Marine Ltd'] }),
				// Rows derived before organisations were told apart have none: still read.
				event('z', '2024-01-04', { people: ['Mary Alder'] })
			],
			edits: [],
			documentNames: names
		});
		expect(entries.map((e) => [e.id, e.people, e.organisations])).toEqual([
			['x', ['Jane Doe'], ['Brightwater Marine Ltd']],
			['y', [], ['Brightwater Marine Ltd']],
			['z', ['Mary Alder'], []]
		]);
		expect(peopleOf(entries)).toEqual(['Jane Doe', 'Mary Alder']);
		expect(organisationsOf(entries)).toEqual(['Brightwater Marine Ltd']);
		expect(filterChronology(entries, { organisation: 'Brightwater Marine Ltd' }).map((e) => e.id)).toEqual(['x', 'y']);
		expect(chronologyToCsv(entries).split('\r\n')[1]).toContain('"Jane Doe","Brightwater Marine Ltd"');
	});

	it('apply edits: a corrected date re-sorts, a dropped event is hidden unless asked for, a note is kept', () => {
		const entries = chronologyEntries({
			events,
			edits: [
				{ id: 'c', caseId: 'c', date: '2024-06-01', note: 'Typo in the letter', updatedAt: 1, rev: 0 },
				{ id: 'b', caseId: 'c', dropped: true, updatedAt: 1, rev: 0 },
				{ id: 'a', caseId: 'c', date: 'not a date', updatedAt: 1, rev: 0 }
			],
			documentNames: names
		});
		expect(entries.map((e) => [e.id, e.date, e.readDate, e.dropped])).toEqual([
			['b', '2024-03', undefined, true],
			['a', '2024-05-04', undefined, false],
			['c', '2024-06-01', '2023-12-31', false]
		]);
		expect(filterChronology(entries, {}).map((e) => e.id)).toEqual(['a', 'c']);
		expect(filterChronology(entries, { includeDropped: true }).map((e) => e.id)).toEqual(['b', 'a', 'c']);
		expect(entries.find((e) => e.id === 'c')?.note).toBe('Typo in the letter');
	});

	it('filter by person, document and date range; a month counts when any of its days is inside', () => {
		const entries = chronologyEntries({ events, edits: [], documentNames: names });
		expect(filterChronology(entries, { person: 'Jane Doe' }).map((e) => e.id)).toEqual(['b', 'a']);
		expect(filterChronology(entries, { documentId: 'd2' }).map((e) => e.id)).toEqual(['c', 'b']);
		expect(filterChronology(entries, { from: '2024-03-31' }).map((e) => e.id)).toEqual(['b', 'a']);
		expect(filterChronology(entries, { from: '2024-01-01', to: '2024-03-01' }).map((e) => e.id)).toEqual(['b']);
		expect(filterChronology(entries, { to: '2023-12-31' }).map((e) => e.id)).toEqual(['c']);
	});

	it('export as CSV (quoted, formulas defused) and as a Markdown table (escaped)', () => {
		const entries = chronologyEntries({
			events: [
				event('x', '2024-01-02', { sentence: '=HYPERLINK("evil") | said "no"', people: ['A B'], approximate: true })
			],
			edits: [{ id: 'x', caseId: 'c', note: 'line one\nline two', updatedAt: 1, rev: 0 }],
			documentNames: names
		});
		const csv = chronologyToCsv(entries);
		expect(csv.split('\r\n')[0]).toBe(
			'"Date","End date","Approximate","Inferred","Event","People","Organisations","Document","Page","Note"'
		);
		expect(csv).toContain(`"'=HYPERLINK(""evil"") | said ""no"""`);
		expect(csv).toContain('"line one\nline two"');
		const md = chronologyToMarkdown('Orchard *chronology*', entries);
		expect(md).toContain('# Orchard \\*chronology\\*');
		expect(md).toContain(
			'| 2024-01-02 \\(about\\) | =HYPERLINK\\("evil"\\) \\| said "no" | A B | lease.pdf, p. 1 | line one line two |'
		);
		expect(dateText({ date: '2024-05-01', endDate: '2024-05-05', approximate: false, inferred: true })).toBe(
			'2024-05-01 to 2024-05-05 (inferred)'
		);
	});

	it('accept corrected dates at day, month and year precision only', () => {
		expect(precisionOf('2024-02-29')).toBe('day');
		expect(precisionOf('2023-02-29')).toBeUndefined();
		expect(precisionOf('2024-13')).toBeUndefined();
		expect(precisionOf('2024-03')).toBe('month');
		expect(precisionOf('2024')).toBe('year');
		expect(precisionOf('03/04/2024')).toBeUndefined();
	});
});

describe('saving an edit', () => {
	it('refuses a date it cannot sort by, and queues only the fields that changed', async () => {
		const db = await freshDatabase();
		try {
			await expect(saveEventEdit(db, 'c', 'e', { date: '3rd of May' })).rejects.toThrow(/not a date/);
			await saveEventEdit(db, 'c', 'e', { note: 'first' });
			await saveEventEdit(db, 'c', 'e', { note: 'first', dropped: true });
			await saveEventEdit(db, 'c', 'e', { note: 'first', dropped: true });
			const queued = await db.outbox.where('[table+rowId]').equals(['eventEdits', 'e']).toArray();
			expect(queued.map((q) => Object.keys(q.fields).sort())).toEqual([['note'], ['dropped']]);
			expect(await db.eventEdits.get('e')).toMatchObject({ note: 'first', dropped: true, caseId: 'c' });
			await expect(saveEventEdit(db, 'other', 'e', { note: 'x' })).rejects.toThrow(/another case/);
		} finally {
			await db.delete();
		}
	});
});

describe("a teammate's edit", () => {
	it('is checked as it is pulled and stored as the local edit, keeping a change of mine not yet pushed', async () => {
		const db = await freshDatabase();
		try {
			const row = {
				table: 'eventEdits',
				id: 'e',
				rev: 2,
				seq: 9,
				deleted: false,
				fields: { caseId: 'c', note: 'theirs', dropped: true }
			};
			expect(checkPulledRow(row).ok).toBe(true);
			expect(checkPulledRow({ ...row, fields: { dropped: 'yes' } })).toMatchObject({ ok: false });
			await saveEventEdit(db, 'c', 'e', { note: 'mine' });
			const pulled = checkPulledRow(row);
			if (!pulled.ok) throw new Error(pulled.reason);
			await write(db, [db.eventEdits], (w) => applyServerRow(w, pulled.row, { keepPending: true }));
			expect(await db.eventEdits.get('e')).toMatchObject({ caseId: 'c', note: 'mine', dropped: true, rev: 2 });
			await write(db, [db.eventEdits], (w) =>
				applyServerRow(w, { ...pulled.row, deleted: true, fields: {} }, { keepPending: false })
			);
			expect(await db.eventEdits.get('e')).toBeUndefined();
		} finally {
			await db.delete();
		}
	});
});
