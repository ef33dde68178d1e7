import { Dexie } from 'dexie';
import { DocketDatabase } from './database.ts';
import { isQuotaError, StorageFullError, StorageUnavailableError, type DocketError } from '../errors.ts';

export type OpenResult = { ok: true; db: DocketDatabase } | { ok: false; error: DocketError };

/**
 * Opens the local database, turning every way it can fail into a message a person can act on:
 * no IndexedDB (some private windows), blocked by an older tab, quota exhausted, or storage disabled.
 */
export async function openDatabase(name?: string): Promise<OpenResult> {
	if (typeof indexedDB === 'undefined')
		return { ok: false, error: new StorageUnavailableError('This browser gives Docket no local database.') };
	const db = new DocketDatabase(name);
	try {
		await db.open();
		return { ok: true, db };
	} catch (error) {
		db.close();
		return { ok: false, error: classifyOpenError(error) };
	}
}

export function classifyOpenError(error: unknown): DocketError {
	if (isQuotaError(error)) return new StorageFullError(error);
	const name = error instanceof Dexie.DexieError ? error.name : error instanceof Error ? error.name : '';
	if (name === 'VersionError')
		return new StorageUnavailableError(
			'Docket’s local data was written by a newer version of Docket, which this page cannot read.',
			error
		);
	if (name === 'DatabaseClosedError' || name === 'OpenFailedError' || name === 'BlockedError')
		return new StorageUnavailableError(
			'Docket could not open its local database: another tab may be upgrading it, or the browser blocks site storage.',
			error
		);
	return new StorageUnavailableError('Docket could not open its local database.', error);
}
