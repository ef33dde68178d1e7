import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { transaction } from './database.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

/** Migration files are named `YYYYMMDDTHHMM_what.sql` and run in name order, each in its own transaction. */
const MIGRATION_NAME = /^\d{8}T\d{4}_[a-z0-9_]+\.sql$/;

export async function migrationFiles(dir = MIGRATIONS_DIR): Promise<string[]> {
	const names = (await readdir(dir)).filter((name) => name.endsWith('.sql'));
	for (const name of names)
		if (!MIGRATION_NAME.test(name)) throw new Error(`Migration "${name}" must be named like 20261123T2300_what.sql.`);
	return names.sort();
}

/**
 * Brings the schema up to date. An advisory lock keeps two servers starting against one Postgres from
 * running the same migration twice. Returns the names applied now.
 */
export async function migrate(pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
	await pool.query(
		`CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`
	);
	const applied: string[] = [];
	for (const name of await migrationFiles(dir)) {
		const sql = await readFile(`${dir}/${name}`, 'utf8');
		const ran = await transaction(pool, async (client) => {
			await client.query('SELECT pg_advisory_xact_lock(7411)');
			const done = await client.query('SELECT 1 FROM schema_migrations WHERE name = $1', [name]);
			if (done.rowCount) return false;
			await client.query(sql);
			await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
			return true;
		});
		if (ran) applied.push(name);
	}
	return applied;
}
