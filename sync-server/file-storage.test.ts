import { copyFile, mkdir, mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskFileStorage, storageKey } from './file-storage.ts';

describe('keeping a finished upload without hard links', () => {
	let dir: string;
	const uploadId = 'ab'.repeat(16);
	const key = storageKey(crypto.randomUUID(), 'c'.repeat(64));
	const bytes = new Uint8Array(64 * 1024).map((_, i) => i % 251);
	const noLinks = async () => {
		throw Object.assign(new Error('cross-device link not permitted'), { code: 'EXDEV' });
	};

	beforeAll(async () => {
		dir = await mkdtemp(join(tmpdir(), 'docket-keep-'));
		await mkdir(join(dir, 'uploads'), { recursive: true });
		await writeFile(join(dir, 'uploads', uploadId), bytes);
	});
	afterAll(async () => {
		await rm(dir, { recursive: true, force: true });
	});

	it('never takes a copy cut short for a finished file, and finishes it on the next try', async () => {
		const interrupted = new DiskFileStorage(dir, {
			fs: {
				link: noLinks,
				// Half the bytes land, then the disk fills up.
				copyFile: async (_source, target) => {
					const handle = await open(String(target), 'w');
					await handle.write(bytes.subarray(0, bytes.length / 2));
					await handle.close();
					throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
				}
			}
		});
		await expect(interrupted.keep(uploadId, key)).rejects.toThrow(/no space/);
		expect(await interrupted.size(key)).toBeUndefined();
		expect(await readdir(join(dir, 'files', key, '..'))).toEqual([]);

		const working = new DiskFileStorage(dir, { fs: { link: noLinks, copyFile } });
		await working.keep(uploadId, key);
		expect(await working.size(key)).toBe(bytes.length);
	});

	it('replaces a cut-short file an older version left under the kept name', async () => {
		const storage = new DiskFileStorage(dir, { fs: { link: noLinks, copyFile } });
		const other = storageKey(crypto.randomUUID(), 'd'.repeat(64));
		await mkdir(join(dir, 'files', other, '..'), { recursive: true });
		await writeFile(join(dir, 'files', other), bytes.subarray(0, 10));
		await storage.keep(uploadId, other);
		expect(await storage.size(other)).toBe(bytes.length);
	});
});
