/**
 * Dated events in a chunk of text, without a model. Date phrases come from chrono-node (MIT, the
 * maintained English date parser: day-first and month-first orders, month names, ordinals, ranges); what
 * it cannot know about legal text is decided here: which hits are not dates (section numbers, fractions,
 * case numbers), which are relative and what they are relative to, and how precise each date is.
 */
// Only the English locale is imported: about 47 KB minified (13 KB gzip), no dependencies.
import { casual as chronoMonthFirst, GB as chronoDayFirst, type ParsedResult } from 'chrono-node/en';
import type { ParsedComponents } from 'chrono-node';
import { pageRange } from '../ingest/reader-text.ts';
import { findNames } from './people.ts';
import { splitSentences, type Sentence } from './sentences.ts';

export type DatePrecision = 'day' | 'month' | 'year';

export interface DatedEvent {
	/** ISO date at its precision: "2024-03-03", "2024-03" or "2024". */
	date: string;
	/** For a range ("1 to 5 May 2024"), its last date, at the same precision. */
	endDate?: string;
	precision: DatePrecision;
	/** The sentence that states it, as written. */
	sentence: string;
	/** People the sentence names (see people.ts). */
	people: string[];
	/** Companies, firms and public bodies it names. */
	organisations: string[];
	/** The date was worked out from a reference (the document's date, or an earlier date in the text). */
	inferred: boolean;
	/** "on or about", "approximately", "circa": the text itself says the date is not exact. */
	approximate: boolean;
	/** The date phrase as written, and its character range in the chunk. */
	phrase: string;
	start: number;
	end: number;
}

export interface DateOptions {
	/** How to read "03/04/2024": day first (UK and most of the world, the default) or month first (US). */
	order?: 'dmy' | 'mdy';
	/** The document's own date (ISO "YYYY-MM-DD"), where known: relative dates resolve against it. */
	documentDate?: string;
}

/** Words before a number that make it a reference, not a date: "§ 4.2.2024", "No. 12-2024", "Rule 3/4". */
const REFERENCE_BEFORE =
	/(?:§§?|\b(?:sections?|secs?|ss?|clauses?|articles?|arts?|rules?|paras?|paragraphs?|nos?|numbers?|case|cases|exhibits?|exs?|docket|dkt|items?|pages?|pp?|chapters?|ch|parts?|schedules?|versions?|v|ref|tel|phone)\.?)\s*$/iu;
const APPROXIMATE_BEFORE =
	/\b(?:on or about|on or around|about|approximately|around|circa|c\.|some time in|sometime in)\s*$/iu;
const FORWARD_BEFORE = /\b(?:the\s+)?(?:following|next|coming|ensuing|subsequent)\s*$/iu;
const BACKWARD_BEFORE = /\b(?:the\s+)?(?:previous|preceding|last|prior)\s*$/iu;
/** Phrases relative to the narrative ("two days later", "the next day"): they follow the last stated date. */
const NARRATIVE =
	/\b(?:later|earlier|after|before|afterwards|next day|following day|previous day|day before|day after)\b/iu;
const FULL_WEEKDAY = /\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/iu;

interface YMD {
	year: number;
	month: number;
	day: number;
}

function pad(n: number, width = 2): string {
	return String(n).padStart(width, '0');
}

function isoOf(c: ParsedComponents, precision: DatePrecision): string {
	const year = pad(c.get('year') ?? 0, 4);
	if (precision === 'year') return year;
	const month = `${year}-${pad(c.get('month') ?? 1)}`;
	return precision === 'month' ? month : `${month}-${pad(c.get('day') ?? 1)}`;
}

function parseIsoDate(iso: string | undefined): YMD | undefined {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(iso ?? '');
	if (!m) return undefined;
	const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
	const d = new Date(year, month - 1, day, 12);
	return d.getMonth() === month - 1 ? { year, month, day } : undefined;
}

/** Local noon of the date: chrono reads references in local time, and noon keeps DST shifts harmless. */
function refDate(d: YMD): Date {
	return new Date(d.year, d.month - 1, d.day, 12);
}

function ymdOf(c: ParsedComponents): YMD {
	return { year: c.get('year') ?? 0, month: c.get('month') ?? 1, day: c.get('day') ?? 1 };
}

type Kind =
	| { kind: 'absolute'; precision: DatePrecision }
	| { kind: 'year-implied' }
	| { kind: 'relative-document' }
	| { kind: 'relative-narrative' }
	| { kind: 'weekday'; direction: 'forward' | 'backward' | 'nearest' }
	| { kind: 'not-a-date' };

function classify(text: string, r: ParsedResult): Kind {
	const c = r.start;
	const tags = r.tags();
	const before = text.slice(Math.max(0, r.index - 24), r.index);
	const phrase = r.text;
	if (
		tags.has('casualReference/now') ||
		/^(?:at\s+)?(?:now|tonight|this (?:morning|evening|afternoon))$/iu.test(phrase)
	)
		return { kind: 'not-a-date' };
	if (REFERENCE_BEFORE.test(before) && /^\d/u.test(phrase)) return { kind: 'not-a-date' };
	const hasDay = c.isCertain('day');
	const hasMonth = c.isCertain('month');
	const hasYear = c.isCertain('year');
	const relative = [...tags].some((t) => t.startsWith('result/relative') || t.startsWith('casualReference/'));
	if (relative) return NARRATIVE.test(phrase) ? { kind: 'relative-narrative' } : { kind: 'relative-document' };
	if (!hasDay && !hasMonth && !hasYear) {
		if (c.isCertain('weekday') && FULL_WEEKDAY.test(phrase)) {
			if (FORWARD_BEFORE.test(before) || /\b(?:next|following|coming)\b/iu.test(phrase))
				return { kind: 'weekday', direction: 'forward' };
			if (BACKWARD_BEFORE.test(before) || /\b(?:last|previous)\b/iu.test(phrase))
				return { kind: 'weekday', direction: 'backward' };
			return { kind: 'weekday', direction: 'nearest' };
		}
		return { kind: 'not-a-date' }; // a time of day, an abbreviated weekday ("Sat")
	}
	// Numeric dates without a year are fractions and references far more often than dates: "3/4", "10/12".
	if (!hasYear && /^[\d\s./-]+$/u.test(phrase.replace(/^(?:on|at|by)\s+/iu, ''))) return { kind: 'not-a-date' };
	if (hasYear) return { kind: 'absolute', precision: hasDay ? 'day' : hasMonth ? 'month' : 'year' };
	// "March 3" with no year takes the document's year; a month name alone ("in June", "may") is too weak.
	if (hasDay && hasMonth) return { kind: 'year-implied' };
	return { kind: 'not-a-date' };
}

function addDays(d: YMD, days: number): YMD {
	const t = refDate(d);
	t.setDate(t.getDate() + days);
	return { year: t.getFullYear(), month: t.getMonth() + 1, day: t.getDate() };
}

function weekdayFrom(ref: YMD, weekday: number, direction: 'forward' | 'backward' | 'nearest'): YMD {
	const current = refDate(ref).getDay();
	const ahead = (weekday - current + 7) % 7 || 7;
	const behind = (current - weekday + 7) % 7 || 7;
	if (direction === 'forward') return addDays(ref, ahead);
	if (direction === 'backward') return addDays(ref, -behind);
	return addDays(ref, ahead <= behind ? ahead : -behind);
}

function isoDay(d: YMD): string {
	return `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
}

/**
 * Merges "between 2 January 2023 and 3 February 2023" (chrono returns two dates) into one range, and
 * gives "between 2 and 5 May 2024" (chrono sees only "5 May 2024") its first day.
 */
function rangeStartDay(text: string, r: ParsedResult): number | undefined {
	const m = /\b(?:between|from)\s+(\d{1,2})(?:st|nd|rd|th)?\s+(?:and|to|until|through|[-–])\s*$/iu.exec(
		text.slice(Math.max(0, r.index - 30), r.index)
	);
	return m ? Number(m[1]) : undefined;
}

/** Every dated event in `text`, in text order. */
export function extractEvents(text: string, options: DateOptions = {}): DatedEvent[] {
	const parser = options.order === 'mdy' ? chronoMonthFirst : chronoDayFirst;
	const documentDate = parseIsoDate(options.documentDate);
	const results = parser.parse(text, documentDate ? refDate(documentDate) : new Date(2000, 0, 1, 12));
	const sentences = splitSentences(text);
	const sentenceAt = (index: number): Sentence =>
		sentences.find((s) => index >= s.start && index < s.end) ?? { text: text.trim(), start: 0, end: text.length };

	const events: DatedEvent[] = [];
	/** The last date the text states outright: what "two days later" counts from. */
	let narrativeAnchor: YMD | undefined;
	for (let i = 0; i < results.length; i++) {
		const r = results[i]!;
		let end = r.index + r.text.length;
		const kind = classify(text, r);
		const before = text.slice(Math.max(0, r.index - 24), r.index);
		const approximate = APPROXIMATE_BEFORE.test(before) || APPROXIMATE_BEFORE.test(r.text.split(/\s/u)[0] ?? '');
		let date: string | undefined;
		let endDate: string | undefined;
		let precision: DatePrecision = 'day';
		let inferred = false;
		switch (kind.kind) {
			case 'not-a-date':
				continue;
			case 'absolute': {
				precision = kind.precision;
				date = isoOf(r.start, precision);
				if (r.end) endDate = isoOf(r.end, precision);
				const next = results[i + 1];
				const gap = next ? text.slice(end, next.index) : '';
				if (
					!endDate &&
					next &&
					/^\s*(?:and|to|until|till|through|[-–])\s*$/iu.test(gap) &&
					/\b(?:between|from)\s*$/iu.test(before) &&
					classify(text, next).kind === 'absolute'
				) {
					endDate = isoOf(next.start, precision);
					end = next.index + next.text.length;
					i++;
				}
				const firstDay = rangeStartDay(text, r);
				if (!endDate && firstDay !== undefined && precision === 'day' && firstDay < (r.start.get('day') ?? 0)) {
					endDate = date;
					date = `${date.slice(0, 8)}${pad(firstDay)}`;
				}
				if (precision === 'day') narrativeAnchor = ymdOf(r.start);
				break;
			}
			case 'year-implied':
				if (!documentDate) continue;
				date = isoOf(r.start, 'day');
				if (r.end) endDate = isoOf(r.end, 'day');
				inferred = true;
				break;
			case 'relative-document':
				if (!documentDate) continue;
				date = isoOf(r.start, 'day');
				inferred = true;
				break;
			case 'relative-narrative': {
				const anchor = narrativeAnchor ?? documentDate;
				if (!anchor) continue;
				const again = parser.parse(r.text, refDate(anchor))[0];
				if (!again) continue;
				date = isoOf(again.start, 'day');
				inferred = true;
				break;
			}
			case 'weekday': {
				const anchor = narrativeAnchor ?? documentDate;
				const weekday = r.start.get('weekday');
				if (!anchor || weekday === null) continue;
				date = isoDay(weekdayFrom(anchor, weekday, kind.direction));
				inferred = true;
				break;
			}
		}
		const sentence = sentenceAt(r.index);
		const names = findNames(sentence.text);
		events.push({
			date,
			...(endDate && endDate !== date ? { endDate } : {}),
			precision,
			sentence: sentence.text,
			people: names.people,
			organisations: names.organisations,
			inferred,
			approximate,
			phrase: text.slice(r.index, end),
			start: r.index,
			end
		});
	}
	return events;
}

/** Events in date order: a vaguer date sorts at its first day ("2024-03" as 1 March), after a precise one there. */
export function compareEvents(
	a: Pick<DatedEvent, 'date' | 'precision'>,
	b: Pick<DatedEvent, 'date' | 'precision'>
): number {
	const rank: Record<DatePrecision, number> = { day: 0, month: 1, year: 2 };
	const padded = (e: Pick<DatedEvent, 'date'>) => `${e.date}-01-01`.slice(0, 10);
	return padded(a).localeCompare(padded(b)) || rank[a.precision] - rank[b.precision];
}

/** Text of one page, or a chunk of one (`start`: where the text begins in the page text). */
export interface PageText {
	page: number;
	start: number;
	text: string;
	/**
	 * For a chunk holding the reader's text (hyphenated words joined): where it and the page text differ
	 * (`ChunkRow.shifts`) and where it ends in the page text, so events land on the page's characters.
	 */
	shifts?: readonly number[];
	end?: number;
}

/** An event located in its document: `start` and `end` are page-text offsets, as citations use. */
export interface PageEvent extends DatedEvent {
	page: number;
}

/**
 * The events of one document from its chunks (or whole pages), in document order. Chunks overlap, so
 * an event read from two chunks (the same page and range) is kept once.
 */
export function eventsOfDocument(texts: readonly PageText[], options: DateOptions = {}): PageEvent[] {
	const seen = new Set<string>();
	const out: PageEvent[] = [];
	for (const t of texts)
		for (const e of extractEvents(t.text, options)) {
			const [start, end] = t.shifts
				? pageRange({ start: t.start, end: t.end ?? Number.MAX_SAFE_INTEGER, shifts: t.shifts }, e.start, e.end)
				: [t.start + e.start, t.start + e.end];
			const located = { ...e, page: t.page, start, end };
			const key = `${located.page}:${located.start}:${located.end}`;
			if (seen.has(key)) continue;
			seen.add(key);
			out.push(located);
		}
	return out.sort((a, b) => a.page - b.page || a.start - b.start);
}
