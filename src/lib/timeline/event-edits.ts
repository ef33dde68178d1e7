/**
 * People's edits to chronology events: the repository function that writes one, with its outbox entry in
 * the same transaction, so an edit made offline reaches teammates later and none is lost. Only the fields
 * that changed travel, so two people editing different fields of one event both keep theirs (the server
 * merges per field).
 */
import type { DocketDatabase } from '../db/database.ts';
import type { EventEditRow } from '../db/schema.ts';
import { write } from '../db/writes.ts';
import { InvalidInputError } from '../errors.ts';
import { precisionOf } from './chronology.ts';

export interface EventEditChange {
	dropped?: boolean;
	/** A corrected date, or '' to go back to the date the text gives. */
	date?: string;
	note?: string;
}

export const NOTE_MAX_LENGTH = 4000;

export async function saveEventEdit(
	db: DocketDatabase,
	caseId: string,
	eventId: string,
	change: EventEditChange
): Promise<EventEditRow> {
	const date = change.date?.trim();
	if (date && !precisionOf(date))
		throw new InvalidInputError(
			`“${date}” is not a date Docket can sort by.`,
			'Type it as year-month-day (2024-03-05), year-month (2024-03) or a year (2024).'
		);
	const note = change.note?.trim();
	if (note !== undefined && note.length > NOTE_MAX_LENGTH)
		throw new InvalidInputError(`A note can be at most ${NOTE_MAX_LENGTH} characters.`, 'Shorten the note.');
	return write(db, [db.eventEdits], async (w) => {
		const existing = await db.eventEdits.get(eventId);
		if (existing && existing.caseId !== caseId) throw new InvalidInputError('This event belongs to another case.');
		const fields: Record<string, unknown> = {};
		if (change.dropped !== undefined && change.dropped !== (existing?.dropped ?? false))
			fields['dropped'] = change.dropped;
		if (date !== undefined && date !== (existing?.date ?? '')) fields['date'] = date;
		if (note !== undefined && note !== (existing?.note ?? '')) fields['note'] = note;
		const now = Date.now();
		const row: EventEditRow = { ...(existing ?? { id: eventId, caseId, rev: 0 }), ...fields, updatedAt: now };
		if (Object.keys(fields).length === 0) return row;
		await db.eventEdits.put(row);
		await w.record([
			{
				table: 'eventEdits',
				rowId: eventId,
				caseId,
				op: 'put',
				baseRev: existing?.rev ?? 0,
				// No timestamp travels: every edit would change it, so two people's edits of different fields
				// would always clash on it instead of merging.
				fields
			}
		]);
		return row;
	});
}
