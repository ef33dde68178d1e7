import { describe, expect, it } from 'vitest';
import { eventsOfDocument } from './dates.ts';
import { documentDateOf } from './document-date.ts';

const page = (text: string) => [{ page: 1, text }];

describe("a document's own date", () => {
	it('is a date alone on a line near the top of the first page', () => {
		expect(documentDateOf(page('Smith & Partners LLP\n1 March 2024\n\nDear Sir,'), 'dmy')).toBe('2024-03-01');
		expect(documentDateOf(page('Dated: 04/03/2024\nNotice to quit'), 'dmy')).toBe('2024-03-04');
		expect(documentDateOf(page('Dated: 04/03/2024\nNotice to quit'), 'mdy')).toBe('2024-04-03');
		expect(documentDateOf(page('London, 1 March 2024.\n\nDear Madam,'), 'dmy')).toBe('2024-03-01');
	});

	it('is not a date inside a sentence, a range, a month alone, or a date far down the page', () => {
		expect(documentDateOf(page('We met on 1 March 2024 to discuss the lease.'), 'dmy')).toBeUndefined();
		expect(documentDateOf(page('1 to 5 May 2024'), 'dmy')).toBeUndefined();
		expect(documentDateOf(page('March 2024\nMinutes'), 'dmy')).toBeUndefined();
		expect(documentDateOf(page(`${'Body text. '.repeat(80)}\n1 March 2024`), 'dmy')).toBeUndefined();
		expect(documentDateOf([], 'dmy')).toBeUndefined();
	});

	it('lets relative dates in the document resolve against it, marked inferred', () => {
		const pages = [{ page: 1, start: 0, text: '1 March 2024\n\nDear Sir,\nThe tenant called the following Tuesday.' }];
		const documentDate = documentDateOf(pages, 'dmy');
		const events = eventsOfDocument(pages, { order: 'dmy', ...(documentDate ? { documentDate } : {}) });
		expect(events.map((e) => [e.date, e.inferred])).toEqual([
			['2024-03-01', false],
			['2024-03-05', true]
		]);
	});
});
