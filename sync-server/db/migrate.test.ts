import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.ts';
import { migrate, migrationFiles } from './migrate.ts';

describe('migrations on a throwaway database', () => {
	let database: Database;
	let dir: string;
	beforeAll(async () => {
		dir = await mkdtemp(join(tmpdir(), 'docket-migrate-'));
		database = await openDatabase({ dataDir: dir });
	});
	afterAll(async () => {
		await database.close();
		await rm(dir, { recursive: true, force: true });
	});

	it('applies every file once, in name order, and records it', async () => {
		const files = await migrationFiles();
		expect(files.length).toBeGreaterThan(0);
		expect(await migrate(database.pool)).toEqual(files);
		expect(await migrate(database.pool)).toEqual([]);
		const { rows } = await database.pool.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
		expect(rows.map((r) => r.name)).toEqual(files);
		const tables = await database.pool.query<{ table_name: string }>(
			`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`
		);
		expect(tables.rows.map((r) => r.table_name)).toEqual(
			expect.arrayContaining([
				'teams',
				'users',
				'cases',
				'documents',
				'chunks',
				'threads',
				'messages',
				'eventedits',
				'ocrlayers',
				'applied_mutations',
				'uploads',
				'files'
			])
		);
		const hnsw = await database.pool.query(
			`SELECT indexname FROM pg_indexes WHERE tablename = 'chunks' AND indexdef LIKE '%hnsw%'`
		);
		expect(hnsw.rowCount).toBeGreaterThan(0);
	});

	it('rolls a failing migration back whole, and refuses badly named files', async () => {
		const extra = await mkdtemp(join(tmpdir(), 'docket-migrations-'));
		try {
			await writeFile(
				join(extra, '20300101T0000_broken.sql'),
				'CREATE TABLE half_done (id int); SELECT no_such_function();'
			);
			await expect(migrate(database.pool, extra)).rejects.toThrow();
			const left = await database.pool.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`);
			expect(left.rowCount).toBe(0);
			await writeFile(join(extra, 'oops.sql'), 'SELECT 1');
			await expect(migrationFiles(extra)).rejects.toThrow(/must be named/);
		} finally {
			await rm(extra, { recursive: true, force: true });
		}
	});
});
