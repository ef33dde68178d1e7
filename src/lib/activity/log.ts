import type { DocketDatabase } from '../db/database.ts';
import type { ActivityKind, ActivityRow } from '../db/schema.ts';

/**
 * The case's activity log (searches, opened pages, questions …), kept only on this device: it is not in
 * the outbox and never syncs.
 */
export async function logActivity(
	db: DocketDatabase,
	caseId: string,
	kind: ActivityKind,
	summary: string,
	detail?: Record<string, string | number>,
	at = Date.now()
): Promise<void> {
	const row: ActivityRow = { caseId, kind, at, summary };
	if (detail) row.detail = detail;
	await db.activity.add(row);
}

/** Newest first. */
export function listActivity(db: DocketDatabase, caseId: string, limit = 200): Promise<ActivityRow[]> {
	return db.activity
		.where('[caseId+at]')
		.between([caseId, -Infinity], [caseId, Infinity])
		.reverse()
		.limit(limit)
		.toArray();
}

export async function clearActivity(db: DocketDatabase, caseId: string): Promise<number> {
	return db.activity.where('caseId').equals(caseId).delete();
}

/** Sentences the Activity tab shows. */
export const activitySummary = {
	search: (query: string, results: number) =>
		`Searched “${query}” (${results} ${results === 1 ? 'result' : 'results'})`,
	openPage: (documentName: string, page: number) => `Opened ${documentName}, p. ${page}`,
	question: (question: string) => `Asked “${question}”`
};
