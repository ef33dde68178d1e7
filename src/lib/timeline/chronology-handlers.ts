import type { DocketDatabase } from '../db/database.ts';
import { groupNearDuplicates } from '../duplicates/groups.ts';
import { sideBySide } from '../duplicates/word-diff.ts';
import { InvalidInputError, MissingRecordError } from '../errors.ts';
import type { Handlers } from '../worker/transport.ts';
import type { ChronologyStore } from './chronology-store.ts';
import type { ChronologyCalls } from './protocol.ts';

/** A document's text for comparison: its pages as extracted where this device has them, else its chunks. */
async function documentText(db: DocketDatabase, caseId: string, documentId: string): Promise<string> {
	const doc = await db.documents.get(documentId);
	if (!doc || doc.caseId !== caseId) throw new MissingRecordError('The document');
	const pages = await db.pages
		.where('[documentId+page]')
		.between([documentId, -Infinity], [documentId, Infinity])
		.toArray();
	if (pages.length > 0) return pages.map((p) => p.text).join('\n\n');
	// Pulled from a teammate: chunks overlap, so only the part of each past the previous one's end is taken.
	const chunks = await db.chunks
		.where('[documentId+ordinal]')
		.between([documentId, -Infinity], [documentId, Infinity])
		.toArray();
	let out = '';
	let page = 0;
	let reached = 0;
	for (const c of chunks) {
		if (c.page !== page) {
			if (out) out += '\n\n';
			page = c.page;
			reached = c.start;
		}
		out += c.text.slice(Math.max(0, reached - c.start));
		reached = Math.max(reached, c.end);
	}
	return out;
}

/** The chronology worker's handlers over one store; tests run them without a worker. */
export function createChronologyHandlers(db: DocketDatabase, store: ChronologyStore): Handlers<ChronologyCalls> {
	return {
		refresh: ({ caseId }) => store.refreshCase(caseId),
		async duplicates({ caseId, threshold }) {
			if (!(threshold > 0 && threshold <= 1))
				throw new InvalidInputError(
					`A similarity threshold of ${threshold} cannot be used.`,
					'Choose a threshold above 0 and at most 1.'
				);
			await store.refreshCase(caseId);
			const digests = await db.digests.where('caseId').equals(caseId).toArray();
			return groupNearDuplicates(
				digests.flatMap((d) => (d.signature ? [{ id: d.documentId, signature: d.signature }] : [])),
				{ threshold }
			);
		},
		async compare({ caseId, left, right }) {
			const [a, b] = await Promise.all([documentText(db, caseId, left), documentText(db, caseId, right)]);
			return sideBySide(a, b);
		}
	};
}
