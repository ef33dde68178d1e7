import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, link, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3 } from '@aws-sdk/client-s3';
import { FileStore } from '@tus/file-store';
import { S3Store, type MetadataValue } from '@tus/s3-store';
import { MemoryKvStore, type DataStore } from '@tus/utils';

/**
 * Where original files live. One interface over the tus data store (where uploads arrive) and the
 * place finished files are kept. The default keeps both on disk in the data directory; a team that runs
 * several server instances puts them in S3-compatible object storage (README › Growing past one machine).
 *
 * Keys are made by the server from a team UUID and a SHA-256 it has checked: never from metadata text.
 */
export interface FileStorage {
	/** The tus data store uploads are written to. */
	datastore: DataStore;
	/** SHA-256 and size of a finished tus upload's bytes. */
	digestUpload(uploadId: string): Promise<{ sha256: string; size: number }>;
	/** Keeps a finished upload's bytes under `key`, out of reach of the tus expiry clean-up. */
	keep(uploadId: string, key: string): Promise<void>;
	/** Size of a kept file, or undefined if it is missing. */
	size(key: string): Promise<number | undefined>;
	/** Bytes `start..end` (inclusive) of a kept file. */
	read(key: string, range?: { start: number; end: number }): Readable;
	/** Drops a tus upload (after a checksum mismatch, so the client starts again). */
	discardUpload(uploadId: string): Promise<void>;
}

const SAFE_KEY = /^[0-9a-f-]{36}\/[0-9a-f]{64}$/;
const SAFE_UPLOAD_ID = /^[0-9a-f]{32}$/;

export function storageKey(teamId: string, sha256: string): string {
	const key = `${teamId.toLowerCase()}/${sha256}`;
	if (!SAFE_KEY.test(key)) throw new Error('Refusing an unsafe storage key.');
	return key;
}

export function checkUploadId(id: string): string {
	if (!SAFE_UPLOAD_ID.test(id)) throw new Error('Refusing an unsafe upload id.');
	return id;
}

/** Files on local disk: tus uploads in `DIR/uploads`, finished files in `DIR/files/TEAM/SHA256`. */
export class DiskFileStorage implements FileStorage {
	readonly datastore: FileStore;
	private readonly uploadsDir: string;
	private readonly filesDir: string;

	private readonly fs: { link: typeof link; copyFile: typeof copyFile };

	constructor(
		dataDir: string,
		{
			expireAfterMs = 7 * 24 * 3600 * 1000,
			fs = { link, copyFile }
		}: { expireAfterMs?: number; fs?: { link: typeof link; copyFile: typeof copyFile } } = {}
	) {
		this.fs = fs;
		this.uploadsDir = join(dataDir, 'uploads');
		this.filesDir = join(dataDir, 'files');
		this.datastore = new FileStore({ directory: this.uploadsDir, expirationPeriodInMilliseconds: expireAfterMs });
	}

	async digestUpload(uploadId: string): Promise<{ sha256: string; size: number }> {
		const path = join(this.uploadsDir, checkUploadId(uploadId));
		const hash = createHash('sha256');
		let size = 0;
		for await (const chunk of createReadStream(path)) {
			const bytes = chunk instanceof Buffer ? chunk : Buffer.from(String(chunk));
			hash.update(bytes);
			size += bytes.length;
		}
		return { sha256: hash.digest('hex'), size };
	}

	async keep(uploadId: string, key: string): Promise<void> {
		const target = this.pathOf(key);
		await mkdir(join(target, '..'), { recursive: true });
		const source = join(this.uploadsDir, checkUploadId(uploadId));
		const kept = await this.size(key);
		if (kept !== undefined) {
			// Same key, same checked hash: already kept, unless an older version's cut-short copy sits there.
			const sourceSize = await stat(source).then(
				(stats) => stats.size,
				() => undefined
			);
			if (sourceSize === undefined || kept === sourceSize) return;
			await rm(target, { force: true });
		}
		// A hard link costs no copy, and the expiry clean-up of the tus directory then only drops its own name.
		try {
			await this.fs.link(source, target);
		} catch (error) {
			if (error instanceof Error && 'code' in error && error.code === 'EEXIST') return;
			// No hard links here (another file system, a share): copy under a temporary name and rename, so
			// a copy cut short (a crash, a full disk) never stands under the kept name as a finished file.
			const partial = `${target}.partial-${randomBytes(6).toString('hex')}`;
			try {
				await this.fs.copyFile(source, partial);
				const [copied, original] = await Promise.all([stat(partial), stat(source)]);
				if (copied.size !== original.size) throw new Error(`Copying ${uploadId} stopped short.`, { cause: error });
				await rename(partial, target);
			} finally {
				await rm(partial, { force: true });
			}
		}
	}

	async size(key: string): Promise<number | undefined> {
		try {
			return (await stat(this.pathOf(key))).size;
		} catch {
			return undefined;
		}
	}

	read(key: string, range?: { start: number; end: number }): Readable {
		return createReadStream(this.pathOf(key), range);
	}

	async discardUpload(uploadId: string): Promise<void> {
		const id = checkUploadId(uploadId);
		await rm(join(this.uploadsDir, id), { force: true });
		await rm(join(this.uploadsDir, `${id}.json`), { force: true });
	}

	private pathOf(key: string): string {
		if (!SAFE_KEY.test(key)) throw new Error('Refusing an unsafe storage key.');
		return join(this.filesDir, key);
	}
}

export interface S3StorageConfig {
	bucket: string;
	/** An S3-compatible endpoint (MinIO, Ceph, R2…); AWS itself when absent. */
	endpoint: string | undefined;
	region: string;
	/** Bucket in the path rather than the host name: what most self-hosted S3 servers need. */
	forcePathStyle: boolean;
}

const FILES_PREFIX = 'files/';

/**
 * Files in S3-compatible object storage, for teams running several server instances: tus uploads are
 * `@tus/s3-store` multipart uploads (object `UPLOAD_ID`, metadata `UPLOAD_ID.info`), finished files are
 * copied to `files/TEAM/SHA256`, which the tus expiry never touches. Credentials come from the AWS SDK's
 * usual chain (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, a profile, an instance role).
 */
export class S3FileStorage implements FileStorage {
	readonly datastore: S3Store;
	private readonly client: S3;
	private readonly bucket: string;
	/** The tus store's cache of upload metadata, so a discarded upload can be dropped from it. */
	private readonly cache = new MemoryKvStore<MetadataValue>();

	constructor(config: S3StorageConfig, { expireAfterMs = 7 * 24 * 3600 * 1000 } = {}) {
		const clientConfig = {
			region: config.region,
			forcePathStyle: config.forcePathStyle,
			...(config.endpoint ? { endpoint: config.endpoint } : {})
		};
		this.bucket = config.bucket;
		this.client = new S3(clientConfig);
		this.datastore = new S3Store({
			s3ClientConfig: { ...clientConfig, bucket: config.bucket },
			expirationPeriodInMilliseconds: expireAfterMs,
			cache: this.cache
		});
	}

	async digestUpload(uploadId: string): Promise<{ sha256: string; size: number }> {
		const hash = createHash('sha256');
		let size = 0;
		for await (const chunk of await this.datastore.read(checkUploadId(uploadId))) {
			const bytes = chunk instanceof Buffer ? chunk : Buffer.from(String(chunk));
			hash.update(bytes);
			size += bytes.length;
		}
		return { sha256: hash.digest('hex'), size };
	}

	async keep(uploadId: string, key: string): Promise<void> {
		const source = `${this.bucket}/${checkUploadId(uploadId)}`;
		if ((await this.size(key)) !== undefined) return;
		// One CopyObject handles up to 5 GiB, above LIMITS.maxUploadBytes.
		await this.client.copyObject({ Bucket: this.bucket, CopySource: source, Key: this.objectKey(key) });
	}

	async size(key: string): Promise<number | undefined> {
		try {
			return (await this.client.headObject({ Bucket: this.bucket, Key: this.objectKey(key) })).ContentLength;
		} catch (error) {
			if (error instanceof Error && (error.name === 'NotFound' || error.name === 'NoSuchKey')) return undefined;
			throw error;
		}
	}

	read(key: string, range?: { start: number; end: number }): Readable {
		// The interface hands back a stream at once; the object's body is piped in when S3 answers.
		const out = new PassThrough();
		this.client
			.getObject({
				Bucket: this.bucket,
				Key: this.objectKey(key),
				...(range ? { Range: `bytes=${range.start}-${range.end}` } : {})
			})
			.then(async ({ Body }) => {
				if (!(Body instanceof Readable)) throw new Error('The object store answered without a body stream.');
				// Not `pipe`: a download the client abandons must also end the S3 response, or its pooled connection
				// stays taken, and once the SDK's 50 are taken every S3 request waits.
				await pipeline(Body, out);
			})
			.catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
		return out;
	}

	async discardUpload(uploadId: string): Promise<void> {
		const id = checkUploadId(uploadId);
		// Not the tus store's remove(): it aborts the multipart upload first and, when S3 no longer knows it (always
		// so once the upload completed, which is when the server discards one), throws and deletes nothing.
		const { Uploads = [] } = await this.client.listMultipartUploads({ Bucket: this.bucket, Prefix: id });
		for (const upload of Uploads)
			if (upload.Key === id)
				await this.client.abortMultipartUpload({ Bucket: this.bucket, Key: id, UploadId: upload.UploadId });
		await this.client.deleteObjects({
			Bucket: this.bucket,
			Delete: { Objects: [{ Key: id }, { Key: `${id}.info` }, { Key: `${id}.part` }], Quiet: true }
		});
		await this.cache.delete(id);
	}

	private objectKey(key: string): string {
		if (!SAFE_KEY.test(key)) throw new Error('Refusing an unsafe storage key.');
		return `${FILES_PREFIX}${key}`;
	}
}

/** The storage the configuration asks for: S3 when a bucket is named, otherwise the data directory. */
export function storageFor(config: { dataDir: string; s3: S3StorageConfig | undefined }): FileStorage {
	return config.s3 ? new S3FileStorage(config.s3) : new DiskFileStorage(config.dataDir);
}
