/**
 * The case's passages as the case summary's quotations are checked against them (marks.ts
 * `checkCaseSummary`): every chunk of the case's documents, named as a citation names it.
 */
import type { DocketDatabase } from '../db/database.ts';
import { formatPage } from '../ingest/page-label.ts';
import type { CasePassage } from './marks.ts';

export async function casePassages(db: DocketDatabase, caseId: string): Promise<CasePassage[]> {
	const [documents, chunks] = await Promise.all([
		db.documents.where('caseId').equals(caseId).toArray(),
		db.chunks.where('caseId').equals(caseId).toArray()
	]);
	const names = new Map(documents.map((d) => [d.id, d.name]));
	return chunks
		.filter((c) => names.has(c.documentId))
		.sort((a, b) => (a.documentId < b.documentId ? -1 : a.documentId > b.documentId ? 1 : a.ordinal - b.ordinal))
		.map((c) => {
			const document = names.get(c.documentId)!;
			return { text: c.text, name: `${document}, ${formatPage(c)}`, document };
		});
}
