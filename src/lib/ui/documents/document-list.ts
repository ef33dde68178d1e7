import { DOCUMENT_STATUSES, type DocumentRow, type DocumentStatus } from '../../db/schema.ts';

/** How the documents list can be ordered. */
export const DOCUMENT_SORTS = [
	{ id: 'added', label: 'Date added (newest first)' },
	{ id: 'name', label: 'Name' },
	{ id: 'pages', label: 'Pages (most first)' },
	{ id: 'status', label: 'Status' }
] as const;
export type DocumentSort = (typeof DOCUMENT_SORTS)[number]['id'];

/** A status as counted in a sentence: "281 indexed · 12 need a password · 7 scanned". */
const COUNTED: Record<DocumentStatus, [one: string, many: string]> = {
	queued: ['queued', 'queued'],
	extracting: ['being read', 'being read'],
	embedding: ['being embedded', 'being embedded'],
	indexed: ['indexed', 'indexed'],
	'needs-password': ['needs a password', 'need a password'],
	'no-text': ['scanned (no text layer)', 'scanned (no text layer)'],
	damaged: ['damaged', 'damaged'],
	unsupported: ['unsupported', 'unsupported'],
	failed: ['failed', 'failed']
};

export function statusCounts(documents: readonly Pick<DocumentRow, 'status'>[]): Map<DocumentStatus, number> {
	const counts = new Map<DocumentStatus, number>();
	for (const d of documents) counts.set(d.status, (counts.get(d.status) ?? 0) + 1);
	return counts;
}

/** The statuses present, in the order of DOCUMENT_STATUSES, as "12 need a password" parts. */
export function countParts(counts: Map<DocumentStatus, number>): { status: DocumentStatus; text: string }[] {
	return DOCUMENT_STATUSES.flatMap((status) => {
		const n = counts.get(status) ?? 0;
		if (n === 0) return [];
		const [one, many] = COUNTED[status];
		return [{ status, text: `${n} ${n === 1 ? one : many}` }];
	});
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
const statusOrder = new Map(DOCUMENT_STATUSES.map((s, i) => [s, i]));

/**
 * The rows to show: those of `status` (all when undefined) whose name contains `find` (any case, any
 * accents), in the chosen order; ties fall back to the name, so the order never jumps between renders.
 */
export function visibleDocuments<T extends Pick<DocumentRow, 'name' | 'status' | 'pages' | 'createdAt'>>(
	documents: readonly T[],
	{ status, find, sort }: { status: DocumentStatus | undefined; find: string; sort: DocumentSort }
): T[] {
	const needle = fold(find.trim());
	const byName = (a: T, b: T) => collator.compare(a.name, b.name);
	const compare: Record<DocumentSort, (a: T, b: T) => number> = {
		added: (a, b) => b.createdAt - a.createdAt || byName(a, b),
		name: byName,
		pages: (a, b) => (b.pages ?? -1) - (a.pages ?? -1) || byName(a, b),
		status: (a, b) => (statusOrder.get(a.status) ?? 0) - (statusOrder.get(b.status) ?? 0) || byName(a, b)
	};
	return documents
		.filter((d) => (status === undefined || d.status === status) && (needle === '' || fold(d.name).includes(needle)))
		.sort(compare[sort]);
}

function fold(text: string): string {
	return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();
}
