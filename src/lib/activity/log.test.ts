import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../testing/db.ts';
import { activitySummary, clearActivity, listActivity, logActivity } from './log.ts';

describe('activity log', () => {
	it('records per case, lists newest first, and clears one case only', async () => {
		const db = await freshDatabase();
		await logActivity(db, 'c1', 'search', activitySummary.search('rent', 3), { query: 'rent' }, 1);
		await logActivity(db, 'c1', 'open-page', activitySummary.openPage('lease.pdf', 4), undefined, 2);
		await logActivity(db, 'c2', 'question', activitySummary.question('Who?'), undefined, 3);
		expect((await listActivity(db, 'c1')).map((r) => r.summary)).toEqual([
			'Opened lease.pdf, p. 4',
			'Searched “rent” (3 results)'
		]);
		expect(await clearActivity(db, 'c1')).toBe(2);
		expect(await listActivity(db, 'c1')).toEqual([]);
		expect(await listActivity(db, 'c2')).toHaveLength(1);
		await db.delete();
	});
});
