import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { vector } from '@electric-sql/pglite-pgvector';
import pg from 'pg';

/**
 * The server's database: node-postgres over either an embedded PGlite (with pgvector) kept in the data
 * directory, or a real Postgres. Everything above this file uses the same `pg.Pool`, so the two share
 * every query and every migration.
 */
export interface Database {
	pool: pg.Pool;
	kind: 'pglite' | 'postgres';
	/** The embedded instance, when there is one (tests serve it over the wire with pglite-socket). */
	pglite: PGlite | undefined;
	close(): Promise<void>;
}

export interface DatabaseOptions {
	/** A Postgres URL; without it, PGlite in `dataDir/postgres`. */
	databaseUrl?: string | undefined;
	dataDir?: string | undefined;
	/** An already open PGlite (tests); the caller keeps ownership. */
	pglite?: PGlite | undefined;
	/** Connections to a real Postgres. PGlite has one session, so it always gets one. */
	poolSize?: number | undefined;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
	if (options.databaseUrl) {
		const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
		// An idle client's error (the server restarting) must not crash the process; the next query retries.
		pool.on('error', () => undefined);
		await pool.query('SELECT 1');
		return { pool, kind: 'postgres', pglite: undefined, close: () => pool.end() };
	}
	let pglite = options.pglite;
	const owned = pglite === undefined;
	if (pglite === undefined) {
		if (!options.dataDir) throw new Error('openDatabase needs a data directory or a database URL.');
		const dir = join(options.dataDir, 'postgres');
		await mkdir(dir, { recursive: true });
		pglite = await PGlite.create(dir, { extensions: { vector } });
	}
	const instance = pglite;
	const pool = new pg.Pool(createPgConfig(instance));
	return {
		pool,
		kind: 'pglite',
		pglite: instance,
		async close() {
			await pool.end();
			if (owned) await instance.close();
		}
	};
}

/** Runs `work` in one transaction on one connection; rolls back if it throws. */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
	const client = await pool.connect();
	try {
		await client.query('BEGIN');
		const result = await work(client);
		await client.query('COMMIT');
		return result;
	} catch (error) {
		await client.query('ROLLBACK').catch(() => undefined);
		throw error;
	} finally {
		client.release();
	}
}
