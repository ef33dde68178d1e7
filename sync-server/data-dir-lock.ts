import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * One process owns an embedded database directory. PGlite opened twice on one directory corrupts it, so
 * the owner writes `server.lock` (its pid, where it listens, and a secret for loopback admin calls) and
 * everyone else either talks to that server or refuses.
 */
const LockFile = z.object({ pid: z.number().int(), adminUrl: z.string().nullable(), adminSecret: z.string() });
export type LockInfo = z.infer<typeof LockFile>;

export class DataDirBusyError extends Error {
	override name = 'DataDirBusyError';
	constructor(
		readonly dir: string,
		readonly owner: LockInfo
	) {
		super(
			`The data directory ${dir} is in use by another Docket process (pid ${owner.pid}). Stop that process, or run this command while it serves so it can go through the server.`
		);
	}
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		// EPERM: it exists but belongs to someone else.
		return error instanceof Error && 'code' in error && error.code === 'EPERM';
	}
}

export function lockPath(dataDir: string): string {
	return join(dataDir, 'server.lock');
}

/** The live owner of the directory, if any (a lock left by a killed process does not count). */
export async function readLock(dataDir: string): Promise<LockInfo | undefined> {
	let text: string;
	try {
		text = await readFile(lockPath(dataDir), 'utf8');
	} catch {
		return undefined;
	}
	let parsed;
	try {
		parsed = LockFile.safeParse(JSON.parse(text));
	} catch {
		return undefined;
	}
	if (!parsed.success) return undefined;
	return parsed.data.pid !== process.pid && alive(parsed.data.pid) ? parsed.data : undefined;
}

export interface DataDirLock {
	info: LockInfo;
	/** Records where the server listens, so `docket server user add` can reach it. */
	setAdminUrl(url: string): Promise<void>;
	release(): Promise<void>;
}

export async function acquireLock(dataDir: string): Promise<DataDirLock> {
	await mkdir(dataDir, { recursive: true });
	const path = lockPath(dataDir);
	const info: LockInfo = { pid: process.pid, adminUrl: null, adminSecret: randomBytes(32).toString('base64url') };
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			// `wx` fails if the file exists: two processes starting at once cannot both win.
			const handle = await open(path, 'wx', 0o600);
			await handle.writeFile(JSON.stringify(info));
			await handle.close();
			let released = false;
			return {
				info,
				async setAdminUrl(url) {
					info.adminUrl = url;
					await writeFile(path, JSON.stringify(info), { mode: 0o600 });
				},
				async release() {
					if (released) return;
					released = true;
					await rm(path, { force: true });
				}
			};
		} catch (error) {
			if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
			const owner = await readLock(dataDir);
			if (owner) throw new DataDirBusyError(dataDir, owner);
			// The previous owner died (or the file is unreadable): the lock is stale.
			await rm(path, { force: true });
		}
	}
	throw new Error(`Could not lock ${dataDir}; another process keeps taking it.`);
}
