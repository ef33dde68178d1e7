import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { percentile, type Bench, type BenchContext } from './report.ts';
import { apiClient, newUser, openBackend, put, tus } from '../sync-server/testing.ts';
import { SyncStore } from '../sync-server/sync-store.ts';

/**
 * The sync server on this machine, each figure beside a same-run baseline:
 * - tus upload throughput over loopback vs writing the same bytes to a file;
 * - push and pull records/s through the API vs the same rows written/read with plain SQL;
 * - pgvector top-10 within one case: HNSW (iterative scan) latency and recall vs the exact scan the
 *   API uses, on PGlite in-process and over the wire protocol (pglite-socket).
 */

const USAGE =
	'--vectors N (default 10000; the issue’s figure is 100000) --dim D (384) --queries Q (50) --upload-mb M (64) --records R (2000) --ef-search E (100)';

function options(args: string[]) {
	const { values } = parseArgs({
		args,
		options: {
			vectors: { type: 'string', default: '10000' },
			dim: { type: 'string', default: '384' },
			queries: { type: 'string', default: '50' },
			'upload-mb': { type: 'string', default: '64' },
			records: { type: 'string', default: '2000' },
			'ef-search': { type: 'string', default: '100' }
		},
		strict: true
	});
	const n = (name: keyof typeof values) => {
		const value = Number(values[name]);
		if (!Number.isInteger(value) || value <= 0)
			throw new Error(`--${name} must be a positive whole number (${USAGE}).`);
		return value;
	};
	return {
		vectors: n('vectors'),
		dim: n('dim'),
		queries: n('queries'),
		uploadMb: n('upload-mb'),
		records: n('records'),
		efSearch: n('ef-search')
	};
}

/** Clustered unit vectors, like embeddings of a case's passages (topics, with spread around each). */
function clusteredVectors(count: number, dim: number, seed: number): Float32Array[] {
	let state = seed >>> 0 || 1;
	const random = () => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		return (state >>> 0) / 4294967296;
	};
	const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
	const centres = Array.from({ length: 64 }, () => Float32Array.from({ length: dim }, gauss));
	return Array.from({ length: count }, () => {
		const centre = centres[Math.floor(random() * centres.length)]!;
		const v = Float32Array.from(centre, (x) => x + 0.3 * gauss());
		const norm = Math.hypot(...v);
		return v.map((x) => x / norm);
	});
}

const vectorText = (v: Float32Array) => `[${Array.from(v, (x) => x.toPrecision(6)).join(',')}]`;

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
	const start = performance.now();
	const result = await fn();
	return { ms: performance.now() - start, result };
}

export const syncBench: Bench = {
	name: 'sync',
	summary: 'Sync server: tus upload MB/s, push/pull records/s, pgvector top-10 (PGlite and wire)',
	async run(context: BenchContext) {
		const opts = options(context.args);
		context.log(
			`sync bench: ${opts.vectors} vectors of ${opts.dim} dims, ${opts.queries} queries, ${opts.uploadMb} MB upload, ${opts.records} records (${USAGE})`
		);
		const backend = await openBackend('pglite');
		const scratch = await mkdtemp(join(tmpdir(), 'docket-bench-'));
		try {
			const server = await backend.start({ rateLimit: { burst: 1e9, perSecond: 1e9 } });
			const token = await newUser(server, 'bench');
			const api = apiClient(server.url, token);
			await uploads(context, server.url, token, api, scratch, opts.uploadMb);
			await pushPull(context, api, server.database.pool, opts.records);
			if (!backend.pglite) throw new Error('The sync bench needs the in-process PGlite.');
			await vectors(context, backend.pglite, server.database.pool, opts);
		} finally {
			await backend.close();
			await rm(scratch, { recursive: true, force: true });
		}
	}
};

async function uploads(
	context: BenchContext,
	url: string,
	token: string,
	api: ReturnType<typeof apiClient>,
	scratch: string,
	megabytes: number
) {
	const bytes = randomBytes(megabytes * 1024 * 1024);
	const { createHash } = await import('node:crypto');
	const sha256 = createHash('sha256').update(bytes).digest('hex');
	const caseId = crypto.randomUUID();
	const documentId = crypto.randomUUID();
	await api.push(crypto.randomUUID(), [
		put('cases', caseId, 0, { title: 'bench' }),
		put('documents', documentId, 0, { caseId, name: 'big.bin' })
	]);
	const chunk = 8 * 1024 * 1024;
	const client = tus(url, token);
	const upload = await time(async () => {
		const created = await client.create({ caseId, documentId, sha256, filename: 'big.bin' }, bytes.length);
		const location = created.headers.get('location') ?? '';
		for (let offset = 0; offset < bytes.length; offset += chunk) {
			const response = await client.patch(location, offset, bytes.subarray(offset, offset + chunk));
			if (response.status !== 204) throw new Error(`upload failed: HTTP ${response.status}`);
		}
	});
	const raw = await time(async () => {
		const path = join(scratch, 'raw.bin');
		await writeFile(path, bytes);
	});
	const mb = bytes.length / 1024 / 1024;
	context.report({
		figure: 'tus upload over loopback (incl. SHA-256 check)',
		value: mb / (upload.ms / 1000),
		unit: 'MB/s',
		baseline: 'raw file write',
		baseline_value: mb / (raw.ms / 1000)
	});
}

async function pushPull(context: BenchContext, api: ReturnType<typeof apiClient>, pool: pg.Pool, records: number) {
	const caseId = crypto.randomUUID();
	await api.push(crypto.randomUUID(), [put('cases', caseId, 0, { title: 'bench' })]);
	const { checkpoint } = await api.pull(Number.MAX_SAFE_INTEGER - 1, 1).then(() => api.pullAll());
	const mutations = Array.from({ length: records }, (_, i) =>
		put('threads', crypto.randomUUID(), 0, { caseId, title: `thread ${i}`, createdAt: Date.now() })
	);
	const pushed = await time(async () => {
		for (let i = 0; i < mutations.length; i += 500) await api.push(crypto.randomUUID(), mutations.slice(i, i + 500));
	});
	const pulled = await time(() => api.pullAll(checkpoint, 1000));
	if (pulled.result.changes.length !== records) throw new Error(`pulled ${pulled.result.changes.length} of ${records}`);

	await pool.query('CREATE TEMP TABLE bench_rows (id uuid PRIMARY KEY, fields jsonb NOT NULL)');
	const inserted = await time(async () => {
		const client = await pool.connect();
		try {
			await client.query('BEGIN');
			for (const m of mutations)
				await client.query('INSERT INTO bench_rows (id, fields) VALUES ($1, $2)', [m.id, JSON.stringify(m.fields)]);
			await client.query('COMMIT');
		} finally {
			client.release();
		}
	});
	const selected = await time(() => pool.query('SELECT id, fields FROM bench_rows'));
	await pool.query('DROP TABLE bench_rows');
	context.report({
		figure: 'push (API, 500 per request)',
		value: records / (pushed.ms / 1000),
		unit: 'records/s',
		baseline: 'plain SQL insert, one transaction',
		baseline_value: records / (inserted.ms / 1000)
	});
	context.report({
		figure: 'pull (API, 1000 per page)',
		value: records / (pulled.ms / 1000),
		unit: 'records/s',
		baseline: 'plain SQL select',
		baseline_value: records / (selected.ms / 1000)
	});
}

async function vectors(context: BenchContext, pglite: PGlite, pool: pg.Pool, opts: ReturnType<typeof options>) {
	const teamId = (await pool.query<{ id: string }>('SELECT id FROM teams LIMIT 1')).rows[0]?.id;
	if (!teamId) throw new Error('no team');
	const caseId = crypto.randomUUID();
	const otherCase = crypto.randomUUID();
	const documentId = crypto.randomUUID();
	const store = new SyncStore(pool);
	await store.push(teamId, crypto.randomUUID(), [
		put('cases', caseId, 0, { title: 'vectors' }),
		put('cases', otherCase, 0, { title: 'other' })
	]);
	// Queries come from the same topics as the passages (held out, not inserted), as a lawyer's questions do.
	const total = opts.vectors + Math.floor(opts.vectors / 4);
	const all = clusteredVectors(total + opts.queries, opts.dim, 7);
	const data = all.slice(0, total);
	const queries = all.slice(total);
	const indexed = opts.dim === 384 || opts.dim === 768;
	if (!indexed)
		context.log(
			`note: no HNSW index for ${opts.dim} dims (the schema indexes 384 and 768); HNSW figures will be exact scans`
		);
	// Bulk loads build the index once at the end (as a team restoring data would), not row by row.
	if (indexed) await pool.query(`DROP INDEX IF EXISTS chunks_embedding_${opts.dim}`);
	const load = await time(async () => {
		for (let i = 0; i < data.length; i += 1000) {
			const batch = data.slice(i, i + 1000).map(vectorText);
			// The first N vectors are the case's; a quarter more belong to another case, so the filter matters.
			const inCase = i < opts.vectors ? caseId : otherCase;
			await pool.query(
				`INSERT INTO chunks (team_id, id, case_id, rev, seq, fields, field_revs, document_id, embedding, dim)
				 SELECT $1, gen_random_uuid(), $2, 1, 0, '{}'::jsonb, '{}'::jsonb, $3, v::vector, $4 FROM unnest($5::text[]) AS v`,
				[teamId, inCase, documentId, opts.dim, batch]
			);
		}
	});
	context.log(`loaded ${data.length} vectors in ${(load.ms / 1000).toFixed(1)} s`);
	if (indexed) {
		// pgvector builds far faster while the graph fits in maintenance_work_mem (64 MB by default).
		await pool.query(`SET maintenance_work_mem = '1GB'`);
		const build = await time(() =>
			pool.query(
				`CREATE INDEX chunks_embedding_${opts.dim} ON chunks USING hnsw ((embedding::vector(${opts.dim})) vector_cosine_ops) WHERE dim = ${opts.dim}`
			)
		);
		context.log(`built the HNSW index (m=16, ef_construction=64) in ${(build.ms / 1000).toFixed(1)} s`);
	}
	await pool.query('ANALYZE chunks');

	const socket = new PGLiteSocketServer({ db: pglite, port: 0, host: '127.0.0.1' });
	await socket.start();
	const wirePool = new pg.Pool({
		connectionString: `postgres://postgres:postgres@${socket.getServerConn()}/postgres?sslmode=disable`,
		max: 1
	});
	try {
		for (const [label, target] of [
			['PGlite in-process', pool],
			['PGlite over the wire', wirePool]
		] as const) {
			await measureTopK(context, label, target, teamId, caseId, opts.dim, queries, opts.efSearch);
		}
	} finally {
		await wirePool.end();
		await socket.stop();
	}
}

async function measureTopK(
	context: BenchContext,
	label: string,
	pool: pg.Pool,
	teamId: string,
	caseId: string,
	dim: number,
	queries: Float32Array[],
	efSearch: number
) {
	const store = new SyncStore(pool);
	const exact: string[][] = [];
	const exactMs: number[] = [];
	for (const q of queries) {
		const { ms, result } = await time(() => store.search(teamId, caseId, Array.from(q), 10));
		exactMs.push(ms);
		exact.push(result?.results.map((r) => r.chunkId) ?? []);
	}
	const client = await pool.connect();
	const hnswMs: number[] = [];
	let hits = 0;
	try {
		await client.query('SET hnsw.iterative_scan = relaxed_order');
		await client.query(`SET hnsw.ef_search = ${efSearch}`);
		const sql = `SELECT id FROM chunks WHERE team_id = $1 AND case_id = $2 AND dim = ${dim} AND NOT deleted ORDER BY embedding::vector(${dim}) <=> $3::vector(${dim}) LIMIT 10`;
		const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, [
			teamId,
			caseId,
			vectorText(queries[0]!)
		]);
		context.log(
			`${label} plan: ${plan.rows.map((r) => r['QUERY PLAN'].trim()).find((l) => /Index Scan|Seq Scan|Bitmap/.test(l)) ?? '?'}`
		);
		for (const [i, q] of queries.entries()) {
			const { ms, result } = await time(() => client.query<{ id: string }>(sql, [teamId, caseId, vectorText(q)]));
			hnswMs.push(ms);
			const truth = new Set(exact[i]);
			hits += result.rows.filter((r) => truth.has(r.id)).length;
		}
	} finally {
		client.release();
	}
	const recall = hits / (queries.length * 10);
	context.report({
		figure: `top-10 p50 latency, HNSW in one case (${label})`,
		value: percentile(hnswMs, 50),
		unit: 'ms',
		baseline: 'exact scan of the case (the API’s query)',
		baseline_value: percentile(exactMs, 50)
	});
	context.report({
		figure: `top-10 recall, HNSW in one case (${label})`,
		value: recall,
		unit: 'fraction',
		baseline: 'exact scan',
		baseline_value: 1
	});
}
