import { CASE_SCOPED_TABLES, type DocketDatabase } from '../db/database.ts';
import { releaseUnreferencedFiles, type FileStore } from '../db/file-store.ts';
import { applyServerRow, rowDefaults } from '../db/replica.ts';
import type { ConflictRow, OutboxRow, SyncedTable } from '../db/schema.ts';
import { write, type Writes } from '../db/writes.ts';
import { SyncServerError } from '../errors.ts';
import type { QuarantinedRow, SyncApi } from './api-client.ts';
import {
	CURSOR_AHEAD,
	EMBEDDING_FIELD,
	EMBEDDING_MODEL_FIELD,
	LIMITS,
	SYNCED_TABLES,
	type Mutation,
	type MutationResult
} from './protocol.ts';

export { applyServerRow, rowDefaults };

/**
 * The two data halves of a sync run: pushing the outbox and applying pulled changes. Both write to Dexie
 * in one transaction per batch, so a crash leaves either the old state or the new one, never half.
 */

export const CHECKPOINT_KEY = 'sync.checkpoint';
export const CLIENT_ID_KEY = 'sync.clientId';

const SYNCED: readonly SyncedTable[] = SYNCED_TABLES;

/** Every table a batch of server rows may touch (a deleted case empties its local-only tables too). */
function replicaTables(db: DocketDatabase) {
	const names = new Set<string>(['outbox', 'conflicts', 'syncState', 'vectors', ...SYNCED, ...CASE_SCOPED_TABLES]);
	return [...names].map((name) => db.table(name));
}

/** This device's id for idempotent pushes; made once and kept. */
export async function clientId(db: DocketDatabase): Promise<string> {
	return db.transaction('rw', db.syncState, async () => {
		const found = await db.syncState.get(CLIENT_ID_KEY);
		if (typeof found?.value === 'string') return found.value;
		const id = crypto.randomUUID();
		await db.syncState.put({ key: CLIENT_ID_KEY, value: id });
		return id;
	});
}

export async function readCheckpoint(db: DocketDatabase): Promise<number> {
	const found = await db.syncState.get(CHECKPOINT_KEY);
	return typeof found?.value === 'number' ? found.value : 0;
}

/** An outbox entry as the server takes it; a chunk carries its vector, which lives in `vectors` locally. */
async function toMutation(db: DocketDatabase, row: OutboxRow): Promise<Mutation> {
	const fields: Record<string, unknown> = { ...row.fields };
	if (row.table !== 'cases' && row.op === 'put') fields['caseId'] = row.caseId;
	if (row.table === 'chunks' && row.op === 'put' && fields[EMBEDDING_FIELD] === undefined) {
		const vector = await db.vectors.where('chunkId').equals(row.rowId).first();
		if (vector) {
			fields[EMBEDDING_FIELD] = Array.from(vector.vector);
			fields[EMBEDDING_MODEL_FIELD] = vector.modelId;
		}
	}
	return { mutationId: row.mutationId, table: row.table, id: row.rowId, baseRev: row.baseRev, op: row.op, fields };
}

export interface PushSummary {
	pushed: number;
	conflicts: number;
}

/**
 * Sends the outbox in order, in batches. Each batch's results are applied with the removal of its
 * outbox entries in one transaction. A conflict (or a refusal) goes to `conflicts` with both sides, and
 * the server's row becomes the local one: the user's version is kept for them to look at, never dropped.
 */
export async function pushOutbox(
	db: DocketDatabase,
	api: SyncApi,
	batchSize: number = LIMITS.maxMutationsPerPush
): Promise<PushSummary> {
	const id = await clientId(db);
	const summary: PushSummary = { pushed: 0, conflicts: 0 };
	for (;;) {
		const batch = await db.outbox.orderBy('seq').limit(batchSize).toArray();
		if (batch.length === 0) return summary;
		const mutations = await Promise.all(batch.map((row) => toMutation(db, row)));
		const { results } = await api.push(id, mutations);
		if (results.length !== batch.length)
			throw new Error('The server answered a different number of mutations than it was sent.');
		await write(db, replicaTables(db), async (w) => {
			for (const [i, result] of results.entries()) {
				const entry = batch[i]!;
				await applyResult(w, entry, result);
				if (result.status === 'conflict' || result.status === 'rejected') summary.conflicts++;
			}
			await db.outbox.bulkDelete(batch.map((row) => row.seq!));
		});
		summary.pushed += batch.length;
	}
}

async function applyResult(w: Writes, entry: OutboxRow, result: MutationResult): Promise<void> {
	const { db } = w;
	if (result.status === 'conflict' || result.status === 'rejected') {
		const conflict: ConflictRow = {
			id: entry.mutationId,
			table: entry.table,
			rowId: entry.rowId,
			caseId: entry.caseId,
			local: { op: entry.op, ...entry.fields },
			server: result.server
				? { deleted: result.server.deleted, rev: result.server.rev, ...result.server.fields }
				: { rejected: result.reason ?? 'The server refused this change.' },
			createdAt: Date.now()
		};
		await db.conflicts.put(conflict);
	}
	if (result.server) {
		await applyServerRow(w, result.server, { keepPending: false });
		return;
	}
	if (result.status === 'applied' || result.status === 'duplicate') {
		const table = db.table(entry.table);
		const local: unknown = await table.get(entry.rowId);
		if (isRecord(local) && typeof local['rev'] === 'number' && local['rev'] < result.rev)
			await table.update(entry.rowId, { rev: result.rev });
	}
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

export interface PullSummary {
	applied: number;
	checkpoint: number;
	/** Changes that did not fit the protocol and were set aside (`QUARANTINE_KEY`). */
	quarantined: number;
	/** The server was restored from a backup (its epoch changed, or it answered `cursor-ahead`): pulled from 0. */
	repulled: boolean;
}

export const EPOCH_KEY = 'sync.epoch';
/** Pulled changes set aside because they did not fit the protocol; the newest `MAX_QUARANTINED` are kept. */
export const QUARANTINE_KEY = 'sync.quarantined';
/** When the device last pulled everything again because the server had been restored. */
export const REPULLED_KEY = 'sync.repulledAt';
const MAX_QUARANTINED = 100;

export interface QuarantineEntry extends QuarantinedRow {
	at: number;
}

export async function readQuarantine(db: DocketDatabase): Promise<QuarantineEntry[]> {
	const found = await db.syncState.get(QUARANTINE_KEY);
	return Array.isArray(found?.value) ? found.value.filter(isQuarantineEntry) : [];
}

function isQuarantineEntry(value: unknown): value is QuarantineEntry {
	return (
		isRecord(value) &&
		typeof value['table'] === 'string' &&
		typeof value['id'] === 'string' &&
		typeof value['reason'] === 'string' &&
		typeof value['at'] === 'number'
	);
}

function restored(error: unknown): boolean {
	return error instanceof SyncServerError && error.status === 409 && error.serverCode === CURSOR_AHEAD;
}

/**
 * Pulls every change since the checkpoint; each page is applied together with its checkpoint. When the
 * server was restored from an older backup (a new epoch, or a cursor past its latest change), the device
 * pulls everything from 0 again: the server's rows are applied over the local ones, except fields with
 * changes still waiting in the outbox, which go up next and are merged by the server as usual. With
 * `files`, the original bytes of documents a teammate removed go too, unless something still uses them.
 */
export async function pullChanges(
	db: DocketDatabase,
	api: SyncApi,
	limit: number = LIMITS.defaultPullLimit,
	files?: FileStore
): Promise<PullSummary> {
	let applied = 0;
	let quarantined = 0;
	let repulled = false;
	let checkpoint = await readCheckpoint(db);
	const restart = async () => {
		repulled = true;
		checkpoint = 0;
		await db.syncState.bulkPut([
			{ key: CHECKPOINT_KEY, value: 0 },
			{ key: REPULLED_KEY, value: Date.now() }
		]);
	};
	for (;;) {
		let page: Awaited<ReturnType<SyncApi['pull']>>;
		try {
			page = await api.pull(checkpoint, limit);
		} catch (error) {
			if (!restored(error) || repulled) throw error;
			await restart();
			continue;
		}
		const known = await db.syncState.get(EPOCH_KEY);
		if (
			page.epoch !== undefined &&
			typeof known?.value === 'string' &&
			known.value !== page.epoch &&
			checkpoint !== 0 &&
			!repulled
		) {
			await restart();
			await db.syncState.put({ key: EPOCH_KEY, value: page.epoch });
			continue;
		}
		const from = checkpoint;
		const released: string[] = [];
		const fresh = await write(db, replicaTables(db), async (w) => {
			// Another tab may have applied this page already; the stored checkpoint decides.
			if ((await readCheckpoint(db)) !== from) return false;
			for (const change of page.changes)
				released.push(...(await applyServerRow(w, change, { keepPending: true })).released);
			if (page.quarantined.length > 0) {
				const at = Date.now();
				const kept = [...(await readQuarantine(db)), ...page.quarantined.map((row) => ({ ...row, at }))];
				await db.syncState.put({ key: QUARANTINE_KEY, value: kept.slice(-MAX_QUARANTINED) });
			}
			await db.syncState.put({ key: CHECKPOINT_KEY, value: page.checkpoint });
			if (page.epoch !== undefined) await db.syncState.put({ key: EPOCH_KEY, value: page.epoch });
			return true;
		});
		if (files && released.length > 0) await releaseUnreferencedFiles(db, files, released);
		if (!fresh) {
			checkpoint = await readCheckpoint(db);
			continue;
		}
		applied += page.changes.length;
		quarantined += page.quarantined.length;
		checkpoint = page.checkpoint;
		if (!page.hasMore) return { applied, checkpoint, quarantined, repulled };
	}
}
