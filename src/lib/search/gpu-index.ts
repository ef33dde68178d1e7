import { GpuDeviceLostError, GpuValidationError, InvalidInputError } from '../errors.ts';
import { acquireDevice, dispatchSize } from '../gpu/device.ts';
import type { ShaderSource } from '../gpu/shaders.ts';
import { compareHits, dot64, unitOrNormalized } from './topk.ts';
import type { VectorHit, VectorSearchIndex } from './types.ts';

const WORKGROUP_SIZE = 256;
/** Invocations per workgroup of the top-k kernel: one invocation per segment, so there are few. */
const TOPK_WORKGROUP_SIZE = 64;
/** Pairs one top-k invocation reduces to k; each level shrinks the candidates by SEGMENT / k. */
const SEGMENT = 512;
/** The largest k the GPU path selects (MAX_K in vector-topk.wgsl); a larger k goes to the CPU path. */
export const GPU_MAX_K = 128;
/** Rows the filter pass may return per query before it is re-run with more room. */
const INITIAL_CAPACITY = 4096;
/** Keeps each shard's buffer well below any adapter's binding limit, so one big case never fails to bind. */
const MAX_SHARD_BYTES = 256 * 1024 * 1024;

/**
 * The f32 dot product of two unit vectors of `dim` values differs from the float64 one by at most
 * γ = dim·u / (1 − dim·u), u = 2⁻²⁴, for any summation order (FMA only tightens it). Twice that plus an
 * absolute term (flushed subnormals, the rounding of the filter's own comparison) is the margin.
 */
export function f32Margin(dim: number): number {
	const u = 2 ** -24;
	const gamma = (dim * u) / (1 - dim * u);
	return 2 * gamma + 1e-6;
}

interface Shard {
	buffer: GPUBuffer;
	capacity: number;
	rows: number;
}

/**
 * Exact top-k cosine on the GPU, in three kernels (`shaders/vector-*.wgsl`):
 * 1. scores: f32 dot products of every (query, vector) pair;
 * 2. top-k: a tournament of bitonic-sorted segments, leaving the k best f32 scores per query;
 * 3. filter: every row whose f32 score is within two error margins of the k-th of those (a superset
 *    of the true top-k, ties included; the argument is in `shaders/vector-filter.wgsl`).
 * All three run in one submission with one readback. The host re-ranks the survivors in float64 from
 * its copy of the vectors, so the answer is exactly the brute-force one, ordered by `compareHits`.
 * The vectors stay on the device between searches (warm).
 */
export class GpuVectorIndex implements VectorSearchIndex {
	readonly dim: number;
	readonly #dim4: number;
	readonly #device: GPUDevice;
	readonly #scores: GPUComputePipeline;
	readonly #topkImplicit: Map<number, GPUComputePipeline> = new Map();
	readonly #topkExplicit: Map<number, GPUComputePipeline> = new Map();
	readonly #filters: Map<string, GPUComputePipeline> = new Map();
	readonly #shaders: { topk: GPUShaderModule; filter: GPUShaderModule };
	readonly #shardRows: number;
	#shards: Shard[] = [];
	#ids: string[] = [];
	#floats = new Float32Array(0);
	#lost: string | undefined;
	#queue: Promise<unknown> = Promise.resolve();
	/** How many rows the last search re-ranked (all queries together). */
	lastCandidates = 0;

	private constructor(
		device: GPUDevice,
		dim: number,
		scores: GPUComputePipeline,
		topk: GPUShaderModule,
		filter: GPUShaderModule
	) {
		this.#device = device;
		this.dim = dim;
		this.#dim4 = Math.ceil(dim / 4);
		this.#scores = scores;
		this.#shaders = { topk, filter };
		const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize, MAX_SHARD_BYTES);
		this.#shardRows = Math.max(1, Math.floor(limit / (this.#dim4 * 16)));
		void device.lost.then((info) => {
			this.#lost = info.message || 'device lost';
		});
	}

	static async create(gpu: GPU | undefined, shaders: ShaderSource, dim: number): Promise<GpuVectorIndex> {
		if (!Number.isInteger(dim) || dim <= 0)
			throw new InvalidInputError(`A vector index needs a positive dimension, not ${dim}.`);
		const [scoresCode, topkCode, filterCode] = await Promise.all([
			shaders('vector-scores'),
			shaders('vector-topk'),
			shaders('vector-filter')
		]);
		const device = await acquireDevice(gpu);
		device.pushErrorScope('validation');
		const scores = await device.createComputePipelineAsync({
			layout: 'auto',
			compute: {
				module: device.createShaderModule({ code: scoresCode }),
				entryPoint: 'main',
				constants: { WORKGROUP_SIZE, DIM4: Math.ceil(dim / 4) }
			}
		});
		const topk = device.createShaderModule({ code: topkCode });
		const filter = device.createShaderModule({ code: filterCode });
		const error = await device.popErrorScope();
		if (error) {
			device.destroy();
			throw new GpuValidationError(error.message);
		}
		return new GpuVectorIndex(device, dim, scores, topk, filter);
	}

	get size(): number {
		return this.#ids.length;
	}

	/** Frees the device. The index cannot be used afterwards. */
	destroy(): void {
		for (const shard of this.#shards) shard.buffer.destroy();
		this.#shards = [];
		this.#device.destroy();
	}

	add(ids: readonly string[], vectors: readonly Float32Array[]): void {
		if (ids.length !== vectors.length) throw new InvalidInputError('Each vector needs exactly one id.');
		this.#assertAlive();
		const { dim } = this;
		const unit = vectors.map((v) => {
			if (v.length !== dim)
				throw new InvalidInputError(`A ${v.length}-dimensional vector cannot join a ${dim}-dimensional index.`);
			return unitOrNormalized(v);
		});
		const start = this.size;
		const floats = new Float32Array((start + ids.length) * dim);
		floats.set(this.#floats.subarray(0, start * dim));
		unit.forEach((v, i) => floats.set(v, (start + i) * dim));
		this.#floats = floats;
		// One by one: spreading a million ids into push() overflows the call stack.
		for (const id of ids) this.#ids.push(id);
		let next = 0;
		while (next < unit.length) {
			let shard = this.#shards.at(-1);
			if (!shard || shard.rows === this.#shardRows) {
				shard = {
					buffer: this.#allocate(Math.min(this.#shardRows, Math.max(1024, unit.length - next))),
					capacity: 0,
					rows: 0
				};
				shard.capacity = shard.buffer.size / (this.#dim4 * 16);
				this.#shards.push(shard);
			}
			const room = this.#shardRows - shard.rows;
			const take = Math.min(room, unit.length - next);
			if (shard.rows + take > shard.capacity)
				this.#growShard(shard, Math.min(this.#shardRows, Math.max(shard.rows + take, shard.capacity * 2)));
			const padded = new Float32Array(take * this.#dim4 * 4);
			for (let i = 0; i < take; i++) padded.set(unit[next + i]!, i * this.#dim4 * 4);
			this.#device.queue.writeBuffer(shard.buffer, shard.rows * this.#dim4 * 16, padded);
			shard.rows += take;
			next += take;
		}
	}

	#allocate(rows: number): GPUBuffer {
		return this.#device.createBuffer({
			size: rows * this.#dim4 * 16,
			usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC
		});
	}

	#growShard(shard: Shard, rows: number): void {
		const buffer = this.#allocate(rows);
		const encoder = this.#device.createCommandEncoder();
		if (shard.rows > 0) encoder.copyBufferToBuffer(shard.buffer, 0, buffer, 0, shard.rows * this.#dim4 * 16);
		this.#device.queue.submit([encoder.finish()]);
		shard.buffer.destroy();
		shard.buffer = buffer;
		shard.capacity = rows;
	}

	#assertAlive(): void {
		if (this.#lost !== undefined) throw new GpuDeviceLostError({ detail: this.#lost });
	}

	async search(query: Float32Array, k: number): Promise<VectorHit[]> {
		const [hits] = await this.searchBatch([query], k);
		return hits ?? [];
	}

	/** Exact top-k for several queries in one pass over the vectors. Searches on one index run one at a time. */
	searchBatch(queries: readonly Float32Array[], k: number): Promise<VectorHit[][]> {
		const run = this.#queue.then(() => this.#searchBatch(queries, k));
		this.#queue = run.catch(() => undefined);
		return run;
	}

	#rerank(rows: Iterable<number>, x: Float32Array, k: number): VectorHit[] {
		const hits: VectorHit[] = [];
		for (const i of rows) hits.push({ id: this.#ids[i]!, score: dot64(this.#floats, i * this.dim, x, this.dim) });
		hits.sort(compareHits);
		return hits.slice(0, k);
	}

	async #searchBatch(rawQueries: readonly Float32Array[], k: number): Promise<VectorHit[][]> {
		this.#assertAlive();
		const { dim } = this;
		for (const q of rawQueries)
			if (q.length !== dim)
				throw new InvalidInputError(`The query has ${q.length} dimensions; this index holds ${dim}.`);
		const queries = rawQueries.map(unitOrNormalized);
		k = Math.floor(k);
		const n = this.size;
		if (n === 0 || k <= 0 || queries.length === 0) return queries.map(() => []);
		if (k >= n) {
			this.lastCandidates = n * queries.length;
			return queries.map((x) =>
				this.#rerank(
					Array.from({ length: n }, (_, i) => i),
					x,
					k
				)
			);
		}
		if (k > GPU_MAX_K)
			throw new InvalidInputError(`The GPU path returns at most ${GPU_MAX_K} results; use the CPU path for more.`);
		const device = this.#device;
		device.pushErrorScope('validation');
		const created: GPUBuffer[] = [];
		const buffer = (size: number, usage: number) => {
			const b = device.createBuffer({ size: Math.max(16, Math.ceil(size / 4) * 4), usage });
			created.push(b);
			return b;
		};
		const uniform = (words: ArrayBuffer) => {
			const b = buffer(words.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
			device.queue.writeBuffer(b, 0, words);
			return b;
		};
		try {
			const Q = queries.length;
			const queryData = new Float32Array(Q * this.#dim4 * 4);
			queries.forEach((x, q) => queryData.set(x, q * this.#dim4 * 4));
			const queryBuffer = buffer(queryData.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
			device.queue.writeBuffer(queryBuffer, 0, queryData);
			const scores = buffer(Q * n * 4, GPUBufferUsage.STORAGE);
			const maxGroups = device.limits.maxComputeWorkgroupsPerDimension;

			// 1. Scores, shard by shard.
			let encoder = device.createCommandEncoder();
			let base = 0;
			for (const shard of this.#shards) {
				const params = uniform(new Uint32Array([shard.rows, base, n, Q]).buffer);
				const pass = encoder.beginComputePass();
				pass.setPipeline(this.#scores);
				pass.setBindGroup(
					0,
					device.createBindGroup({
						layout: this.#scores.getBindGroupLayout(0),
						entries: [
							{ binding: 0, resource: { buffer: shard.buffer } },
							{ binding: 1, resource: { buffer: queryBuffer } },
							{ binding: 2, resource: { buffer: scores } },
							{ binding: 3, resource: { buffer: params } }
						]
					})
				);
				const [x, y] = dispatchSize(shard.rows * Q, WORKGROUP_SIZE, maxGroups);
				pass.dispatchWorkgroups(x, y);
				pass.end();
				base += shard.rows;
			}

			// 2. Top-k tournament until one segment per query remains.
			let length = n;
			let inStride = n;
			let keys = scores;
			let rows = buffer(16, GPUBufferUsage.STORAGE);
			let implicit = true;
			for (;;) {
				const segments = Math.ceil(length / SEGMENT);
				if (Math.ceil(segments / TOPK_WORKGROUP_SIZE) > maxGroups || Q > maxGroups)
					throw new InvalidInputError('Too many vectors or queries for one GPU search; use the CPU path.');
				const outStride = segments * k;
				const keysOut = buffer(Q * outStride * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
				const rowsOut = buffer(Q * outStride * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
				const pipeline = this.#topkPipeline(k, implicit);
				const pass = encoder.beginComputePass();
				pass.setPipeline(pipeline);
				pass.setBindGroup(
					0,
					device.createBindGroup({
						layout: pipeline.getBindGroupLayout(0),
						entries: [
							{ binding: 0, resource: { buffer: keys } },
							{ binding: 1, resource: { buffer: rows } },
							{ binding: 2, resource: { buffer: keysOut } },
							{ binding: 3, resource: { buffer: rowsOut } },
							{
								binding: 4,
								resource: { buffer: uniform(new Uint32Array([length, inStride, outStride, segments]).buffer) }
							}
						]
					})
				);
				pass.dispatchWorkgroups(Math.ceil(segments / TOPK_WORKGROUP_SIZE), Q);
				pass.end();
				keys = keysOut;
				rows = rowsOut;
				implicit = false;
				length = outStride;
				inStride = outStride;
				if (segments === 1) break;
			}
			// 3. Filter against each query's k-th winner, re-run with more room if a query overflowed. The
			// counts and the rows come back in one readback.
			const winners = keys;
			let capacity = INITIAL_CAPACITY;
			for (;;) {
				const pipeline = this.#filterPipeline(capacity, k);
				const counts = buffer(Q * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
				device.queue.writeBuffer(counts, 0, new Uint32Array(Q));
				const out = buffer(Q * capacity * 4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
				const params = new ArrayBuffer(16);
				new Uint32Array(params, 0, 2).set([n, Q]);
				new Float32Array(params, 8, 1)[0] = f32Margin(dim);
				const pass = encoder.beginComputePass();
				pass.setPipeline(pipeline);
				pass.setBindGroup(
					0,
					device.createBindGroup({
						layout: pipeline.getBindGroupLayout(0),
						entries: [
							{ binding: 0, resource: { buffer: scores } },
							{ binding: 1, resource: { buffer: winners } },
							{ binding: 2, resource: { buffer: counts } },
							{ binding: 3, resource: { buffer: out } },
							{ binding: 4, resource: { buffer: uniform(params) } }
						]
					})
				);
				const [x, y] = dispatchSize(n * Q, WORKGROUP_SIZE, maxGroups);
				pass.dispatchWorkgroups(x, y);
				pass.end();
				const [countData, candidateData] = await this.#readMany(encoder, [counts, out], created);
				const most = Math.max(...countData!);
				if (most > capacity) {
					capacity = most;
					encoder = device.createCommandEncoder();
					continue;
				}
				this.lastCandidates = countData!.reduce((a, b) => a + b, 0);
				const error = await device.popErrorScope();
				if (error) throw new GpuValidationError(error.message);
				this.#assertAlive();
				return queries.map((x, q) =>
					this.#rerank(candidateData!.subarray(q * capacity, q * capacity + countData![q]!), x, k)
				);
			}
		} catch (error) {
			await device.popErrorScope().catch(() => null);
			this.#assertAlive();
			throw error;
		} finally {
			for (const b of created) b.destroy();
		}
	}

	/** Copies buffers into one staging buffer, submits, and maps it once (each map is a round trip). */
	async #readMany(
		encoder: GPUCommandEncoder,
		sources: readonly GPUBuffer[],
		created: GPUBuffer[]
	): Promise<Uint32Array[]> {
		const total = sources.reduce((n, b) => n + b.size, 0);
		const staging = this.#device.createBuffer({
			size: total,
			usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ
		});
		created.push(staging);
		let offset = 0;
		for (const source of sources) {
			encoder.copyBufferToBuffer(source, 0, staging, offset, source.size);
			offset += source.size;
		}
		this.#device.queue.submit([encoder.finish()]);
		await staging.mapAsync(GPUMapMode.READ);
		const all = new Uint32Array(staging.getMappedRange().slice(0));
		staging.unmap();
		offset = 0;
		return sources.map((source) => {
			const part = all.subarray(offset / 4, (offset + source.size) / 4);
			offset += source.size;
			return part;
		});
	}

	#topkPipeline(k: number, implicit: boolean): GPUComputePipeline {
		const cache = implicit ? this.#topkImplicit : this.#topkExplicit;
		let pipeline = cache.get(k);
		if (!pipeline) {
			pipeline = this.#device.createComputePipeline({
				layout: 'auto',
				compute: {
					module: this.#shaders.topk,
					entryPoint: 'main',
					constants: { WORKGROUP_SIZE: TOPK_WORKGROUP_SIZE, SEGMENT, K: k, IMPLICIT_ROWS: implicit ? 1 : 0 }
				}
			});
			cache.set(k, pipeline);
		}
		return pipeline;
	}

	#filterPipeline(capacity: number, k: number): GPUComputePipeline {
		const key = `${capacity}:${k}`;
		let pipeline = this.#filters.get(key);
		if (!pipeline) {
			pipeline = this.#device.createComputePipeline({
				layout: 'auto',
				compute: {
					module: this.#shaders.filter,
					entryPoint: 'main',
					constants: { WORKGROUP_SIZE, CAPACITY: capacity, K: k }
				}
			});
			this.#filters.set(key, pipeline);
		}
		return pipeline;
	}
}
