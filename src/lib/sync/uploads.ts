import { Upload, type PreviousUpload, type UploadOptions, type UrlStorage } from 'tus-js-client';
import { patientHttpStack } from './rate-limit.ts';
import type { DocketDatabase } from '../db/database.ts';
import type { FileStore } from '../db/file-store.ts';
import type { UploadRow } from '../db/schema.ts';
import type { SyncServer } from './api-client.ts';
import { SyncAuthError, SyncNetworkError } from '../errors.ts';
import { TUS_PATH, type UploadMetadata } from './protocol.ts';

/**
 * Original files go to the server with tus, resumable across reloads: tus-js-client keeps each upload's
 * URL in the Dexie `uploads` table under the fingerprint `documentId:sha256`, finds it on the next run
 * and continues from the server's offset. tus-js-client 4.3.1 touches `window` and fails in a Worker, so
 * uploads run on the page's main thread (the work is network-bound and streams from the Blob).
 */

const UPLOADED_PREFIX = 'sync.uploaded:';

/** tus-js-client's URL store over the `uploads` table. */
export class DexieUrlStorage implements UrlStorage {
	constructor(private readonly db: DocketDatabase) {}

	private static toPrevious(row: UploadRow): PreviousUpload {
		return {
			size: row.upload.size,
			metadata: row.upload.metadata,
			creationTime: row.upload.creationTime,
			uploadUrl: row.upload.uploadUrl ?? null,
			parallelUploadUrls: null,
			urlStorageKey: row.key
		};
	}

	async findAllUploads(): Promise<PreviousUpload[]> {
		return (await this.db.uploads.toArray()).map((row) => DexieUrlStorage.toPrevious(row));
	}

	async findUploadsByFingerprint(fingerprint: string): Promise<PreviousUpload[]> {
		return (await this.db.uploads.where('fingerprint').equals(fingerprint).toArray()).map((row) =>
			DexieUrlStorage.toPrevious(row)
		);
	}

	async removeUpload(urlStorageKey: string): Promise<void> {
		await this.db.uploads.delete(urlStorageKey);
	}

	async addUpload(fingerprint: string, upload: PreviousUpload): Promise<string> {
		const key = `tus::${fingerprint}::${crypto.randomUUID()}`;
		await this.db.uploads.put({
			key,
			fingerprint,
			upload: {
				size: upload.size,
				metadata: upload.metadata,
				creationTime: upload.creationTime,
				...(upload.uploadUrl ? { uploadUrl: upload.uploadUrl } : {})
			}
		});
		return key;
	}
}

export function uploadFingerprint(documentId: string, sha256: string): string {
	return `${documentId}:${sha256}`;
}

export interface UploadTask {
	metadata: UploadMetadata;
	blob: Blob;
}

/** Documents the server knows (rev > 0) whose bytes are here but have not been uploaded yet. */
export async function pendingUploads(db: DocketDatabase, files: FileStore): Promise<UploadTask[]> {
	const tasks: UploadTask[] = [];
	const documents = await db.documents.filter((doc) => doc.rev > 0 && doc.sha256.length === 64).toArray();
	for (const doc of documents) {
		const done = await db.syncState.get(`${UPLOADED_PREFIX}${doc.id}`);
		if (done?.value === doc.sha256) continue;
		const blob = await files.get(doc.sha256);
		if (!blob) continue;
		tasks.push({ metadata: { caseId: doc.caseId, documentId: doc.id, sha256: doc.sha256, filename: doc.name }, blob });
	}
	return tasks;
}

/** Uploads one file, resuming an earlier attempt of the same document and bytes if there was one. */
export function uploadFile(
	db: DocketDatabase,
	server: SyncServer,
	task: UploadTask,
	{
		onProgress,
		retryDelays = [0, 1000, 3000, 10000],
		chunkSize = 8 * 1024 * 1024,
		fileReader
	}: {
		onProgress?: (sent: number, total: number) => void;
		retryDelays?: number[];
		chunkSize?: number;
		/** Node has no Blob source in tus-js-client; tests and the CLI pass one. */
		fileReader?: UploadOptions['fileReader'];
	} = {}
): Promise<void> {
	const { metadata, blob } = task;
	return new Promise((resolve, reject) => {
		const upload = new Upload(blob, {
			endpoint: `${server.url}${TUS_PATH}`,
			headers: { authorization: `Bearer ${server.token}` },
			metadata: { ...metadata },
			// Blobs have no name, so tus's default fingerprint would make every file look the same.
			fingerprint: async () => uploadFingerprint(metadata.documentId, metadata.sha256),
			urlStorage: new DexieUrlStorage(db),
			storeFingerprintForResuming: true,
			removeFingerprintOnSuccess: true,
			chunkSize,
			retryDelays,
			httpStack: patientHttpStack(),
			onProgress: onProgress ?? null,
			...(fileReader ? { fileReader } : {}),
			onError(error) {
				const status = 'originalResponse' in error ? error.originalResponse?.getStatus() : undefined;
				if (status === 401) reject(new SyncAuthError());
				else reject(new SyncNetworkError(`Uploading “${metadata.filename}” stopped: ${error.message}`, error));
			},
			onSuccess() {
				db.syncState
					.put({ key: `${UPLOADED_PREFIX}${metadata.documentId}`, value: metadata.sha256 })
					.then(() => resolve(), reject);
			}
		});
		upload.findPreviousUploads().then(
			(previous) => {
				const last = previous.at(-1);
				if (last) upload.resumeFromPreviousUpload(last);
				upload.start();
			},
			(error: unknown) => reject(error instanceof Error ? error : new Error(String(error)))
		);
	});
}

/** Uploads every pending file, one at a time (a train tunnel should cost one file's progress, not all). */
export async function uploadPending(db: DocketDatabase, files: FileStore, server: SyncServer): Promise<number> {
	const tasks = await pendingUploads(db, files);
	for (const task of tasks) await uploadFile(db, server, task);
	return tasks.length;
}
