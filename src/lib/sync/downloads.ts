import type { DocketDatabase } from '../db/database.ts';
import type { FileStore } from '../db/file-store.ts';
import { sha256Hex } from '../db/hash.ts';
import type { DocumentRow } from '../db/schema.ts';
import { DownloadChecksumError, SyncAuthError, SyncServerError } from '../errors.ts';
import type { SyncApi } from './api-client.ts';

/**
 * Pulled documents arrive as rows; their original bytes follow in the background. Each file comes down
 * in Range parts, each kept in `syncState` as it arrives, so a broken connection or a reload costs at most
 * one part. The finished bytes must hash
 * to the document's SHA-256 before they enter the content-addressed file store.
 */

const PARTIAL_PREFIX = 'sync.download:';
export const DOWNLOAD_PART_BYTES = 8 * 1024 * 1024;

/** Documents the server has (rev > 0) whose bytes this device does not hold yet. */
export async function missingFiles(db: DocketDatabase): Promise<DocumentRow[]> {
	const candidates = await db.documents.filter((doc) => doc.rev > 0 && /^[0-9a-f]{64}$/.test(doc.sha256)).toArray();
	const missing: DocumentRow[] = [];
	const seen = new Set<string>();
	for (const doc of candidates) {
		if (seen.has(doc.sha256)) continue;
		seen.add(doc.sha256);
		if (!(await db.files.get(doc.sha256))) missing.push(doc);
	}
	return missing;
}

/** Parts kept so far, in order: one `syncState` row per part, so each write stores only its own bytes. */
async function readParts(db: DocketDatabase, sha256: string): Promise<Blob[]> {
	const rows = await db.syncState.where('key').startsWith(`${PARTIAL_PREFIX}${sha256}:`).sortBy('key');
	return rows.flatMap((row) => (row.value instanceof Blob ? [row.value] : []));
}

async function dropParts(db: DocketDatabase, sha256: string): Promise<void> {
	await db.syncState.where('key').startsWith(`${PARTIAL_PREFIX}${sha256}:`).delete();
}

const partKey = (sha256: string, index: number) => `${PARTIAL_PREFIX}${sha256}:${String(index).padStart(8, '0')}`;

export interface DownloadOptions {
	partBytes?: number;
	/** Waits before each retry of a part; a network error gets this many tries. */
	retryDelays?: readonly number[];
	sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Fetches one document's bytes, resuming from what an earlier attempt kept, checks the SHA-256 and
 * stores them. Resolves once the bytes are in the file store (at once if they already are).
 */
export async function downloadDocumentFile(
	db: DocketDatabase,
	files: FileStore,
	api: SyncApi,
	doc: Pick<DocumentRow, 'id' | 'sha256' | 'name' | 'size' | 'mimeType'>,
	{ partBytes = DOWNLOAD_PART_BYTES, retryDelays = [500, 2000, 5000], sleep = wait }: DownloadOptions = {}
): Promise<void> {
	if (await db.files.get(doc.sha256)) return;
	const blobs = await readParts(db, doc.sha256);
	let received = blobs.reduce((sum, blob) => sum + blob.size, 0);
	let total = doc.size > 0 ? doc.size : undefined;
	if (total !== undefined && received > total) {
		await dropParts(db, doc.sha256);
		blobs.length = 0;
		received = 0;
	}
	let whole: Blob | undefined;
	while (total === undefined || received < total) {
		const range = { start: received, end: received + partBytes - 1 };
		let part: { blob: Blob; total: number } | undefined;
		for (let attempt = 0; ; attempt++) {
			try {
				part = await api.downloadFile(doc.id, range);
				break;
			} catch (error) {
				// A refused token or a missing file will not change by retrying now; the next sync tries again.
				if (error instanceof SyncAuthError || error instanceof SyncServerError || attempt >= retryDelays.length)
					throw error;
				await sleep(retryDelays[attempt] ?? 0);
			}
		}
		total = part.total;
		if (part.blob.size === total) {
			// A server that ignored the range sent the whole file.
			whole = part.blob;
			break;
		}
		if (part.blob.size === 0) throw new SyncServerError('The server sent an empty part of a file.', 200);
		await db.syncState.put({ key: partKey(doc.sha256, blobs.length), value: part.blob });
		blobs.push(part.blob);
		received += part.blob.size;
	}
	const bytes = whole ?? new Blob(blobs, { type: doc.mimeType });
	if ((await sha256Hex(bytes)) !== doc.sha256) {
		await dropParts(db, doc.sha256);
		throw new DownloadChecksumError(doc.name);
	}
	// Bytes before the row, as `storeOriginal` does: a `files` row always means the bytes exist.
	await files.put(doc.sha256, bytes);
	await db.files.put({
		sha256: doc.sha256,
		size: bytes.size,
		mimeType: doc.mimeType,
		store: files.kind,
		createdAt: Date.now()
	});
	await dropParts(db, doc.sha256);
}

/** Downloads every missing file, one after another; a failure on one file does not stop the rest. */
export async function downloadMissing(
	db: DocketDatabase,
	files: FileStore,
	api: SyncApi,
	options?: DownloadOptions
): Promise<{ downloaded: number; failed: Error[] }> {
	let downloaded = 0;
	const failed: Error[] = [];
	for (const doc of await missingFiles(db)) {
		try {
			await downloadDocumentFile(db, files, api, doc, options);
			downloaded++;
		} catch (error) {
			if (error instanceof SyncAuthError) throw error;
			failed.push(error instanceof Error ? error : new Error(String(error)));
		}
	}
	return { downloaded, failed };
}
