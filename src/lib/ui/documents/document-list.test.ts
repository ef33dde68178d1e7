import { describe, expect, it } from 'vitest';
import type { DocumentStatus } from '../../db/schema.ts';
import { countParts, statusCounts, visibleDocuments } from './document-list.ts';

const doc = (name: string, status: DocumentStatus, pages: number | undefined, createdAt: number) => ({
	name,
	status,
	pages,
	createdAt
});
const docs = [
	doc('exhibit-10.pdf', 'indexed', 3, 3),
	doc('Exhibit-2.pdf', 'needs-password', undefined, 1),
	doc('écrit.pdf', 'no-text', 7, 2),
	doc('brief.pdf', 'indexed', 12, 4)
];

describe('documents list', () => {
	it('counts each status in a sentence, in the order of the statuses', () => {
		expect(countParts(statusCounts(docs)).map((p) => p.text)).toEqual([
			'2 indexed',
			'1 needs a password',
			'1 scanned (no text layer)'
		]);
		expect(countParts(statusCounts([docs[1]!, docs[1]!])).map((p) => p.text)).toEqual(['2 need a password']);
	});

	it('sorts by date added, name (numbers as numbers), pages and status', () => {
		const names = (sort: 'added' | 'name' | 'pages' | 'status') =>
			visibleDocuments(docs, { status: undefined, find: '', sort }).map((d) => d.name);
		expect(names('added')).toEqual(['brief.pdf', 'exhibit-10.pdf', 'écrit.pdf', 'Exhibit-2.pdf']);
		expect(names('name')).toEqual(['brief.pdf', 'écrit.pdf', 'Exhibit-2.pdf', 'exhibit-10.pdf']);
		expect(names('pages')).toEqual(['brief.pdf', 'écrit.pdf', 'exhibit-10.pdf', 'Exhibit-2.pdf']);
		expect(names('status')).toEqual(['brief.pdf', 'exhibit-10.pdf', 'Exhibit-2.pdf', 'écrit.pdf']);
	});

	it('filters by status and finds by name regardless of case and accents', () => {
		expect(visibleDocuments(docs, { status: 'indexed', find: '', sort: 'name' }).map((d) => d.name)).toEqual([
			'brief.pdf',
			'exhibit-10.pdf'
		]);
		expect(visibleDocuments(docs, { status: undefined, find: ' EXHIBIT ', sort: 'name' }).map((d) => d.name)).toEqual([
			'Exhibit-2.pdf',
			'exhibit-10.pdf'
		]);
		expect(visibleDocuments(docs, { status: undefined, find: 'ecrit', sort: 'name' })).toHaveLength(1);
		expect(visibleDocuments(docs, { status: 'failed', find: '', sort: 'name' })).toEqual([]);
	});
});
