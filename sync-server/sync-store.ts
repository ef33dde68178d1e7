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
function splitFields(table: SyncedTableName, fields: Fields): { data: Fields; embedding: Embedding | null | undefined; documentId: string | undefined } {
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
				if (typeof x !== 'number' || !Number.isFinite(x)) throw new Rejection(`"${EMBEDDING_FIELD}" must hold only finite numbers.`);
				numbers.push(x);
			}
			embedding = { text: JSON.stringify(numbers), dim: numbers.length, modelId: typeof modelId === 'string' ? modelId.slice(0, 200) : null };
		}
		const doc = fields['documentId'];
		if (doc !== undefined) {
			if (typeof doc !== 'string' || !UUID.test(doc)) throw new Rejection('"documentId" must be a UUID.');
			documentId = doc;
		}
	}
	return { data, embedding, documentId };
}

export class SyncStore {
	constructor(private readonly pool: pg.Pool) {}

	/**
	 * Applies a client's mutations in order, in one transaction that holds the team's sequence row, so
	 * sequence numbers are committed in order and a pull never steps over a change committed later.
	 */
	async push(teamId: string, clientId: string, mutations: readonly Mutation[]): Promise<MutationResult[]> {
		return transaction(this.pool, async (client) => {
			const team = await client.query<{ seq: string }>('SELECT seq FROM teams WHERE id = $1 FOR UPDATE', [teamId]);
			let seq = Number(team.rows[0]?.seq ?? 0);
			const startSeq = seq;
			const results: MutationResult[] = [];
			for (const mutation of mutations) {
				const replay = await client.query<{ result: MutationResult }>(
					'SELECT result FROM applied_mutations WHERE team_id = $1 AND client_id = $2 AND mutation_id = $3',
					[teamId, clientId, mutation.mutationId]
				);
				const stored = replay.rows[0]?.result;
				if (stored) {
					// A retry: the first answer stands and nothing is written again.
					results.push(stored.status === 'applied' ? { ...stored, status: 'duplicate' } : stored);
					continue;
				}
				let result: MutationResult;
				try {
					result = await this.apply(client, teamId, clientId, mutation, () => ++seq);
				} catch (error) {
					if (!(error instanceof Rejection)) throw error;
					result = { mutationId: mutation.mutationId, status: 'rejected', rev: 0, seq: 0, reason: error.message };
				}
				await client.query('INSERT INTO applied_mutations (team_id, client_id, mutation_id, result) VALUES ($1, $2, $3, $4)', [
					teamId,
					clientId,
					mutation.mutationId,
					JSON.stringify(result)
				]);
				results.push(result);
			}
			if (seq !== startSeq) await client.query('UPDATE teams SET seq = $2 WHERE id = $1', [teamId, seq]);
			return results;
		});
	}

	private async load(client: pg.PoolClient, table: SyncedTableName, teamId: string, id: string): Promise<StoredRow | undefined> {
		const embedding = table === 'chunks' ? 'embedding::text' : 'NULL::text';
		const { rows } = await client.query<StoredRow>(
			`SELECT id, case_id, rev, seq, deleted, fields, field_revs, ${embedding} AS embedding FROM ${tableName(table)} WHERE team_id = $1 AND id = $2`,
			[teamId, id]
		);
		return rows[0];
	}

	private async caseOf(client: pg.PoolClient, teamId: string, mutation: Mutation, existing: StoredRow | undefined): Promise<string> {
		if (mutation.table === 'cases') return mutation.id;
		const given = mutation.fields['caseId'];
		if (existing) {
			if (given !== undefined && given !== existing.case_id) throw new Rejection('A row cannot move to another case.');
			return existing.case_id;
		}
		if (typeof given !== 'string' || !UUID.test(given)) throw new Rejection('"caseId" must be the UUID of one of your team’s cases.');
		const found = await client.query<{ deleted: boolean }>('SELECT deleted FROM cases WHERE team_id = $1 AND id = $2', [teamId, given]);
		const caseRow = found.rows[0];
		if (!caseRow) throw new Rejection('The case does not exist on the server: push the case before its contents.');
		if (caseRow.deleted) throw new Rejection('The case was deleted on the server.');
		return given;
	}

	private async apply(
		client: pg.PoolClient,
		teamId: string,
		clientId: string,
		mutation: Mutation,
		nextSeq: () => number
	): Promise<MutationResult> {
		const { table, id, mutationId } = mutation;
		const existing = await this.load(client, table, teamId, id);
		const caseId = await this.caseOf(client, teamId, mutation, existing);
		const conflict = (row: StoredRow): MutationResult => ({ mutationId, status: 'conflict', rev: row.rev, seq: Number(row.seq), server: toServerRow(table, row) });

		if (existing?.deleted) {
			// A tombstone wins over everything that was based on the row before it died.
			if (mutation.op === 'delete') return { mutationId, status: 'applied', rev: existing.rev, seq: Number(existing.seq) };
			return conflict(existing);
		}
		if (existing && mutation.baseRev > existing.rev) throw new Rejection(`baseRev ${mutation.baseRev} is newer than the server's revision ${existing.rev}.`);

		// Fields someone else changed after the client's base revision.
		const changedByOthers = (names: Iterable<string>) =>
			[...names].filter((name) => {
				const stamp = existing?.field_revs[name];
				return stamp !== undefined && stamp.r > mutation.baseRev && stamp.c !== clientId;
			});

		if (mutation.op === 'delete') {
			if (!existing) return { mutationId, status: 'applied', rev: 0, seq: 0 };
			if (existing.rev !== mutation.baseRev && changedByOthers(Object.keys(existing.field_revs)).length > 0) return conflict(existing);
			const rev = existing.rev + 1;
			const seq = nextSeq();
			const extra = table === 'chunks' ? ', embedding = NULL, dim = NULL' : '';
			await client.query(
				`UPDATE ${tableName(table)} SET deleted = true, fields = '{}'::jsonb, field_revs = '{}'::jsonb, rev = $3, seq = $4, updated_at = now()${extra} WHERE team_id = $1 AND id = $2`,
				[teamId, id, rev, seq]
			);
			if (table === 'cases') await this.deleteCaseContents(client, teamId, id, nextSeq);
			return { mutationId, status: 'applied', rev, seq };
		}

		const { data, embedding, documentId } = splitFields(table, mutation.fields);
		if (!existing) {
			const rev = 1;
			const seq = nextSeq();
			const stamps: FieldRevs = {};
			for (const name of Object.keys(mutation.fields)) stamps[name] = { r: rev, c: clientId };
			const columns = ['team_id', 'id', 'case_id', 'rev', 'seq', 'fields', 'field_revs'];
			const values: unknown[] = [teamId, id, caseId, rev, seq, JSON.stringify(data), JSON.stringify(stamps)];
			if (table === 'chunks') {
				columns.push('document_id', 'embedding', 'dim', 'model_id');
				values.push(documentId ?? null, embedding?.text ?? null, embedding?.dim ?? null, embedding?.modelId ?? null);
			}
			const placeholders = values.map((_, i) => `$${i + 1}`).join(', ');
			await client.query(`INSERT INTO ${tableName(table)} (${columns.join(', ')}) VALUES (${placeholders})`, values);
			return { mutationId, status: 'applied', rev, seq };
		}

		const sent = Object.keys(mutation.fields).filter((name) => name !== 'caseId');
		const current = toServerRow(table, existing).fields;
		const clashing = changedByOthers(sent).filter((name) => !isDeepStrictEqual(current[name], mutation.fields[name]));
		if (clashing.length > 0) return conflict(existing);
		const merged = existing.rev !== mutation.baseRev;
		const rev = existing.rev + 1;
		const seq = nextSeq();
		const stamps: FieldRevs = { ...existing.field_revs };
		for (const name of sent) stamps[name] = { r: rev, c: clientId };
		const params: unknown[] = [teamId, id, rev, seq, JSON.stringify({ ...existing.fields, ...data }), JSON.stringify(stamps)];
		let extra = '';
		if (table === 'chunks') {
			if (embedding !== undefined) {
				params.push(embedding?.text ?? null, embedding?.dim ?? null, embedding?.modelId ?? null);
				extra += `, embedding = $${params.length - 2}::vector, dim = $${params.length - 1}, model_id = $${params.length}`;
			}
			if (documentId !== undefined) {
				params.push(documentId);
				extra += `, document_id = $${params.length}`;
			}
		}
		await client.query(
			`UPDATE ${tableName(table)} SET rev = $3, seq = $4, fields = $5, field_revs = $6, updated_at = now()${extra} WHERE team_id = $1 AND id = $2`,
			params
		);
		if (!merged) return { mutationId, status: 'applied', rev, seq };
		// Someone else changed other fields meanwhile: hand back the merged row for the client to adopt.
		const after = await this.load(client, table, teamId, id);
		return { mutationId, status: 'applied', rev, seq, ...(after ? { server: toServerRow(table, after) } : {}) };
	}

	/** A deleted case takes its contents with it, each as a tombstone that reaches every device. */
	private async deleteCaseContents(client: pg.PoolClient, teamId: string, caseId: string, nextSeq: () => number): Promise<void> {
		for (const table of SYNCED_TABLES) {
			if (table === 'cases') continue;
			const { rows } = await client.query<{ id: string }>(
				`SELECT id FROM ${tableName(table)} WHERE team_id = $1 AND case_id = $2 AND NOT deleted ORDER BY id`,
				[teamId, caseId]
			);
			const extra = table === 'chunks' ? ', embedding = NULL, dim = NULL' : '';
			for (const { id } of rows)
				await client.query(
					`UPDATE ${tableName(table)} SET deleted = true, fields = '{}'::jsonb, field_revs = '{}'::jsonb, rev = rev + 1, seq = $3, updated_at = now()${extra} WHERE team_id = $1 AND id = $2`,
					[teamId, id, nextSeq()]
				);
		}
	}

	/** Changes after `since`, in commit order: each row once, at its latest change. */
	async pull(teamId: string, since: number, limit: number): Promise<PullResponse> {
		const parts = SYNCED_TABLES.map(
			(table) =>
				`SELECT '${table}' AS tbl, id, case_id, rev, seq, deleted, fields, '{}'::jsonb AS field_revs, ${table === 'chunks' ? 'embedding::text' : 'NULL::text'} AS embedding FROM ${tableName(table)} WHERE team_id = $1 AND seq > $2`
		);
		const { rows } = await this.pool.query<StoredRow & { tbl: SyncedTableName }>(`${parts.join(' UNION ALL ')} ORDER BY seq LIMIT $3`, [
			teamId,
			since,
			limit + 1
		]);
		const hasMore = rows.length > limit;
		const changes = rows.slice(0, limit).map((row) => toServerRow(row.tbl, row));
		const last = changes.at(-1);
		return { changes, checkpoint: last ? last.seq : since, hasMore };
	}

	/**
	 * Nearest chunks of one case. The candidate rows are materialised before ordering, so the query is an
	 * exact scan of the case: an HNSW index scan with a `case_id` filter can return fewer than k rows.
	 */
	async search(teamId: string, caseId: string, vector: readonly number[], k: number): Promise<SearchResponse | undefined> {
		const owned = await this.pool.query('SELECT 1 FROM cases WHERE team_id = $1 AND id = $2 AND NOT deleted', [teamId, caseId]);
		if (owned.rowCount === 0) return undefined;
		const { rows } = await this.pool.query<{ id: string; document_id: string | null; distance: number; fields: Fields; case_id: string }>(
			`WITH candidates AS MATERIALIZED (
				SELECT id, document_id, case_id, fields, embedding FROM chunks
				WHERE team_id = $1 AND case_id = $2 AND dim = $3 AND NOT deleted
			)
			SELECT id, document_id, case_id, fields, embedding <=> $4::vector AS distance FROM candidates ORDER BY distance, id LIMIT $5`,
			[teamId, caseId, vector.length, JSON.stringify(vector), k]
		);
		return {
			results: rows.map((row) => ({
				chunkId: row.id,
				documentId: row.document_id ?? '',
				distance: Number(row.distance),
				fields: { ...row.fields, caseId: row.case_id }
			}))
		};
	}
}
