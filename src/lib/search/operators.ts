/**
 * Metadata operators in a search query, as mail programs have them: `from:`, `to:`, `cc:`, `subject:`,
 * `before:`/`after:` (a date, YYYY-MM-DD), `has:attachment`. They narrow the documents searched; the rest
 * of the query searches their text. A query of operators alone lists the matching messages, newest first.
 */
import type { MailAddress, MessageMeta } from '../ingest/email/types.ts';
import {
	searchCase,
	type PassageSource,
	type SearchBackend,
	type SearchOptions,
	type SearchResponse
} from './hybrid.ts';

export interface MetadataFilter {
	from: string[];
	to: string[];
	cc: string[];
	subject: string[];
	/** Milliseconds: messages sent before this instant (the start of the `before:` day, UTC). */
	before?: number;
	/** Milliseconds: messages sent at or after this instant (the start of the `after:` day, UTC). */
	after?: number;
	hasAttachment?: boolean;
}

export interface ParsedOperators {
	/** The query without its operators. */
	text: string;
	/** Absent when the query has no operator. */
	filter?: MetadataFilter;
	/** Operators that could not be read (a date that is not one), in words. */
	problems: string[];
}

const OPERATOR = /(^|\s)(from|to|cc|subject|before|after|has):("([^"]*)"?|\S*)/gi;

/** Midnight UTC of a YYYY-MM-DD (or YYYY/MM/DD) day, or undefined. */
export function dayStart(value: string): number | undefined {
	const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(value.trim());
	if (!m) return undefined;
	const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
	const d = new Date(ms);
	return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]) ? ms : undefined;
}

export function emptyFilter(): MetadataFilter {
	return { from: [], to: [], cc: [], subject: [] };
}

export function isEmptyFilter(f: MetadataFilter): boolean {
	return (
		f.from.length + f.to.length + f.cc.length + f.subject.length === 0 &&
		f.before === undefined &&
		f.after === undefined &&
		f.hasAttachment === undefined
	);
}

export function parseOperators(query: string): ParsedOperators {
	const filter = emptyFilter();
	const problems: string[] = [];
	const text = query
		.replace(OPERATOR, (_all, lead: string, rawKey: string, _v: string, quoted: string | undefined) => {
			const key = rawKey.toLowerCase();
			const value = (quoted ?? _v).trim();
			if (value === '') {
				problems.push(`${key}: needs a value`);
				return lead;
			}
			if (key === 'before' || key === 'after') {
				const at = dayStart(value);
				if (at === undefined) problems.push(`${key}:${value} is not a date (write YYYY-MM-DD)`);
				else filter[key] = at;
			} else if (key === 'has') {
				if (/^attachments?$/i.test(value)) filter.hasAttachment = true;
				else problems.push(`has:${value} is not known (has:attachment is)`);
			} else filter[key as 'from' | 'to' | 'cc' | 'subject'].push(value.toLowerCase());
			return lead;
		})
		.replace(/\s+/g, ' ')
		.trim();
	return isEmptyFilter(filter) ? { text, problems } : { text, filter, problems };
}

function addressMatches(addresses: readonly MailAddress[], wanted: string): boolean {
	return addresses.some((a) => a.address.includes(wanted) || (a.name ?? '').toLowerCase().includes(wanted));
}

/** Whether a document's message metadata passes the filter; a document that is no message never does. */
export function matchesFilter(meta: MessageMeta | undefined, filter: MetadataFilter): boolean {
	if (!meta) return false;
	if (!filter.from.every((w) => addressMatches(meta.from ? [meta.from] : [], w))) return false;
	if (!filter.to.every((w) => addressMatches(meta.to, w))) return false;
	if (!filter.cc.every((w) => addressMatches(meta.cc, w))) return false;
	if (!filter.subject.every((w) => meta.subject.toLowerCase().includes(w))) return false;
	if (filter.before !== undefined && !(meta.date !== undefined && meta.date < filter.before)) return false;
	if (filter.after !== undefined && !(meta.date !== undefined && meta.date >= filter.after)) return false;
	if (filter.hasAttachment && meta.attachments.length === 0) return false;
	return true;
}

/** A filter merged with another (the Search tab's fields and the query's operators): both must hold. */
export function mergeFilters(a: MetadataFilter | undefined, b: MetadataFilter | undefined): MetadataFilter | undefined {
	if (!a) return b;
	if (!b) return a;
	const later = (x?: number, y?: number) => (x === undefined ? y : y === undefined ? x : Math.max(x, y));
	const earlier = (x?: number, y?: number) => (x === undefined ? y : y === undefined ? x : Math.min(x, y));
	const before = earlier(a.before, b.before);
	const after = later(a.after, b.after);
	return {
		from: [...a.from, ...b.from],
		to: [...a.to, ...b.to],
		cc: [...a.cc, ...b.cc],
		subject: [...a.subject, ...b.subject],
		...(before === undefined ? {} : { before }),
		...(after === undefined ? {} : { after }),
		...(a.hasAttachment || b.hasAttachment ? { hasAttachment: true } : {})
	};
}

export interface MessageDocument {
	id: string;
	email?: MessageMeta;
}

/**
 * `searchCase` with metadata operators: the documents passing the filter (within `documentIds`, when
 * given) are searched for the rest of the query; with no text left, each one's header passage is listed,
 * newest first. `headerPassage` gives a document's header-block chunk.
 */
export async function searchWithOperators(
	backend: SearchBackend,
	query: string,
	options: SearchOptions & { filter?: MetadataFilter },
	/** The case's documents with their metadata, read only when the query or options filter by it. */
	documents: readonly MessageDocument[] | (() => Promise<readonly MessageDocument[]>),
	headerPassage: (documentId: string) => Promise<PassageSource | undefined>
): Promise<SearchResponse & { problems: string[] }> {
	const parsed = parseOperators(query);
	const filter = mergeFilters(parsed.filter, options.filter);
	const { filter: _f, ...rest } = options;
	// Only a query or search that filters by metadata pays for reading the documents.
	if (!filter) return { ...(await searchCase(backend, query, rest)), problems: parsed.problems };
	const allowed = options.documentIds ? new Set(options.documentIds) : undefined;
	const all = typeof documents === 'function' ? await documents() : documents;
	const matching = all.filter((d) => (!allowed || allowed.has(d.id)) && matchesFilter(d.email, filter));
	if (parsed.text === '') {
		const k = Math.max(0, Math.floor(options.k ?? 10));
		const sorted = [...matching].sort((a, b) => (b.email?.date ?? 0) - (a.email?.date ?? 0));
		const results = [];
		for (const d of sorted.slice(0, k)) {
			const passage = await headerPassage(d.id);
			if (passage) results.push({ ...passage, score: 0, highlights: [] as [number, number][] });
		}
		return {
			query,
			results,
			total: matching.length,
			perDocument: Object.fromEntries(matching.map((d) => [d.id, 1])),
			problems: parsed.problems
		};
	}
	const response = await searchCase(backend, parsed.text, { ...rest, documentIds: matching.map((d) => d.id) });
	return { ...response, query, problems: parsed.problems };
}
