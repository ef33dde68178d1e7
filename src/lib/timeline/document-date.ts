/**
 * A document's own date, where its text states one the way letters, notices and memos do: a date alone on
 * a line near the top of its first page ("3 March 2024", "Dated: 03/04/2024", "London, 3 March 2024").
 * Relative dates in the document ("the following Tuesday", "yesterday") are then resolved against it and
 * marked inferred; without one they are left out rather than guessed.
 */
import { extractEvents, type DateOptions } from './dates.ts';

/** How far into the first page a letterhead's date line may sit. */
const HEAD_CHARS = 600;
/** A line that is a date and nothing else: an optional place or "Date:" before it, a full stop after. */
const DATE_LINE_EXTRA = /^(?:(?:date[d]?|sent|on)\s*:?\s*|[\p{L} .'-]{1,40},\s*)?$/iu;

export function documentDateOf(
	pages: readonly { page: number; text: string }[],
	order: DateOptions['order']
): string | undefined {
	const first = pages.find((p) => p.page === 1) ?? pages[0];
	if (!first) return undefined;
	for (const line of first.text.slice(0, HEAD_CHARS).split(/\r?\n/u)) {
		const trimmed = line.trim().replace(/[.,;]$/u, '');
		if (trimmed.length === 0 || trimmed.length > 60) continue;
		const [event, ...more] = extractEvents(trimmed, { ...(order ? { order } : {}) });
		if (!event || more.length > 0 || event.precision !== 'day' || event.inferred || event.endDate) continue;
		const before = trimmed.slice(0, event.start);
		const after = trimmed.slice(event.end).trim();
		if (after === '' && DATE_LINE_EXTRA.test(before)) return event.date;
	}
	return undefined;
}
