import type { DocketDatabase } from '../db/database.ts';
import type { VectorRow } from '../db/schema.ts';
import { InvalidInputError } from '../errors.ts';
import type { ShaderSource } from '../gpu/shaders.ts';
import { CpuVectorIndex } from './cpu-index.ts';
import { GPU_MAX_K, GpuVectorIndex } from './gpu-index.ts';
import type { VectorHit } from './types.ts';

export interface VectorStoreOptions {
	/** WebGPU to use for the GPU path; without it (or when it fails) searches run on the CPU path. */
	gpu?: { gpu: GPU; shaders: ShaderSource };
}

interface CaseIndex {
	cpu: CpuVectorIndex;
	gpu: GpuVectorIndex | undefined;
	ids: Set<string>;
}

function key(caseId: string, modelId: string): string {
	return `${caseId}\u0000${modelId}`;
}

/**
 * Vector indexes per (case, model), loaded from Dexie's `vectors` table on first search and kept warm:
 * later searches reuse them, and vectors stored later are added incrementally. An index only ever holds
 * one model's vectors, so a model change never mixes vectors of different spaces.
 */
export class CaseVectorStore {
	readonly #db: DocketDatabase;
	readonly #options: VectorStoreOptions;
	readonly #indexes = new Map<string, Promise<CaseIndex>>();
	/** Which backend served the last search, for the benchmark and the GPU settings page. */
	lastBackend: 'gpu' | 'cpu' | 'none' = 'none';

	constructor(db: DocketDatabase, options: VectorStoreOptions = {}) {
		this.#db = db;
		this.#options = options;
	}

	/** Whether the index of this case and model is in memory. */
	isWarm(caseId: string, modelId: string): boolean {
		return this.#indexes.has(key(caseId, modelId));
	}

	#load(caseId: string, modelId: string): Promise<CaseIndex> {
		const k = key(caseId, modelId);
		let index = this.#indexes.get(k);
		if (!index) {
			index = this.#build(caseId, modelId);
			index.catch(() => this.#indexes.delete(k));
			this.#indexes.set(k, index);
		}
		return index;
	}

	async #build(caseId: string, modelId: string): Promise<CaseIndex> {
		const rows = await this.#db.vectors.where('[caseId+modelId]').equals([caseId, modelId]).toArray();
		rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
		const dim = rows[0]?.dim ?? 0;
		const index: CaseIndex = { cpu: new CpuVectorIndex(Math.max(1, dim)), gpu: undefined, ids: new Set() };
		if (dim > 0 && this.#options.gpu) {
			try {
				index.gpu = await GpuVectorIndex.create(this.#options.gpu.gpu, this.#options.gpu.shaders, dim);
			} catch {
				index.gpu = undefined;
			}
		}
		this.#addTo(index, rows);
		return index;
	}

	#addTo(index: CaseIndex, rows: readonly VectorRow[]): void {
		const fresh = rows.filter((r) => !index.ids.has(r.chunkId));
		if (fresh.length === 0) return;
		if (index.cpu.size === 0 && index.cpu.dim !== fresh[0]!.dim) {
			index.gpu?.destroy();
			index.gpu = undefined;
			index.cpu = new CpuVectorIndex(fresh[0]!.dim);
		}
		for (const row of fresh)
			if (row.dim !== index.cpu.dim || row.vector.length !== index.cpu.dim)
				throw new InvalidInputError(
					`Vector ${row.id} has ${row.vector.length} dimensions; the ${row.modelId} index holds ${index.cpu.dim}.`
				);
		const ids = fresh.map((r) => r.chunkId);
		const vectors = fresh.map((r) => r.vector);
		index.cpu.add(ids, vectors);
		try {
			index.gpu?.add(ids, vectors);
		} catch {
			index.gpu?.destroy();
			index.gpu = undefined;
		}
		for (const id of ids) index.ids.add(id);
	}

	/** Adds vectors just stored (e.g. by the embedding job) to warm indexes; cold ones load them later. */
	async added(rows: readonly VectorRow[]): Promise<void> {
		const groups = new Map<string, VectorRow[]>();
		for (const row of rows) {
			const k = key(row.caseId, row.modelId);
			if (!this.#indexes.has(k)) continue;
			const group = groups.get(k);
			if (group) group.push(row);
			else groups.set(k, [row]);
		}
		for (const [k, group] of groups) {
			const index = await this.#indexes.get(k);
			if (index) this.#addTo(index, group);
		}
	}

	/** Drops a case's indexes (documents deleted, case deleted); the next search reloads from Dexie. */
	async invalidate(caseId: string): Promise<void> {
		for (const [k, promise] of [...this.#indexes]) {
			if (!k.startsWith(`${caseId}\u0000`)) continue;
			this.#indexes.delete(k);
			const index = await promise.catch(() => undefined);
			index?.gpu?.destroy();
		}
	}

	/** Exact top-k chunk ids by cosine within one case, among vectors of one model. */
	async search(caseId: string, modelId: string, query: Float32Array, k: number): Promise<VectorHit[]> {
		const index = await this.#load(caseId, modelId);
		if (index.cpu.size === 0) {
			this.lastBackend = 'none';
			return [];
		}
		if (index.gpu && k <= GPU_MAX_K) {
			try {
				const hits = await index.gpu.search(query, k);
				this.lastBackend = 'gpu';
				return hits;
			} catch (error) {
				if (error instanceof InvalidInputError) throw error;
				// A lost or failing device: the CPU path gives the same answer.
				index.gpu.destroy();
				index.gpu = undefined;
			}
		}
		this.lastBackend = 'cpu';
		return index.cpu.searchSync(query, k);
	}

	/** Releases every GPU device this store holds. */
	async close(): Promise<void> {
		for (const caseKey of [...this.#indexes.keys()]) await this.invalidate(caseKey.split('\u0000')[0]!);
	}
}
