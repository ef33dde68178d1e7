import { chmod, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The data directory holds every case of every client: it is 0700, everything in it 0600 (directories 0700).
 * PGlite creates its files through Node with mode 0666, so the umask decides; the process's umask is set to
 * 077 for what is created later, and what exists already (an older version's files) is tightened once.
 */
export async function restrictModes(dir: string): Promise<void> {
	try {
		process.umask(0o077);
	} catch {
		// Worker threads cannot change the umask; the walk below still fixes what exists.
	}
	const stack = [dir];
	await chmod(dir, 0o700);
	while (stack.length > 0) {
		const current = stack.pop()!;
		for (const entry of await readdir(current, { withFileTypes: true })) {
			const path = join(current, entry.name);
			if (entry.isSymbolicLink()) continue;
			if (entry.isDirectory()) {
				await chmod(path, 0o700);
				stack.push(path);
			} else await chmod(path, 0o600);
		}
	}
}
