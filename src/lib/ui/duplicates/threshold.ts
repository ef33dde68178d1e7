import type { DocketDatabase } from '../../db/database.ts';
import { DEFAULT_THRESHOLD } from '../../duplicates/groups.ts';

/** The Jaccard threshold near-duplicate groups use, kept in Settings on this device. */
export const THRESHOLD_KEY = 'duplicates.threshold';

export async function readThreshold(db: DocketDatabase): Promise<number> {
	const value = (await db.settings.get(THRESHOLD_KEY))?.value;
	return typeof value === 'number' && value > 0 && value <= 1 ? value : DEFAULT_THRESHOLD;
}

export async function saveThreshold(db: DocketDatabase, threshold: number): Promise<void> {
	await db.settings.put({ key: THRESHOLD_KEY, value: threshold });
}
