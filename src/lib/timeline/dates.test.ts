import { describe, expect, it } from 'vitest';
import { compareEvents, eventsOfDocument, extractEvents, type DateOptions } from './dates.ts';

type Row = [
	text: string,
	options: DateOptions,
	expected: { date: string; endDate?: string; precision?: string; inferred?: boolean; approximate?: boolean }[]
];

// A Friday: "the following Tuesday" is 2024-03-05, "yesterday" 2024-02-29.
const LETTER_DATE = '2024-03-01';

const TABLE: Row[] = [
	['The meeting on 3 March 2024 was cancelled.', {}, [{ date: '2024-03-03', precision: 'day', inferred: false }]],
	['Signed March 3, 2024 by both parties.', {}, [{ date: '2024-03-03' }]],
	['Served the 3rd of March, 2024.', {}, [{ date: '2024-03-03' }]],
	['Dated 03/03/2024.', {}, [{ date: '2024-03-03' }]],
	// Ambiguous day/month: the order setting decides.
	['Dated 04/03/2024.', { order: 'dmy' }, [{ date: '2024-03-04' }]],
	['Dated 04/03/2024.', { order: 'mdy' }, [{ date: '2024-04-03' }]],
	['On 12.3.2024 the notice issued.', { order: 'dmy' }, [{ date: '2024-03-12' }]],
	// Unambiguous whichever order is set.
	['Dated 25/12/2023.', { order: 'mdy' }, [{ date: '2023-12-25' }]],
	['Filed 2024-03-05.', {}, [{ date: '2024-03-05' }]],
	['On or about 12 June 2023 he left the premises.', {}, [{ date: '2023-06-12', approximate: true }]],
	['In March 2024 the works stopped.', {}, [{ date: '2024-03', precision: 'month' }]],
	['The site was closed from 1 to 5 May 2024.', {}, [{ date: '2024-05-01', endDate: '2024-05-05' }]],
	['The site was closed between 2 and 5 May 2024.', {}, [{ date: '2024-05-02', endDate: '2024-05-05' }]],
	[
		'Rent was unpaid between January 2, 2023 and February 3, 2023.',
		{},
		[{ date: '2023-01-02', endDate: '2023-02-03' }]
	],
	['The term ran from 1 March 2024 until 3 April 2024.', {}, [{ date: '2024-03-01', endDate: '2024-04-03' }]],
	// Relative dates: resolved against the document's date and marked inferred, dropped without one.
	['He called the following Tuesday.', { documentDate: LETTER_DATE }, [{ date: '2024-03-05', inferred: true }]],
	['He called the following Tuesday.', {}, []],
	['The parcel arrived yesterday.', { documentDate: LETTER_DATE }, [{ date: '2024-02-29', inferred: true }]],
	['The parcel arrived yesterday.', {}, []],
	['We spoke on March 3 about the invoice.', { documentDate: LETTER_DATE }, [{ date: '2024-03-03', inferred: true }]],
	['We spoke on March 3 about the invoice.', {}, []],
	// Narrative-relative dates count from the last date the text states.
	[
		'The notice was served on 10 January 2024. Two days later the tenant left. The following Monday the locks were changed.',
		{},
		[{ date: '2024-01-10' }, { date: '2024-01-12', inferred: true }, { date: '2024-01-15', inferred: true }]
	],
	// False positives that must not count.
	['Under § 12.3 and Section 4.2 the sum of $12,500 is due.', {}, []],
	['See Section 4.2.2024 and clause 3/4 of the schedule.', {}, []],
	['This is Case No. 12-2024 before the tribunal.', {}, []],
	['He paid 1/2 of the shares and 3/4 of the debt, 2024 dollars in all, for 15 items at 10 am.', {}, []],
	['Either party may terminate now. Rule 12(b)(6), pp. 3-4, page 12 of 30, 12.5% interest.', {}, []],
	['He sat on Sat. with June and May Smith.', { documentDate: LETTER_DATE }, []]
];

describe('extractEvents', () => {
	it.each(TABLE)('%s %j', (text, options, expected) => {
		const events = extractEvents(text, options);
		expect(
			events.map((e) => ({
				date: e.date,
				endDate: e.endDate,
				precision: e.precision,
				inferred: e.inferred,
				approximate: e.approximate
			}))
		).toEqual(
			expected.map((e) => ({ precision: 'day', inferred: false, approximate: false, endDate: undefined, ...e }))
		);
	});

	it('gives each event its sentence, its phrase range and the people the sentence names', () => {
		const text =
			'Background. On 3 March 2024 Mr. John A. Smith wrote to Maria de la Cruz (maria.cruz@Example.com) about the Lease. The Supreme Court ruled on 5 April 2024.';
		const events = extractEvents(text);
		expect(events).toHaveLength(2);
		expect(events[0]!.sentence).toBe(
			'On 3 March 2024 Mr. John A. Smith wrote to Maria de la Cruz (maria.cruz@Example.com) about the Lease.'
		);
		expect(text.slice(events[0]!.start, events[0]!.end)).toBe(events[0]!.phrase);
		expect(events[0]!.people).toEqual(['maria.cruz@example.com', 'John A. Smith', 'Maria de la Cruz']);
		expect(events[1]!.people).toEqual([]);
	});

	it('ignores a malformed document date rather than guessing', () => {
		expect(extractEvents('The parcel arrived yesterday.', { documentDate: '2024-02-30' })).toEqual([]);
	});
});

describe('compareEvents', () => {
	it('sorts by date, a more precise date before a vaguer one at the same start', () => {
		const events = [
			{ date: '2024-03', precision: 'month' as const },
			{ date: '2023-12-31', precision: 'day' as const },
			{ date: '2024-03-01', precision: 'day' as const },
			{ date: '2024', precision: 'year' as const },
			{ date: '2024-01-01', precision: 'day' as const }
		];
		expect(events.sort(compareEvents).map((e) => e.date)).toEqual([
			'2023-12-31',
			'2024-01-01',
			'2024',
			'2024-03-01',
			'2024-03'
		]);
	});
});

describe('eventsOfDocument', () => {
	it('keeps an event read from two overlapping chunks once, at its page offsets', () => {
		const page = 'Preamble text. The lease was signed on 3 March 2024 by Jane Doe. It ended on 1 May 2025.';
		const at = page.indexOf('The lease');
		const chunks = [
			{ page: 2, start: 0, text: page.slice(0, page.indexOf(' It ended')) },
			{ page: 2, start: at, text: page.slice(at) }
		];
		const events = eventsOfDocument(chunks);
		expect(events.map((e) => [e.page, e.date, page.slice(e.start, e.end)])).toEqual([
			[2, '2024-03-03', 'on 3 March 2024'],
			[2, '2025-05-01', 'on 1 May 2025']
		]);
		expect(events[0]!.people).toEqual(['Jane Doe']);
	});
});

describe("events of a chunk in the reader's text", () => {
	it("land on the page text's characters, through the chunk's shifts", () => {
		const page = 'Intro. The agree-\nment was signed on 3 March 2024.';
		const clean = 'Intro. The agreement was signed on 3 March 2024.';
		// From the clean "ment" on, page offsets are 2 further (the hyphen and the line break).
		const joined = clean.indexOf('ment');
		const [event] = eventsOfDocument([
			{ page: 1, start: 0, end: page.length, text: clean, shifts: [joined, clean.length, 2] }
		]);
		expect(page.slice(event!.start, event!.end)).toBe('on 3 March 2024');
	});
});
