import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import { transaction } from './db/database.ts';
import {
	EMBEDDING_FIELD,
	EMBEDDING_MODEL_FIELD,
	LIMITS,
	SYNCED_TABLES,
	type Fields,
	type Mutation,
	type MutationResult,
	type PullResponse,
	type SearchResponse,
	type ServerRow,
	type SyncedTableName
} from '../src/lib/sync/protocol.ts';
import { MAX_FLOAT32 } from '../src/lib/sync/safe-json.ts';

/**
 * Push, pull and search over the team's rows. Table names come only from `SYNCED_TABLES` (a constant),
 * every value travels as a query parameter.
 */

/** Per field: the revision that last changed it and the client that made the change. */
type FieldRevs = Record<string, { r: number; c: string }>;

interface StoredRow {
	id: string;
	case_id: string;
	rev: number;
	seq: string | number;
	deleted: boolean;
	fields: Fields;
	field_revs: FieldRevs;
	embedding: string | null;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function tableName(table: SyncedTableName): string {
	// The value is already one of the enum's members; this keeps that fact next to the SQL that needs it.
	if (!SYNCED_TABLES.includes(table)) throw new Error(`Unknown table ${String(table)}`);
	return table;
}

function toServerRow(table: SyncedTableName, row: StoredRow): ServerRow {
	const fields: Fields = { ...row.fields };
	if (table !== 'cases') fields['caseId'] = row.case_id;
	if (table === 'chunks' && row.embedding) fields[EMBEDDING_FIELD] = JSON.parse(row.embedding) as unknown;
	return { table, id: row.id, rev: row.rev, seq: Number(row.seq), deleted: row.deleted, fields };
}

class Rejection extends Error {}

interface Embedding {
	text: string;
	dim: number;
	modelId: string | null;
}

/** Splits the fields a client sent into what goes into JSON and what goes into columns. */
function splitFields(
	table: SyncedTableName,
	fields: Fields
): { data: Fields; embedding: Embedding | null | undefined; documentId: string | undefined } {
	const data: Fields = { ...fields };
	delete data['caseId'];
	let embedding: Embedding | null | undefined;
	let documentId: string | undefined;
	if (table === 'chunks') {
		const vector = data[EMBEDDING_FIELD];
		delete data[EMBEDDING_FIELD];
		const modelId = data[EMBEDDING_MODEL_FIELD];
		if (vector === null) embedding = null;
		else if (vector !== undefined) {
			if (!Array.isArray(vector) || vector.length === 0 || vector.length > LIMITS.maxVectorDimensions)
				throw new Rejection(`"${EMBEDDING_FIELD}" must be a list of 1–${LIMITS.maxVectorDimensions} numbers.`);
			const numbers: number[] = [];
			for (const x of vector) {
				if (typeof x !== 'number' || !Number.isFinite(x) || Math.abs(x) > MAX_FLOAT32)
					throw new Rejection(
						`"${EMBEDDING_FIELD}" must hold only numbers a 32-bit float holds (at most ${MAX_FLOAT32} in size).`
					);
				numbers.push(x);
			}
			embedding = {
				text: JSON.stringify(numbers),
				dim: numbers.length,
				modelId: typeof modelId === 'string' ? modelId.slice(0, 200) : null
			};
		}
		const doc = fields['documentId'];
		if (doc !== undefined) {
			if (typeof doc !== 'string' || !UUID.test(doc)) throw new Rejection('"documentId" must be a UUID.');
			documentId = doc;
		}
	}
	return { data, embedding, documentId };
}

/** A row being worked on in one push: loaded once, changed in memory, written once at the end. */
interface WorkingRow extends StoredRow {
	document_id: string | null;
	dim: number | null;
	model_id: string | null;
}

const ROW_COLUMNS = 'id, case_id, rev, seq, deleted, fields, field_revs';

/**
 * One push's view of the team's rows. Every row the batch touches is read in one query per table, the
 * mutations are applied in order against this view, and the changed rows are written back with one
 * upsert per table: the transaction (and the team's sequence lock) stays short.
 */
class PushBatch {
	private readonly rows = new Map<string, WorkingRow | null>();
	private readonly dirty = new Map<string, { table: SyncedTableName; row: WorkingRow }>();

	constructor(
		private readonly client: pg.PoolClient,
		private readonly teamId: string
	) {}

	private static key(table: SyncedTableName, id: string): string {
		return `${table}:${id.toLowerCase()}`;
	}

	private async fetch(table: SyncedTableName, where: string, params: unknown[]): Promise<WorkingRow[]> {
		const extra =
			table === 'chunks'
				? 'embedding::text AS embedding, document_id, dim, model_id'
				: 'NULL::text AS embedding, NULL::uuid AS document_id, NULL::int AS dim, NULL::text AS model_id';
		const { rows } = await this.client.query<WorkingRow>(
			`SELECT ${ROW_COLUMNS}, ${extra} FROM ${tableName(table)} WHERE team_id = $1 AND ${where}`,
			[this.teamId, ...params]
		);
		return rows;
	}

	/** Reads every row the mutations name, and every case their rows hang on. */
	async preload(mutations: readonly Mutation[]): Promise<void> {
		const wanted = new Map<SyncedTableName, Set<string>>();
		const want = (table: SyncedTableName, id: string) => {
			if (this.rows.has(PushBatch.key(table, id))) return;
			const set = wanted.get(table) ?? new Set<string>();
			set.add(id.toLowerCase());
			wanted.set(table, set);
		};
		for (const m of mutations) {
			want(m.table, m.id);
			const caseId = m.fields['caseId'];
			if (typeof caseId === 'string' && UUID.test(caseId)) want('cases', caseId);
		}
		for (const [table, ids] of wanted) {
			for (const id of ids) this.rows.set(PushBatch.key(table, id), null);
			for (const row of await this.fetch(table, 'id = ANY($2::uuid[])', [[...ids]]))
				this.rows.set(PushBatch.key(table, row.id), row);
		}
	}

	get(table: SyncedTableName, id: string): WorkingRow | undefined {
		return this.rows.get(PushBatch.key(table, id)) ?? undefined;
	}

	set(table: SyncedTableName, row: WorkingRow): void {
		this.rows.set(PushBatch.key(table, row.id), row);
		this.dirty.set(PushBatch.key(table, row.id), { table, row });
	}

	/** The live rows of a case in one table: those in the database and those made earlier in this batch. */
	async liveRowsOfCase(table: SyncedTableName, caseId: string): Promise<WorkingRow[]> {
		for (const row of await this.fetch(table, 'case_id = $2 AND NOT deleted', [caseId]))
			if (!this.rows.get(PushBatch.key(table, row.id))) this.rows.set(PushBatch.key(table, row.id), row);
		const prefix = `${table}:`;
		return [...this.rows]
			.filter(([key, row]) => key.startsWith(prefix) && row && row.case_id === caseId && !row.deleted)
			.map(([, row]) => row!)
			.sort((a, b) => a.id.localeCompare(b.id));
	}

	async flush(): Promise<void> {
		const byTable = new Map<SyncedTableName, WorkingRow[]>();
		for (const { table, row } of this.dirty.values()) byTable.set(table, [...(byTable.get(table) ?? []), row]);
		for (const [table, rows] of byTable) {
			const chunk = table === 'chunks';
			const params: unknown[] = [
				this.teamId,
				rows.map((r) => r.id),
				rows.map((r) => r.case_id),
				rows.map((r) => r.rev),
				rows.map((r) => Number(r.seq)),
				rows.map((r) => r.deleted),
				rows.map((r) => JSON.stringify(r.fields)),
				rows.map((r) => JSON.stringify(r.field_revs))
			];
			const columns = ['team_id', 'id', 'case_id', 'rev', 'seq', 'deleted', 'fields', 'field_revs'];
			let select = '$1::uuid, i, c, r, s, d, f, fr';
			let unnest = '$2::uuid[], $3::uuid[], $4::int[], $5::bigint[], $6::boolean[], $7::jsonb[], $8::jsonb[]';
			let names = 'i, c, r, s, d, f, fr';
			if (chunk) {
				params.push(
					rows.map((r) => r.document_id),
					rows.map((r) => r.embedding),
					rows.map((r) => r.dim),
					rows.map((r) => r.model_id)
				);
				columns.push('document_id', 'embedding', 'dim', 'model_id');
				select += ', doc, e::vector, dm, mo';
				unnest += ', $9::uuid[], $10::text[], $11::int[], $12::text[]';
				names += ', doc, e, dm, mo';
			}
			const updates = columns
				.filter((c) => c !== 'team_id' && c !== 'id')
				.map((c) => `${c} = EXCLUDED.${c}`)
				.join(', ');
			await this.client.query(
				`INSERT INTO ${tableName(table)} (${columns.join(', ')}) SELECT ${select} FROM unnest(${unnest}) AS t(${names})
				 ON CONFLICT (team_id, id) DO UPDATE SET ${updates}, updated_at = now()`,
				params
			);
		}
	}
}

/** A pull whose `since` is past every change the server has: the server was restored from an older backup. */
export class CursorAheadError extends Error {
	override name = 'CursorAheadError';
	constructor(
		readonly since: number,
		readonly latest: number
	) {
		super(
			`This device has synced up to change ${since}, but the server's latest is ${latest}: the server was restored from a backup. Pull again from 0.`
		);
	}
}

/** How a pull page is read: `per-branch` limits each table's part (the default), `whole` is the old plan. */
export type PullPlan = 'per-branch' | 'whole';

export class SyncStore {
	constructor(
		private readonly pool: pg.Pool,
		/** Told each team's sequence number after a push that wrote, so the restore marker can follow it. */
		private readonly onProgress: (teamId: string, seq: number) => void = () => undefined
	) {}

	/**
	 * Applies a client's mutations in order, in one transaction that holds the team's sequence row, so
	 * sequence numbers are committed in order and a pull never steps over a change committed later.
	 */
	async push(teamId: string, clientId: string, mutations: readonly Mutation[]): Promise<MutationResult[]> {
		const outcome = await transaction(this.pool, async (client) => {
			const team = await client.query<{ seq: string }>('SELECT seq FROM teams WHERE id = $1 FOR UPDATE', [teamId]);
			let seq = Number(team.rows[0]?.seq ?? 0);
			const startSeq = seq;
			const results: MutationResult[] = [];
			// One look-up for every replay in the batch, and one write of every new result at the end.
			const stored = new Map<string, MutationResult>();
			const previous = await client.query<{ mutation_id: string; result: MutationResult }>(
				'SELECT mutation_id, result FROM applied_mutations WHERE team_id = $1 AND client_id = $2 AND mutation_id = ANY($3::uuid[])',
				[teamId, clientId, mutations.map((m) => m.mutationId)]
			);
			for (const row of previous.rows) stored.set(row.mutation_id.toLowerCase(), row.result);
			const batch = new PushBatch(client, teamId);
			await batch.preload(mutations.filter((m) => !stored.has(m.mutationId.toLowerCase())));
			const fresh: MutationResult[] = [];
			for (const mutation of mutations) {
				const earlier = stored.get(mutation.mutationId.toLowerCase());
				if (earlier) {
					// A retry: the first answer stands and nothing is written again.
					results.push(earlier.status === 'applied' ? { ...earlier, status: 'duplicate' } : earlier);
					continue;
				}
				let result: MutationResult;
				try {
					result = await this.apply(batch, clientId, mutation, () => ++seq);
				} catch (error) {
					if (!(error instanceof Rejection)) throw error;
					result = { mutationId: mutation.mutationId, status: 'rejected', rev: 0, seq: 0, reason: error.message };
				}
				stored.set(mutation.mutationId.toLowerCase(), result);
				fresh.push(result);
				results.push(result);
			}
			await batch.flush();
			if (fresh.length > 0)
				await client.query(
					'INSERT INTO applied_mutations (team_id, client_id, mutation_id, result) SELECT $1, $2, m, r FROM unnest($3::uuid[], $4::jsonb[]) AS t(m, r)',
					[teamId, clientId, fresh.map((r) => r.mutationId), fresh.map((r) => JSON.stringify(r))]
				);
			if (seq !== startSeq) await client.query('UPDATE teams SET seq = $2 WHERE id = $1', [teamId, seq]);
			return { results, seq, changed: seq !== startSeq };
		});
		if (outcome.changed) this.onProgress(teamId, outcome.seq);
		return outcome.results;
	}

	private caseOf(batch: PushBatch, mutation: Mutation, existing: WorkingRow | undefined): string {
		if (mutation.table === 'cases') return mutation.id.toLowerCase();
		const given = mutation.fields['caseId'];
		if (existing) {
			if (given !== undefined && (typeof given !== 'string' || given.toLowerCase() !== existing.case_id))
				throw new Rejection('A row cannot move to another case.');
			return existing.case_id;
		}
		if (typeof given !== 'string' || !UUID.test(given))
			throw new Rejection('"caseId" must be the UUID of one of your team’s cases.');
		const caseRow = batch.get('cases', given);
		if (!caseRow) throw new Rejection('The case does not exist on the server: push the case before its contents.');
		if (caseRow.deleted) throw new Rejection('The case was deleted on the server.');
		return caseRow.id;
	}

	private async apply(
		batch: PushBatch,
		clientId: string,
		mutation: Mutation,
		nextSeq: () => number
	): Promise<MutationResult> {
		const { table, mutationId } = mutation;
		const existing = batch.get(table, mutation.id);
		const caseId = this.caseOf(batch, mutation, existing);
		const conflict = (row: StoredRow): MutationResult => ({
			mutationId,
			status: 'conflict',
			rev: row.rev,
			seq: Number(row.seq),
			server: toServerRow(table, row)
		});

		if (existing?.deleted) {
			// A tombstone wins over everything that was based on the row before it died.
			if (mutation.op === 'delete')
				return { mutationId, status: 'applied', rev: existing.rev, seq: Number(existing.seq) };
			return conflict(existing);
		}
		if (existing && mutation.baseRev > existing.rev)
			throw new Rejection(`baseRev ${mutation.baseRev} is newer than the server's revision ${existing.rev}.`);

		// Fields someone else changed after the client's base revision.
		const changedByOthers = (names: Iterable<string>) =>
			[...names].filter((name) => {
				const stamp = existing?.field_revs[name];
				return stamp !== undefined && stamp.r > mutation.baseRev && stamp.c !== clientId;
			});

		if (mutation.op === 'delete') {
			if (!existing) return { mutationId, status: 'applied', rev: 0, seq: 0 };
			if (existing.rev !== mutation.baseRev && changedByOthers(Object.keys(existing.field_revs)).length > 0)
				return conflict(existing);
			const tombstone = {
				...existing,
				rev: existing.rev + 1,
				seq: nextSeq(),
				deleted: true,
				fields: {},
				field_revs: {},
				embedding: null,
				dim: null
			};
			batch.set(table, tombstone);
			if (table === 'cases') await this.deleteCaseContents(batch, existing.id, nextSeq);
			return { mutationId, status: 'applied', rev: tombstone.rev, seq: Number(tombstone.seq) };
		}

		const { data, embedding, documentId } = splitFields(table, mutation.fields);
		const sent = Object.keys(mutation.fields).filter((name) => name !== 'caseId');
		if (!existing) {
			const rev = 1;
			const stamps: FieldRevs = {};
			for (const name of sent) stamps[name] = { r: rev, c: clientId };
			const row: WorkingRow = {
				id: mutation.id.toLowerCase(),
				case_id: caseId,
				rev,
				seq: nextSeq(),
				deleted: false,
				fields: data,
				field_revs: stamps,
				embedding: embedding?.text ?? null,
				dim: embedding?.dim ?? null,
				model_id: embedding?.modelId ?? null,
				document_id: documentId ?? null
			};
			batch.set(table, row);
			return { mutationId, status: 'applied', rev, seq: Number(row.seq) };
		}

		const current = toServerRow(table, existing).fields;
		const clashing = changedByOthers(sent).filter((name) => !isDeepStrictEqual(current[name], mutation.fields[name]));
		if (clashing.length > 0) return conflict(existing);
		const merged = existing.rev !== mutation.baseRev;
		const stamps: FieldRevs = { ...existing.field_revs };
		const rev = existing.rev + 1;
		for (const name of sent) stamps[name] = { r: rev, c: clientId };
		const row: WorkingRow = {
			...existing,
			rev,
			seq: nextSeq(),
			fields: { ...existing.fields, ...data },
			field_revs: stamps
		};
		if (embedding !== undefined)
			Object.assign(row, {
				embedding: embedding?.text ?? null,
				dim: embedding?.dim ?? null,
				model_id: embedding?.modelId ?? null
			});
		if (documentId !== undefined) row.document_id = documentId;
		batch.set(table, row);
		const result: MutationResult = { mutationId, status: 'applied', rev, seq: Number(row.seq) };
		// Someone else changed other fields meanwhile: hand back the merged row for the client to adopt.
		return merged ? { ...result, server: toServerRow(table, row) } : result;
	}

	/** A deleted case takes its contents with it, each as a tombstone that reaches every device. */
	private async deleteCaseContents(batch: PushBatch, caseId: string, nextSeq: () => number): Promise<void> {
		for (const table of SYNCED_TABLES) {
			if (table === 'cases') continue;
			for (const row of await batch.liveRowsOfCase(table, caseId))
				batch.set(table, {
					...row,
					rev: row.rev + 1,
					seq: nextSeq(),
					deleted: true,
					fields: {},
					field_revs: {},
					embedding: null,
					dim: null
				});
		}
	}

	/**
	 * Changes after `since`, in commit order: each row once, at its latest change. Each table's part is
	 * limited on its own (`ORDER BY seq LIMIT n` over the `(team_id, seq)` index), so a page reads at most
	 * 5 × n rows however large the tables are; the union is then cut to n.
	 */
	async pull(teamId: string, since: number, limit: number, plan: PullPlan = 'per-branch'): Promise<PullResponse> {
		// The epoch is read with every pull: another instance may have drawn a new one (epoch.ts).
		const team = await this.pool.query<{ seq: string; epoch: string }>(
			'SELECT t.seq, e.epoch FROM teams t CROSS JOIN server_epoch e WHERE t.id = $1',
			[teamId]
		);
		const latest = Number(team.rows[0]?.seq ?? 0);
		const epoch = team.rows[0]?.epoch ?? '';
		if (since > latest) throw new CursorAheadError(since, latest);
		const columns = (table: SyncedTableName, alias: string) =>
			`'${table}' AS tbl, ${alias}.id, ${alias}.case_id, ${alias}.rev, ${alias}.seq, ${alias}.deleted, ${alias}.fields, '{}'::jsonb AS field_revs, ${table === 'chunks' ? `${alias}.embedding::text` : 'NULL::text'} AS embedding`;
		// per-branch: the page's keys first, each table's part limited on its own, then only the winners'
		// rows (vectors as text are the costly part). whole: the old plan, kept for the benchmark.
		const sql =
			plan === 'per-branch'
				? `WITH page AS MATERIALIZED (
					${SYNCED_TABLES.map((table) => `(SELECT '${table}' AS tbl, id, seq FROM ${tableName(table)} WHERE team_id = $1 AND seq > $2 ORDER BY seq LIMIT $3)`).join(' UNION ALL ')}
					ORDER BY seq LIMIT $3
				)
				${SYNCED_TABLES.map((table) => `SELECT ${columns(table, 'r')} FROM page p CROSS JOIN LATERAL (SELECT * FROM ${tableName(table)} x WHERE x.team_id = $1 AND x.id = p.id) r WHERE p.tbl = '${table}'`).join(' UNION ALL ')}
				ORDER BY seq`
				: `${SYNCED_TABLES.map((table) => `SELECT ${columns(table, 'r')} FROM ${tableName(table)} r WHERE r.team_id = $1 AND r.seq > $2`).join(' UNION ALL ')} ORDER BY seq LIMIT $3`;
		const { rows } = await this.pool.query<StoredRow & { tbl: SyncedTableName }>(sql, [teamId, since, limit + 1]);
		const hasMore = rows.length > limit;
		const changes = rows.slice(0, limit).map((row) => toServerRow(row.tbl, row));
		const last = changes.at(-1);
		return { epoch, changes, checkpoint: last ? last.seq : since, hasMore };
	}

	/**
	 * Nearest chunks of one case. The candidate rows are materialised before ordering, so the query is an
	 * exact scan of the case: an HNSW index scan with a `case_id` filter can return fewer than k rows.
	 */
	async search(
		teamId: string,
		caseId: string,
		vector: readonly number[],
		k: number
	): Promise<SearchResponse | undefined> {
		const owned = await this.pool.query('SELECT 1 FROM cases WHERE team_id = $1 AND id = $2 AND NOT deleted', [
			teamId,
			caseId
		]);
		if (owned.rowCount === 0) return undefined;
		const { rows } = await this.pool.query<{
			id: string;
			document_id: string | null;
			distance: number | string | null;
			fields: Fields;
			case_id: string;
		}>(
			// Distances are computed inside the materialised CTE (no ORDER BY there, so no index can serve
			// it); only ids and distances are kept, and the k winners are joined back for their fields.
			`WITH scored AS MATERIALIZED (
				SELECT id, embedding <=> $4::vector AS distance FROM chunks
				WHERE team_id = $1 AND case_id = $2 AND dim = $3 AND NOT deleted
			), best AS (SELECT id, distance FROM scored ORDER BY distance, id LIMIT $5)
			SELECT c.id, c.document_id, c.case_id, c.fields, best.distance FROM best JOIN chunks c ON c.team_id = $1 AND c.id = best.id
			ORDER BY best.distance, best.id`,
			[teamId, caseId, vector.length, JSON.stringify(vector), k]
		);
		return {
			results: rows.map((row) => ({
				chunkId: row.id,
				documentId: row.document_id ?? '',
				// A zero vector has no direction: pgvector answers NaN, which JSON cannot carry.
				distance: row.distance === null || !Number.isFinite(Number(row.distance)) ? null : Number(row.distance),
				fields: { ...row.fields, caseId: row.case_id }
			}))
		};
	}
}
