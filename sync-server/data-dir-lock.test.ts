import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock, dropStale, lockPath, readLock } from './data-dir-lock.ts';

const CONTENDER = new URL('./testing/lock-contender.ts', import.meta.url).pathname;

function next(child: ChildProcess): Promise<string> {
	return new Promise((resolve) => child.once('message', (message: { kind: string }) => resolve(message.kind)));
}

describe('the data-dir lock', () => {
	let contenders: ChildProcess[] = [];
	let root: string;

	beforeAll(async () => {
		root = await mkdtemp(join(tmpdir(), 'docket-lock-'));
		contenders = [0, 1].map(() => fork(CONTENDER, [], { execArgv: ['--import', 'tsx'], stdio: 'ignore' }));
		expect(await Promise.all(contenders.map(next))).toEqual(['ready', 'ready']);
	});
	afterAll(async () => {
		for (const child of contenders) child.send({ kind: 'exit' });
		await rm(root, { recursive: true, force: true });
	});

	/** A pid that belonged to a process that has exited. */
	function deadPid(): number {
		const done = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
		return Number(done.stdout.toString());
	}

	it.each(['a fresh directory', 'a stale lock'])(
		'is held by exactly one of two processes starting at once, 30 rounds over %s',
		async (over) => {
			for (let round = 0; round < 30; round++) {
				const dir = join(root, `${over.replace(/ /g, '-')}-${round}`);
				if (over === 'a stale lock') {
					await rm(dir, { recursive: true, force: true });
					await mkdir(dir, { recursive: true });
					await writeFile(lockPath(dir), JSON.stringify({ pid: deadPid(), adminUrl: null, adminSecret: 'old' }));
				}
				const at = Date.now() + 150;
				const answers = contenders.map(next);
				for (const child of contenders) child.send({ kind: 'try', dir, at });
				const outcome = (await Promise.all(answers)).sort();
				expect(outcome, `round ${round}`).toEqual(['busy', 'held']);
				const released = contenders.map(next);
				for (const child of contenders) child.send({ kind: 'release' });
				await Promise.all(released);
				// The holder removed its own lock and nothing else; no temporary files are left.
				expect(await readdir(dir)).toEqual([]);
			}
		},
		120_000
	);

	it('never deletes a lock it does not own', async () => {
		const dir = join(root, 'not-mine');
		const mine = await acquireLock(dir);
		// Someone replaced the lock (another owner after a stale break): releasing leaves theirs alone.
		const theirs = JSON.stringify({ pid: process.ppid, adminUrl: null, adminSecret: 'theirs' });
		await writeFile(lockPath(dir), theirs);
		await mine.release();
		expect(await readLock(dir)).toMatchObject({ adminSecret: 'theirs' });
	});

	it('does not take a new lock for the stale one it replaced when the new one got the same inode number', async () => {
		// A deleted file's inode number is soon reused, often by the lock that replaced it: only the
		// text (each lock's own secret) tells them apart. Seen as stale: this inode, with the old text.
		const dir = join(root, 'reused-inode');
		await mkdir(dir, { recursive: true });
		const live = JSON.stringify({ pid: process.pid, adminUrl: null, adminSecret: 'live' });
		await writeFile(lockPath(dir), live);
		const { ino } = await stat(lockPath(dir));
		await dropStale(lockPath(dir), { ino, text: JSON.stringify({ pid: 1, adminUrl: null, adminSecret: 'old' }) });
		expect(await readFile(lockPath(dir), 'utf8')).toBe(live);
		expect(await readdir(dir)).toEqual(['server.lock']);
		// The stale file itself, inode and text alike, is dropped.
		await dropStale(lockPath(dir), { ino, text: live });
		expect(await readdir(dir)).toEqual([]);
	});
});
