import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
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

function code(error: unknown): unknown {
	return error instanceof Error && 'code' in error ? error.code : undefined;
}

/** The lock file as it is now, with its inode and text (to tell one file from its replacement). */
interface SeenLock {
	ino: number;
	text: string;
	info: LockInfo | undefined;
	ageMs: number;
}

async function inspect(path: string): Promise<SeenLock | undefined> {
	try {
		const handle = await open(path, 'r');
		try {
			const [stats, text] = await Promise.all([handle.stat(), handle.readFile('utf8')]);
			let info: LockInfo | undefined;
			try {
				const parsed = LockFile.safeParse(JSON.parse(text));
				info = parsed.success ? parsed.data : undefined;
			} catch {
				info = undefined;
			}
			return { ino: stats.ino, text, info, ageMs: Date.now() - stats.mtimeMs };
		} finally {
			await handle.close();
		}
	} catch (error) {
		if (code(error) === 'ENOENT') return undefined;
		throw error;
	}
}

/** A unique name beside the lock, for a file about to be linked or a stale lock about to be dropped. */
function scratch(path: string, what: string): string {
	return `${path}.${what}.${process.pid}.${randomBytes(6).toString('hex')}`;
}

/**
 * Written whole to a temporary file and then hard-linked to `server.lock`: `link` fails if the name exists,
 * so the lock appears with its content or not at all, and no one can read it half-written.
 */
async function createLocked(path: string, info: LockInfo): Promise<boolean> {
	const temporary = scratch(path, 'new');
	await writeFile(temporary, JSON.stringify(info), { mode: 0o600, flag: 'wx' });
	try {
		await link(temporary, path);
		return true;
	} catch (error) {
		if (code(error) === 'EEXIST') return false;
		throw error;
	} finally {
		await rm(temporary, { force: true });
	}
}

/**
 * Drops the stale lock `seen`, and only that file: it is renamed away (atomic), and if what was renamed
 * turns out to be another file (someone replaced the stale lock meanwhile), it is put back. A file is
 * known by its inode and its text together: a deleted lock's inode number is soon given to the next new
 * file, often the very lock that replaced it, and each lock's text holds a secret of its own.
 */
export async function dropStale(path: string, seen: Pick<SeenLock, 'ino' | 'text'>): Promise<void> {
	const aside = scratch(path, 'stale');
	try {
		await rename(path, aside);
	} catch (error) {
		if (code(error) === 'ENOENT') return;
		throw error;
	}
	const [moved, text] = await Promise.all([stat(aside), readFile(aside, 'utf8')]);
	if (moved.ino === seen.ino && text === seen.text) {
		await rm(aside, { force: true });
		return;
	}
	// A live lock that replaced the stale one: give it back under its name.
	try {
		await link(aside, path);
	} finally {
		await rm(aside, { force: true });
	}
}

/** A lock file nobody can have been writing for this long is garbage, not a lock being made (old versions). */
const UNREADABLE_STALE_AFTER_MS = 10_000;

export async function acquireLock(dataDir: string): Promise<DataDirLock> {
	// The data directory holds every case of every client: only the server's user may enter it.
	await mkdir(dataDir, { recursive: true, mode: 0o700 });
	await chmod(dataDir, 0o700);
	const path = lockPath(dataDir);
	const info: LockInfo = { pid: process.pid, adminUrl: null, adminSecret: randomBytes(32).toString('base64url') };
	for (let attempt = 0; attempt < 20; attempt++) {
		if (await createLocked(path, info)) {
			let released = false;
			const ours = async () => (await inspect(path))?.info?.adminSecret === info.adminSecret;
			return {
				info,
				async setAdminUrl(url) {
					info.adminUrl = url;
					if (!(await ours())) return;
					const temporary = scratch(path, 'new');
					await writeFile(temporary, JSON.stringify(info), { mode: 0o600, flag: 'wx' });
					await rename(temporary, path);
				},
				async release() {
					if (released) return;
					released = true;
					// Never delete a lock that is not this process's.
					const seen = await inspect(path);
					if (seen?.info?.adminSecret === info.adminSecret) await dropStale(path, seen);
				}
			};
		}
		const seen = await inspect(path);
		if (!seen) continue;
		const owner = seen.info;
		if (owner && owner.pid !== process.pid && alive(owner.pid)) throw new DataDirBusyError(dataDir, owner);
		if (!owner && seen.ageMs < UNREADABLE_STALE_AFTER_MS)
			throw new Error(`${path} cannot be read; if no Docket process uses ${dataDir}, delete that file.`);
		// The previous owner died: the lock is stale.
		await dropStale(path, seen);
	}
	throw new Error(`Could not lock ${dataDir}; another process keeps taking it.`);
}
