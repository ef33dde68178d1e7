// A process that competes for data-dir locks on command (data-dir-lock.test.ts): for each message
// `{ dir, at }` it waits until `at` (so both contenders start together), tries the lock, and answers
// `held` or `busy`; on `release` it lets go of what it holds.
import { acquireLock, DataDirBusyError, type DataDirLock } from '../data-dir-lock.ts';

let held: DataDirLock | undefined;

process.on('message', (message: { kind: 'try'; dir: string; at: number } | { kind: 'release' } | { kind: 'exit' }) => {
	void (async () => {
		if (message.kind === 'exit') process.exit(0);
		if (message.kind === 'release') {
			await held?.release();
			held = undefined;
			process.send?.({ kind: 'released' });
			return;
		}
		while (Date.now() < message.at) {
			// Spin: a timer would let the two start milliseconds apart.
		}
		try {
			held = await acquireLock(message.dir);
			process.send?.({ kind: 'held' });
		} catch (error) {
			process.send?.({ kind: error instanceof DataDirBusyError ? 'busy' : `error: ${String(error)}` });
		}
	})();
});
process.send?.({ kind: 'ready' });
