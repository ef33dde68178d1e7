/**
 * The chronology as people read it: stored events with their edits applied (a dropped event hidden, a
 * corrected date used for order and display, a note beside it), filtered by person, document and date
 * range, and written out as CSV or Markdown. Pure functions: the Timeline tab, its exports and the report
 * share them, and tests run them without a browser.
 */
import type { DocketDatabase } from '../db/database.ts';
import type { EventEditRow, EventRow } from '../db/schema.ts';
import { formatPage } from '../ingest/page-label.ts';
import { escapeMarkdown } from '../rag/report.ts';
import { compareEvents, type DatePrecision } from './dates.ts';
import { organisationOf } from './people.ts';

export interface ChronologyEntry {
	id: string;
	documentId: string;
	documentName: string;
	page: number;
	/** "p. 2 (PDF 18)", "SMITH-000123 (PDF 18)". */
	where: string;
	/** The date shown and sorted by: the corrected one where a person fixed it. */
	date: string;
	endDate?: string;
	precision: DatePrecision;
	/** The date the text gave, when a person corrected it. */
	readDate?: string;
	sentence: string;
	people: string[];
	/** Companies, firms and public bodies the sentence names. */
	organisations: string[];
	inferred: boolean;
	approximate: boolean;
	note?: string;
	dropped: boolean;
	start: number;
	end: number;
}

/** A corrected date as a person may type it: "2024-03-05", "2024-03" or "2024". */
const ISO_DATE = /^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$/u;

export function precisionOf(date: string): DatePrecision | undefined {
	const m = ISO_DATE.exec(date);
	if (!m) return undefined;
	if (m[3]) {
		const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
		return d.getUTCDate() === Number(m[3]) ? 'day' : undefined;
	}
	return m[2] ? 'month' : 'year';
}

export interface ChronologyInput {
	events: readonly EventRow[];
	edits: readonly EventEditRow[];
	/** Document names by id; events of documents not named here are left out (the document is gone). */
	documentNames: ReadonlyMap<string, string>;
}

/** Every event with its edits, in date order (then document name, page, position); dropped ones included. */
export function chronologyEntries({ events, edits, documentNames }: ChronologyInput): ChronologyEntry[] {
	const editOf = new Map(edits.map((e) => [e.id, e]));
	// A name read as a person's that the case also writes with a legal suffix is that organisation.
	const organisations = new Set(events.flatMap((e) => e.organisations ?? []));
	const aliases = new Map<string, string | null>();
	const aliasOf = (name: string): string | undefined => {
		let alias = aliases.get(name);
		if (alias === undefined) aliases.set(name, (alias = organisationOf(name, organisations) ?? null));
		return alias ?? undefined;
	};
	const out: ChronologyEntry[] = [];
	for (const e of events) {
		const documentName = documentNames.get(e.documentId);
		if (documentName === undefined) continue;
		const edit = editOf.get(e.id);
		const fixed = edit?.date ? precisionOf(edit.date) : undefined;
		out.push({
			id: e.id,
			documentId: e.documentId,
			documentName,
			page: e.page,
			where: formatPage(e),
			date: fixed ? edit!.date! : e.date,
			...(!fixed && e.endDate ? { endDate: e.endDate } : {}),
			precision: fixed ?? e.precision,
			...(fixed ? { readDate: e.date } : {}),
			sentence: e.sentence,
			people: e.people.filter((p) => aliasOf(p) === undefined),
			organisations: [...new Set([...(e.organisations ?? []), ...e.people.flatMap((p) => aliasOf(p) ?? [])])],
			inferred: e.inferred,
			approximate: e.approximate,
			...(edit?.note ? { note: edit.note } : {}),
			dropped: edit?.dropped === true,
			start: e.start,
			end: e.end
		});
	}
	return out.sort(
		(a, b) =>
			compareEvents(a, b) || a.documentName.localeCompare(b.documentName) || a.page - b.page || a.start - b.start
	);
}

export interface ChronologyFilter {
	person?: string;
	organisation?: string;
	documentId?: string;
	/** Inclusive bounds, ISO "YYYY-MM-DD"; an event counts when any part of it falls inside. */
	from?: string;
	to?: string;
	/** Show dropped events too (greyed), so a drop can be undone. */
	includeDropped?: boolean;
}

/** The first and last day an entry can mean: "2024-03" spans 1–31 March. */
function span(e: Pick<ChronologyEntry, 'date' | 'endDate'>): [string, string] {
	const first = `${e.date}-01-01`.slice(0, 10);
	const lastOf = (d: string) => {
		if (d.length === 10) return d;
		if (d.length === 4) return `${d}-12-31`;
		const [y, m] = d.split('-').map(Number);
		const days = new Date(Date.UTC(y!, m!, 0)).getUTCDate();
		return `${d}-${String(days).padStart(2, '0')}`;
	};
	return [first, lastOf(e.endDate ?? e.date)];
}

export function filterChronology(entries: readonly ChronologyEntry[], filter: ChronologyFilter): ChronologyEntry[] {
	return entries.filter((e) => {
		if (e.dropped && !filter.includeDropped) return false;
		if (filter.person && !e.people.includes(filter.person)) return false;
		if (filter.organisation && !e.organisations.includes(filter.organisation)) return false;
		if (filter.documentId && e.documentId !== filter.documentId) return false;
		const [first, last] = span(e);
		if (filter.from && last < filter.from) return false;
		if (filter.to && first > filter.to) return false;
		return true;
	});
}

/** People named anywhere in the chronology, most often named first (then by name). */
export function peopleOf(entries: readonly ChronologyEntry[]): string[] {
	return byMentions(entries.map((e) => e.people));
}

/** Organisations named anywhere in the chronology, most often named first (then by name). */
export function organisationsOf(entries: readonly ChronologyEntry[]): string[] {
	return byMentions(entries.map((e) => e.organisations));
}

function byMentions(lists: readonly (readonly string[])[]): string[] {
	const counts = new Map<string, number>();
	for (const list of lists) for (const name of list) counts.set(name, (counts.get(name) ?? 0) + 1);
	return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name);
}

/** The date as read aloud in lists: the range, and "about" or "inferred" where the text said so. */
export function dateText(e: Pick<ChronologyEntry, 'date' | 'endDate' | 'approximate' | 'inferred'>): string {
	const range = e.endDate ? `${e.date} to ${e.endDate}` : e.date;
	const marks = [e.approximate ? 'about' : '', e.inferred ? 'inferred' : ''].filter(Boolean);
	return marks.length ? `${range} (${marks.join(', ')})` : range;
}

/** A CSV field: quoted, quotes doubled; a leading = + - @ gets a ' so a spreadsheet never runs it as a formula. */
function csvField(value: string): string {
	const safe = /^[=+\-@\t\r]/u.test(value) ? `'${value}` : value;
	return `"${safe.replace(/"/g, '""')}"`;
}

export function chronologyToCsv(entries: readonly ChronologyEntry[]): string {
	const header = [
		'Date',
		'End date',
		'Approximate',
		'Inferred',
		'Event',
		'People',
		'Organisations',
		'Document',
		'Page',
		'Note'
	];
	const rows = entries.map((e) => [
		e.date,
		e.endDate ?? '',
		e.approximate ? 'yes' : '',
		e.inferred ? 'yes' : '',
		e.sentence,
		e.people.join('; '),
		e.organisations.join('; '),
		e.documentName,
		e.where,
		e.note ?? ''
	]);
	return `${[header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/** A Markdown table cell: escaped, pipes and line breaks kept from breaking the table. */
function cell(text: string): string {
	return escapeMarkdown(text).replace(/\r?\n/g, ' ');
}

export function chronologyToMarkdown(title: string, entries: readonly ChronologyEntry[]): string {
	const lines = [
		`# ${escapeMarkdown(title)}`,
		'',
		'| Date | Event | People | Source | Note |',
		'| --- | --- | --- | --- | --- |',
		...entries.map(
			(e) =>
				`| ${cell(dateText(e))} | ${cell(e.sentence)} | ${cell(e.people.join(', '))} | ${cell(`${e.documentName}, ${e.where}`)} | ${cell(e.note ?? '')} |`
		)
	];
	return `${lines.join('\n')}\n`;
}

/** A case's chronology as stored now: its events, their edits and its documents' names. */
export async function readChronology(db: DocketDatabase, caseId: string): Promise<ChronologyEntry[]> {
	const [events, edits, documents] = await Promise.all([
		db.events.where('caseId').equals(caseId).toArray(),
		db.eventEdits.where('caseId').equals(caseId).toArray(),
		db.documents.where('caseId').equals(caseId).toArray()
	]);
	return chronologyEntries({ events, edits, documentNames: new Map(documents.map((d) => [d.id, d.name])) });
}

/** The chronology as a report section's body: one list item per event, escaped Markdown. */
export function chronologyReportBody(entries: readonly ChronologyEntry[]): string {
	if (entries.length === 0) return escapeMarkdown('No dated events in this period.');
	return entries
		.map((e) => {
			const people = e.people.length ? ` (${e.people.join(', ')})` : '';
			const note = e.note ? ` Note: ${e.note.replace(/\s+/g, ' ')}` : '';
			return `- ${escapeMarkdown(`${dateText(e)}: ${e.sentence.replace(/\s+/g, ' ')}${people} — ${e.documentName}, ${e.where}.${note}`)}`;
		})
		.join('\n');
}

/** The filter in words, for a section title: "Chronology, Jane Doe, 2024-01-01 to 2024-03-31". */
export function filterTitle(filter: ChronologyFilter, documentName?: string): string {
	const parts = ['Chronology'];
	if (filter.person) parts.push(filter.person);
	if (documentName) parts.push(documentName);
	if (filter.from || filter.to) parts.push(`${filter.from ?? 'start'} to ${filter.to ?? 'end'}`);
	return parts.join(', ');
}
