import { DocketDatabase } from '../db/database.ts';
import { IndexedDbFileStore } from '../db/file-store.ts';

/** A fresh database with a unique name, so tests never see each other's rows. */
export async function freshDatabase(): Promise<DocketDatabase> {
	const db = new DocketDatabase(`test-${crypto.randomUUID()}`);
	await db.open();
	return db;
}

export async function freshStore() {
	const db = await freshDatabase();
	return { db, store: new IndexedDbFileStore(db) };
}
