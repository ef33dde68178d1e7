import { parseArgs } from 'node:util';
import type pg from 'pg';
import type { Bench, BenchContext } from './report.ts';
import {
	newUser,
	openBackend,
	TEST_DATABASE_URL,
	POSTGRES_SKIP_REASON,
	type DatabaseMode
} from '../sync-server/testing.ts';
import { SyncStore, type PullPlan } from '../sync-server/sync-store.ts';
import { SYNCED_TABLES } from '../src/lib/sync/protocol.ts';

/**
 * A pull from 0 over a team's whole history, at 10k and 100k rows: rows/s with each table's part of the
 * pull query limited on its own (`per-branch`, what the server runs) beside the old plan that materialised
 * every row after the cursor in all five tables before taking a page (`whole`), measured in the same run on
 * the same rows. PGlite in-process; also a real PostgreSQL when TEST_DATABASE_URL names one with pgvector.
 */
const USAGE = '--sizes 10000,100000 --page 1000';

function options(args: string[]) {
	const { values } = parseArgs({
		args,
		options: { sizes: { type: 'string', default: '10000,100000' }, page: { type: 'string', default: '1000' } },
		strict: true
	});
	const sizes = (values.sizes ?? '').split(',').map(Number);
	const page = Number(values.page);
	if (sizes.some((n) => !Number.isInteger(n) || n <= 0) || !Number.isInteger(page) || page <= 0 || page > 1000)
		throw new Error(`Expected ${USAGE}.`);
	return { sizes, page };
}

/** Grows the team's history to `rows` rows: chunks (with 384-d vectors) are most of it, as in real cases. */
async function grow(pool: pg.Pool, teamId: string, from: number, rows: number): Promise<void> {
	const caseId = crypto.randomUUID();
	const insert = async (table: string, count: number, start: number, extra = '') => {
		if (count <= 0) return;
		const columns = 'team_id, id, case_id, rev, seq, deleted, fields, field_revs';
		await pool.query(
			`INSERT INTO ${table} (${columns}${extra ? ', document_id, embedding, dim' : ''})
			 SELECT $1, gen_random_uuid(), $2, 1, $3 + g, false,
			        jsonb_build_object('title', 'row ' || g, 'text', repeat('lorem ipsum ', 20)), '{}'::jsonb
			        ${extra}
			 FROM generate_series(1, $4) AS g`,
			[teamId, caseId, start, count]
		);
	};
	const n = rows - from;
	// Interleaved across tables by seq ranges: each table holds a share of the sequence numbers.
	const shares = {
		cases: 0.01,
		documents: 0.04,
		threads: 0.05,
		messages: 0.2,
		chunks: 0.7,
		eventEdits: 0,
		ocrLayers: 0
	} as const;
	let seq = from;
	for (const table of SYNCED_TABLES) {
		const count = table === 'chunks' ? n - Math.round(n * 0.3) : Math.round(n * shares[table]);
		await insert(
			table,
			count,
			seq,
			table === 'chunks'
				? `, gen_random_uuid(), (SELECT array_agg(((g * 7 + d) % 97) / 97.0)::vector FROM generate_series(1, 384) AS d), 384`
				: ''
		);
		seq += count;
	}
	await pool.query('UPDATE teams SET seq = $2 WHERE id = $1', [teamId, seq]);
	await pool.query('ANALYZE');
}

async function pullAll(store: SyncStore, teamId: string, page: number, plan: PullPlan) {
	const start = performance.now();
	let since = 0;
	let rows = 0;
	let pages = 0;
	for (;;) {
		const result = await store.pull(teamId, since, page, plan);
		rows += result.changes.length;
		pages++;
		since = result.checkpoint;
		if (!result.hasMore) break;
	}
	return { rows, pages, ms: performance.now() - start };
}

async function run(context: BenchContext, mode: DatabaseMode, sizes: number[], page: number) {
	const backend = await openBackend(mode);
	try {
		const server = await backend.start({ rateLimit: { burst: 1e9, perSecond: 1e9 } });
		await newUser(server, `bench-${crypto.randomUUID()}`);
		const pool = server.database.pool;
		const teamId = (await pool.query<{ id: string }>('SELECT id FROM teams LIMIT 1')).rows[0]?.id;
		if (!teamId) throw new Error('no team');
		const store = new SyncStore(pool);
		let have = 0;
		for (const size of [...sizes].sort((a, b) => a - b)) {
			await grow(pool, teamId, have, size);
			have = size;
			const after = await pullAll(store, teamId, page, 'per-branch');
			const before = await pullAll(store, teamId, page, 'whole');
			if (after.rows !== size || before.rows !== size)
				throw new Error(`pulled ${after.rows} / ${before.rows} of ${size} rows`);
			context.log(
				`${mode} ${size} rows: per-branch ${(after.ms / after.pages).toFixed(1)} ms/page, whole ${(before.ms / before.pages).toFixed(1)} ms/page (${after.pages} pages of ${page})`
			);
			context.report({
				figure: `pull from 0, ${size} rows, ${page} per page (${mode === 'pglite' ? 'PGlite' : 'PostgreSQL'}, per-table LIMIT)`,
				value: size / (after.ms / 1000),
				unit: 'rows/s',
				baseline: 'the old query (every row after the cursor, then LIMIT)',
				baseline_value: size / (before.ms / 1000)
			});
		}
	} finally {
		await backend.close();
	}
}

export const pullBench: Bench = {
	name: 'pull',
	summary: 'Sync server: pull rows/s from 0 at 10k and 100k rows, per-table LIMIT vs the old query',
	async run(context: BenchContext) {
		const { sizes, page } = options(context.args);
		await run(context, 'pglite', sizes, page);
		if (TEST_DATABASE_URL && !POSTGRES_SKIP_REASON) await run(context, 'postgres', sizes, page);
		else context.log(`real PostgreSQL skipped: ${POSTGRES_SKIP_REASON}`);
	}
};
