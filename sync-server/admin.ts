import { addUser } from './auth.ts';
import type { ServerConfig } from './config.ts';
import { acquireLock, readLock, DataDirBusyError } from './data-dir-lock.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { AddUserResponse, ErrorBody } from '../src/lib/sync/protocol.ts';

/**
 * Adds a user (and the team on first use). With a real Postgres it writes directly. With the embedded
 * database it never opens a directory a running server owns: it asks that server over loopback, and
 * opens the database itself only when no server holds it.
 */
export async function addUserForCli(config: ServerConfig, name: string, team: string): Promise<AddUserResponse> {
	if (config.databaseUrl) {
		const database = await openDatabase({ databaseUrl: config.databaseUrl, poolSize: 1 });
		try {
			await migrate(database.pool);
			return await addUser(database.pool, name, team);
		} finally {
			await database.close();
		}
	}
	const owner = await readLock(config.dataDir);
	if (owner) return viaServer(config.dataDir, owner, name, team);
	let lock;
	try {
		lock = await acquireLock(config.dataDir);
	} catch (error) {
		// A server started between our look and our lock: go through it.
		if (error instanceof DataDirBusyError) return viaServer(config.dataDir, error.owner, name, team);
		throw error;
	}
	try {
		const database = await openDatabase({ dataDir: config.dataDir });
		try {
			await migrate(database.pool);
			return await addUser(database.pool, name, team);
		} finally {
			await database.close();
		}
	} finally {
		await lock.release();
	}
}

async function viaServer(
	dataDir: string,
	owner: { pid: number; adminUrl: string | null; adminSecret: string },
	name: string,
	team: string
): Promise<AddUserResponse> {
	if (!owner.adminUrl)
		throw new Error(
			`A Docket server (pid ${owner.pid}) owns ${dataDir} but cannot be reached on loopback (still starting, or bound to another address). Try again in a moment, or stop it and run this command again.`
		);
	let response: Response;
	try {
		response = await fetch(`${owner.adminUrl}/api/v1/admin/users`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-docket-admin': owner.adminSecret },
			body: JSON.stringify({ name, team })
		});
	} catch (error) {
		throw new Error(
			`The Docket server (pid ${owner.pid}) that owns ${dataDir} did not answer at ${owner.adminUrl}: ${error instanceof Error ? error.message : String(error)}. Stop it and try again.`,
			{ cause: error }
		);
	}
	const body: unknown = await response.json().catch(() => undefined);
	if (!response.ok) {
		const parsed = ErrorBody.safeParse(body);
		throw new Error(
			`The running server refused: ${parsed.success ? parsed.data.error.message : `HTTP ${response.status}`}`
		);
	}
	return AddUserResponse.parse(body);
}
