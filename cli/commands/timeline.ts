import { parseArgs } from 'node:util';
import { expandPaths, ingestAll } from '../../src/lib/ingest/ingest-file.node.ts';
import { hasPages } from '../../src/lib/ingest/types.ts';
import { compareEvents, eventsOfDocument, type DatePrecision } from '../../src/lib/timeline/dates.ts';
import { documentDateOf } from '../../src/lib/timeline/document-date.ts';
import { organisationOf } from '../../src/lib/timeline/people.ts';
import { UsageError, type Command } from '../command.ts';

/** One line of `docket timeline --json`. */
export interface TimelineLine {
	date: string;
	endDate?: string;
	precision: DatePrecision;
	file: string;
	page: number;
	sentence: string;
	people: string[];
	organisations: string[];
	inferred: boolean;
	approximate: boolean;
	/** The date as written. */
	phrase: string;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/u;

export const timelineCommand: Command = {
	name: 'timeline',
	summary: 'List the dated events in files, in date order (no model needed)',
	usage: `Usage: docket timeline --docs FILE|FOLDER… [--order dmy|mdy] [--document-date YYYY-MM-DD] [--json]

Extracts the files (the app's own extraction) and lists every dated event: its date, the sentence that
states it, the people and organisations that sentence names, the file and the page.
  --order O          how to read 04/03/2024: dmy (4 March, the default) or mdy (April 3)
  --document-date D  the documents' own date, against which relative dates ("the following Tuesday",
                     "yesterday") resolve. Without it, each file's own date where its first page states
                     one on a line of its own (a letter's date), else they are left out. Such events are
                     marked inferred.
  --json             one JSON line per event: { date, endDate?, precision, file, page, sentence, people,
                     organisations, inferred, approximate, phrase }`,
	async run(argv, io) {
		const { values, positionals } = parseArgs({
			args: argv,
			options: {
				docs: { type: 'string', multiple: true },
				order: { type: 'string', default: 'dmy' },
				'document-date': { type: 'string' },
				json: { type: 'boolean' }
			},
			allowPositionals: true,
			strict: true
		});
		const docs = [...(values.docs ?? []), ...positionals];
		if (docs.length === 0) throw new UsageError('Name the files to read with --docs.');
		const order = values.order === 'dmy' ? 'dmy' : values.order === 'mdy' ? 'mdy' : undefined;
		if (!order) throw new UsageError('--order must be dmy or mdy.');
		const documentDate = values['document-date'];
		if (documentDate !== undefined && (!ISO_DAY.test(documentDate) || Number.isNaN(Date.parse(documentDate))))
			throw new UsageError('--document-date must be a date written YYYY-MM-DD.');

		const lines: TimelineLine[] = [];
		const files = [
			...new Set(await expandPaths(docs, (skipped, why) => io.stderr(`docket timeline: ${skipped}: ${why}`)))
		];
		// Through ingestAll, so a mailbox's messages and a message's attachments have their events too.
		for await (const done of ingestAll(files, { ahead: 1 })) {
			if ('error' in done) {
				io.stderr(`docket timeline: cannot read ${done.file}: ${errorText(done.error)}`);
				continue;
			}
			const { extraction, file } = done.result;
			if (extraction.status !== 'indexed') {
				io.stderr(
					`docket timeline: ${extraction.status === 'no-text' ? 'no text in' : 'skipping'} ${file}: ${extraction.error}`
				);
			}
			if (!hasPages(extraction)) continue;
			// Whole pages, not chunks: chunks overlap and may cut the sentence that states a date.
			const pages = extraction.pages.map((p) => ({ page: p.page, start: 0, text: p.text }));
			const own = documentDate ?? documentDateOf(pages, order);
			for (const e of eventsOfDocument(pages, { order, ...(own ? { documentDate: own } : {}) }))
				lines.push({
					date: e.date,
					...(e.endDate ? { endDate: e.endDate } : {}),
					precision: e.precision,
					file,
					page: e.page,
					sentence: e.sentence,
					people: e.people,
					organisations: e.organisations,
					inferred: e.inferred,
					approximate: e.approximate,
					phrase: e.phrase
				});
		}
		// As in the app: a name the files also write with a legal suffix is that organisation everywhere.
		const organisations = new Set(lines.flatMap((l) => l.organisations));
		for (const l of lines) {
			const moved = l.people.flatMap((p) => organisationOf(p, organisations) ?? []);
			if (moved.length === 0) continue;
			l.people = l.people.filter((p) => organisationOf(p, organisations) === undefined);
			l.organisations = [...new Set([...l.organisations, ...moved])];
		}
		// Stable: events on the same date keep file and page order.
		lines.sort(compareEvents);
		for (const l of lines) {
			if (values.json) io.stdout(JSON.stringify(l));
			else {
				const date = l.endDate ? `${l.date} – ${l.endDate}` : l.date;
				const marks = `${l.approximate ? ' (about)' : ''}${l.inferred ? ' (inferred)' : ''}`;
				io.stdout(`${date}${marks}  ${l.file} p. ${l.page}: ${l.sentence.replace(/\s+/gu, ' ').slice(0, 120)}`);
			}
		}
		return 0;
	}
};

function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
