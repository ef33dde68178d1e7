import type pg from 'pg';
import type { z } from 'zod';
import { listPeople, removePersonByName, AccountError } from './accounts.ts';
import { addUser } from './auth.ts';
import type { ServerConfig } from './config.ts';
import { acquireLock, readLock, DataDirBusyError, type LockInfo } from './data-dir-lock.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { AddUserResponse, ErrorBody } from '../src/lib/sync/protocol.ts';
import { RemoveUserResponse, UserListResponse, type PersonInfo, type Role } from '../src/lib/sync/accounts-protocol.ts';

/**
 * `docket server user …`. With a real Postgres it works on the database directly. With the embedded
 * database it never opens a directory a running server owns: it asks that server over loopback, and
 * opens the database itself only when no server holds it.
 */
interface AdminCall<T> {
	/** The loopback route and body the running server answers. */
	method: 'GET' | 'POST';
	path: string;
	body?: unknown;
	schema: z.ZodType<T>;
	/** The same work on an open database. */
	direct(pool: pg.Pool): Promise<T>;
}

async function run<T>(config: ServerConfig, call: AdminCall<T>): Promise<T> {
	const direct = async (database: { pool: pg.Pool }) => {
		await migrate(database.pool);
		try {
			return await call.direct(database.pool);
		} catch (error) {
			if (error instanceof AccountError) throw new Error(error.message, { cause: error });
			throw error;
		}
	};
	if (config.databaseUrl) {
		const database = await openDatabase({ databaseUrl: config.databaseUrl, poolSize: 1 });
		try {
			return await direct(database);
		} finally {
			await database.close();
		}
	}
	const owner = await readLock(config.dataDir);
	if (owner) return viaServer(config.dataDir, owner, call);
	let lock;
	try {
		lock = await acquireLock(config.dataDir);
	} catch (error) {
		// A server started between our look and our lock: go through it.
		if (error instanceof DataDirBusyError) return viaServer(config.dataDir, error.owner, call);
		throw error;
	}
	try {
		const database = await openDatabase({ dataDir: config.dataDir });
		try {
			return await direct(database);
		} finally {
			await database.close();
		}
	} finally {
		await lock.release();
	}
}

async function viaServer<T>(dataDir: string, owner: LockInfo, call: AdminCall<T>): Promise<T> {
	if (!owner.adminUrl)
		throw new Error(
			`A Docket server (pid ${owner.pid}) owns ${dataDir} but cannot be reached on loopback (still starting, or bound to another address). Try again in a moment, or stop it and run this command again.`
		);
	let response: Response;
	try {
		response = await fetch(`${owner.adminUrl}${call.path}`, {
			method: call.method,
			headers: {
				'x-docket-admin': owner.adminSecret,
				...(call.body === undefined ? {} : { 'content-type': 'application/json' })
			},
			...(call.body === undefined ? {} : { body: JSON.stringify(call.body) })
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
	return call.schema.parse(body);
}

/** Adds a person (and the team on first use) and returns a new device token for them. */
export async function addUserForCli(
	config: ServerConfig,
	name: string,
	team: string,
	role: Role = 'member'
): Promise<AddUserResponse> {
	return run(config, {
		method: 'POST',
		path: '/api/v1/admin/users',
		body: { name, team, role },
		schema: AddUserResponse,
		direct: (pool) => addUser(pool, name, team, role)
	});
}

export async function listUsersForCli(config: ServerConfig): Promise<PersonInfo[]> {
	const { people } = await run(config, {
		method: 'GET',
		path: '/api/v1/admin/users',
		schema: UserListResponse,
		direct: async (pool) => ({ people: await listPeople(pool) })
	});
	return people;
}

/** Removes a person by name (or email): every one of their tokens stops working at once. */
export async function removeUserForCli(
	config: ServerConfig,
	name: string,
	team?: string
): Promise<z.infer<typeof RemoveUserResponse>> {
	return run(config, {
		method: 'POST',
		path: '/api/v1/admin/users/remove',
		body: team ? { name, team } : { name },
		schema: RemoveUserResponse,
		direct: (pool) => removePersonByName(pool, name, team)
	});
}
