import type { DocketDatabase } from './database.ts';
import { sha256Hex } from './hash.ts';
import type { FileRow } from './schema.ts';
import { isQuotaError, StorageFullError } from '../errors.ts';

/**
 * Where original bytes live. The contract is content-addressed: a file is named by its SHA-256, so the
 * same bytes are stored once however many documents refer to them.
 */
export interface FileStore {
	readonly kind: FileRow['store'];
	put(sha256: string, blob: Blob): Promise<void>;
	get(sha256: string): Promise<Blob | undefined>;
	delete(sha256: string): Promise<void>;
}

const OPFS_DIRECTORY = 'files';

/** Origin Private File System: fast, large, and out of IndexedDB's way. */
export class OpfsFileStore implements FileStore {
	readonly kind = 'opfs' as const;
	readonly #dir: FileSystemDirectoryHandle;

	private constructor(dir: FileSystemDirectoryHandle) {
		this.#dir = dir;
	}

	/** Resolves to undefined where OPFS is missing or cannot be written from this context. */
	static async open(): Promise<OpfsFileStore | undefined> {
		try {
			if (typeof navigator === 'undefined' || !navigator.storage?.getDirectory) return undefined;
			const root = await navigator.storage.getDirectory();
			const dir = await root.getDirectoryHandle(OPFS_DIRECTORY, { create: true });
			const probe = await dir.getFileHandle('.probe', { create: true });
			if (typeof probe.createWritable !== 'function') return undefined;
			return new OpfsFileStore(dir);
		} catch {
			return undefined;
		}
	}

	async put(sha256: string, blob: Blob): Promise<void> {
		// Write beside the final name and rename last, so a crash never leaves a short file under a hash.
		// Browsers without `move` write in place; `storeOriginal` then checks the size before trusting it.
		const probe = await this.#dir.getFileHandle(`${sha256}.partial`, { create: true });
		const partialName = canMove(probe) ? probe.name : sha256;
		if (!canMove(probe)) await this.#dir.removeEntry(probe.name);
		try {
			const handle = canMove(probe) ? probe : await this.#dir.getFileHandle(sha256, { create: true });
			const writable = await handle.createWritable();
			await blob.stream().pipeTo(writable);
			const written = await handle.getFile();
			if (written.size !== blob.size) throw new Error(`Wrote ${written.size} of ${blob.size} bytes.`);
			if (canMove(handle)) await handle.move(sha256);
		} catch (error) {
			await this.#dir.removeEntry(partialName).catch(() => undefined);
			if (isQuotaError(error)) throw new StorageFullError(error);
			throw error;
		}
	}

	async get(sha256: string): Promise<Blob | undefined> {
		try {
			const handle = await this.#dir.getFileHandle(sha256);
			return await handle.getFile();
		} catch (error) {
			if (error instanceof DOMException && error.name === 'NotFoundError') return undefined;
			throw error;
		}
	}

	async delete(sha256: string): Promise<void> {
		await this.#dir.removeEntry(sha256).catch((error: unknown) => {
			if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw error;
		});
	}
}

type MovableFileHandle = FileSystemFileHandle & { move(name: string): Promise<void> };

/** `FileSystemHandle.move` is in Chrome and Firefox but not yet in TypeScript's DOM types. */
function canMove(handle: FileSystemFileHandle): handle is MovableFileHandle {
	return 'move' in handle && typeof handle.move === 'function';
}

/** IndexedDB blobs, for browsers or contexts without a writable OPFS. */
export class IndexedDbFileStore implements FileStore {
	readonly kind = 'idb' as const;
	readonly #db: DocketDatabase;

	constructor(db: DocketDatabase) {
		this.#db = db;
	}

	async put(sha256: string, blob: Blob): Promise<void> {
		try {
			await this.#db.blobs.put({ sha256, blob });
		} catch (error) {
			if (isQuotaError(error)) throw new StorageFullError(error);
			throw error;
		}
	}

	async get(sha256: string): Promise<Blob | undefined> {
		return (await this.#db.blobs.get(sha256))?.blob;
	}

	async delete(sha256: string): Promise<void> {
		await this.#db.blobs.delete(sha256);
	}
}

export async function openFileStore(db: DocketDatabase): Promise<FileStore> {
	return (await OpfsFileStore.open()) ?? new IndexedDbFileStore(db);
}

/**
 * Stores a file's original bytes unless the same bytes are already stored. Bytes are written before
 * the row, so a `files` row always means the bytes exist.
 */
export async function storeOriginal(
	db: DocketDatabase,
	store: FileStore,
	blob: Blob,
	mimeType = blob.type
): Promise<FileRow> {
	const sha256 = await sha256Hex(blob);
	const existing = await db.files.get(sha256);
	if (existing && (await store.get(sha256))?.size === existing.size) return existing;
	await store.put(sha256, blob);
	const row: FileRow = { sha256, size: blob.size, mimeType, store: store.kind, createdAt: Date.now() };
	await db.files.put(row);
	return row;
}

/** Deletes the bytes of each hash that no document or tensor refers to any more. */
export async function releaseUnreferencedFiles(
	db: DocketDatabase,
	store: FileStore,
	hashes: Iterable<string>
): Promise<void> {
	for (const sha256 of new Set(hashes)) {
		const referenced = await db.transaction('rw', db.documents, db.tensors, db.files, async () => {
			const inUse =
				(await db.documents.where('sha256').equals(sha256).count()) +
				(await db.tensors.where('sha256').equals(sha256).count());
			if (inUse === 0) await db.files.delete(sha256);
			return inUse > 0;
		});
		if (!referenced) await store.delete(sha256);
	}
}
