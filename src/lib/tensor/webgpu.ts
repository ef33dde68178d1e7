/**
 * The WebGPU backend of the tensor lab: the same semantics as cpu.ts, on shaders/bspline-prefilter.wgsl,
 * shaders/tricubic-zoom.wgsl and shaders/tricubic-points.wgsl. Each volume of the batch goes through in
 * slabs along z (one slab when it fits): the host gathers the slab's input planes with the prefilter's
 * halo (folded, clamped or zero by the mode), three line-filter passes make the coefficients, and the
 * zoom kernel writes the slab's output tiles. The browser and Node run the same code; only the
 * ShaderSource differs.
 */
import { CancelledError, KernelError } from '../errors.ts';
import { dispatchSize, storageBuffer, withDevice } from '../gpu/device.ts';
import type { ShaderSource } from '../gpu/shaders.ts';
import { planPointSlabs, planSlabs, planTiles, tileFootprint, type Slab, type TensorGpuLimits } from './plan.ts';
import {
	batchFirstOrder,
	extendIndex,
	extensionTable,
	hasNonFinite,
	MAX_ELEMENTS,
	permute4,
	planResample,
	planSample,
	prefilterHalfWidth,
	prefilterWeights,
	type BoundaryMode,
	type ResampleParams,
	type RunOptions,
	type SampleParams,
	type SamplePlan,
	type Tensor,
	type Triple
} from './semantics.ts';

const LINE_WORKGROUP = 256;
const POINT_WORKGROUP = 256;

/** Milliseconds spent in each stage, summed over volumes and slabs (filled only when profiling). */
export interface StageTimes {
	upload: number;
	prefilter: number;
	evaluate: number;
	readback: number;
}

export interface GpuRunOptions extends RunOptions {
	maxElements?: number;
	/** Pretend the adapter binds at most this many bytes at once (tests of the slab path). */
	bindingLimit?: number;
	/** Preferred output tile [z, y, x]; the planner still shrinks it to fit the adapter. */
	tile?: Triple;
	/** Surround the output with this many sentinel values and fail if a kernel writes into them. */
	guardElements?: number;
	/** Wait for the GPU after each stage and add the stage times here. */
	profile?: StageTimes;
}

const GUARD_SENTINEL = -1.2345e-19;

/** Whether the `guard` values before and after `count` results still hold the sentinel. */
function guardsIntact(mapped: Float32Array, guard: number, count: number): boolean {
	const intact = (from: number) => mapped.subarray(from, from + guard).every((x) => x === Math.fround(GUARD_SENTINEL));
	return intact(0) && intact(guard + count);
}

function limitsOf(device: GPUDevice): TensorGpuLimits {
	const l = device.limits;
	return {
		maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
		maxBufferSize: l.maxBufferSize,
		maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
		maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
		maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
		maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
		maxComputeWorkgroupSizeZ: l.maxComputeWorkgroupSizeZ,
		maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension
	};
}

function uniformBuffer(device: GPUDevice, words: number): GPUBuffer {
	return device.createBuffer({ size: words * 4, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
}

function emptyBuffer(device: GPUDevice, elements: number, usage = 0): GPUBuffer {
	return device.createBuffer({
		size: Math.max(16, elements * 4),
		usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC | usage
	});
}

function int32Storage(device: GPUDevice, data: Int32Array): GPUBuffer {
	return storageBuffer(device, new Uint32Array(data.buffer, data.byteOffset, data.length));
}

function checkCancelled(signal: AbortSignal | undefined): void {
	if (signal?.aborted) throw new CancelledError('Resampling');
}

async function timed(
	profile: StageTimes | undefined,
	stage: keyof StageTimes,
	device: GPUDevice,
	work: () => void
): Promise<void> {
	if (!profile) {
		work();
		return;
	}
	const start = performance.now();
	work();
	await device.queue.onSubmittedWorkDone();
	profile[stage] += performance.now() - start;
}

/** The three line-filter passes that turn a slab of input planes into coefficients. */
class Prefilter {
	private readonly params: GPUBuffer[];
	private readonly weights: GPUBuffer;
	private readonly tableX: GPUBuffer;
	private readonly tableY: GPUBuffer;
	private readonly tableZ: GPUBuffer;
	private readonly hostIn: Float32Array;
	readonly stageA: GPUBuffer;
	readonly stageB: GPUBuffer;
	private readonly bindGroups: GPUBindGroup[];

	constructor(
		private readonly device: GPUDevice,
		private readonly pipeline: GPUComputePipeline,
		private readonly dims: Triple,
		private readonly coeffDims: Triple,
		private readonly margin: number,
		private readonly halo: number,
		private readonly mode: BoundaryMode,
		weights: Float32Array,
		sizes: { maxIn: number; maxStageA: number; maxStageB: number; maxCoeffPlanes: number }
	) {
		const [, ny, nx] = dims;
		const [, ey, ex] = coeffDims;
		this.weights = storageBuffer(device, weights);
		this.tableX = int32Storage(device, extensionTable(nx, mode, -margin, ex, halo));
		this.tableY = int32Storage(device, extensionTable(ny, mode, -margin, ey, halo));
		// z is extended on the host while gathering planes, so its table is the identity.
		this.tableZ = int32Storage(
			device,
			Int32Array.from({ length: sizes.maxCoeffPlanes + 2 * halo }, (_, i) => i)
		);
		this.stageA = emptyBuffer(device, sizes.maxStageA);
		this.stageB = emptyBuffer(device, sizes.maxStageB);
		this.hostIn = new Float32Array(sizes.maxIn);
		this.params = [0, 1, 2].map(() => uniformBuffer(device, 8));
		const pass = (params: GPUBuffer, source: GPUBuffer, table: GPUBuffer, destination: GPUBuffer) =>
			device.createBindGroup({
				layout: pipeline.getBindGroupLayout(0),
				entries: [
					{ binding: 0, resource: { buffer: params } },
					{ binding: 1, resource: { buffer: source } },
					{ binding: 2, resource: { buffer: table } },
					{ binding: 3, resource: { buffer: this.weights } },
					{ binding: 4, resource: { buffer: destination } }
				]
			});
		this.bindGroups = [
			pass(this.params[0]!, this.stageA, this.tableX, this.stageB),
			pass(this.params[1]!, this.stageB, this.tableY, this.stageA),
			pass(this.params[2]!, this.stageA, this.tableZ, this.stageB)
		];
	}

	/** Copies the slab's input planes, with the halo extended by the mode, into stage A. */
	upload(volume: Float32Array, slab: Slab): void {
		const [nz, ny, nx] = this.dims;
		const plane = ny * nx;
		const firstSample = slab.coeffFirst - this.margin - this.halo;
		for (let p = 0; p < slab.inCount; p++) {
			const source = extendIndex(firstSample + p, nz, this.mode);
			const target = this.hostIn.subarray(p * plane, (p + 1) * plane);
			if (source < 0) target.fill(0);
			else target.set(volume.subarray(source * plane, (source + 1) * plane));
		}
		this.device.queue.writeBuffer(this.stageA, 0, this.hostIn, 0, slab.inCount * plane);
	}

	/** Encodes x, y and z passes; the coefficients end in stage B as [coeffCount, ey, ex]. */
	encode(encoder: GPUCommandEncoder, slab: Slab): void {
		const [, ny, nx] = this.dims;
		const [, ey, ex] = this.coeffDims;
		const p = slab.inCount;
		const passes: { out: Triple; axis: number; strides: Triple }[] = [
			{ out: [ex, ny, p], axis: 0, strides: [1, nx, ny * nx] },
			{ out: [ex, ey, p], axis: 1, strides: [1, ex, ny * ex] },
			{ out: [ex, ey, slab.coeffCount], axis: 2, strides: [1, ex, ey * ex] }
		];
		const maxPerDimension = this.device.limits.maxComputeWorkgroupsPerDimension;
		const compute = encoder.beginComputePass();
		compute.setPipeline(this.pipeline);
		passes.forEach((pass, i) => {
			this.device.queue.writeBuffer(this.params[i]!, 0, new Uint32Array([...pass.out, pass.axis, ...pass.strides, 0]));
			compute.setBindGroup(0, this.bindGroups[i]!);
			const [x, y] = dispatchSize(pass.out[0] * pass.out[1] * pass.out[2], LINE_WORKGROUP, maxPerDimension);
			compute.dispatchWorkgroups(x, y);
		});
		compute.end();
	}

	destroy(): void {
		for (const b of [...this.params, this.weights, this.tableX, this.tableY, this.tableZ, this.stageA, this.stageB])
			b.destroy();
	}
}

/** The tensor lab on one GPU device: pipelines are compiled per request (their sizes are override constants). */
export class TensorGpu {
	private constructor(
		private readonly device: GPUDevice,
		private readonly prefilterModule: GPUShaderModule,
		private readonly zoomModule: GPUShaderModule,
		private readonly pointsModule: GPUShaderModule
	) {}

	static async create(device: GPUDevice, shaders: ShaderSource): Promise<TensorGpu> {
		const [prefilter, weights, zoom, points] = await Promise.all([
			shaders('bspline-prefilter'),
			shaders('tricubic-weights'),
			shaders('tricubic-zoom'),
			shaders('tricubic-points')
		]);
		return new TensorGpu(
			device,
			device.createShaderModule({ code: prefilter }),
			device.createShaderModule({ code: `${weights}\n${zoom}` }),
			device.createShaderModule({ code: `${weights}\n${points}` })
		);
	}

	private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();

	/** Pipelines by module and constants: compiling is the slow part of a small request. */
	private pipeline(
		module: GPUShaderModule,
		name: string,
		constants: Record<string, number>
	): Promise<GPUComputePipeline> {
		const key = `${name}:${JSON.stringify(constants)}`;
		let pipeline = this.pipelines.get(key);
		if (!pipeline) {
			pipeline = this.device.createComputePipelineAsync({
				layout: 'auto',
				compute: { module, entryPoint: 'main', constants }
			});
			pipeline.catch(() => this.pipelines.delete(key));
			this.pipelines.set(key, pipeline);
		}
		return pipeline;
	}

	private prefilterPipeline(halo: number): Promise<GPUComputePipeline> {
		return this.pipeline(this.prefilterModule, 'prefilter', { WORKGROUP_SIZE: LINE_WORKGROUP, HALO: halo });
	}

	/** scipy.ndimage.zoom on each volume (see cpu.ts for the semantics). */
	async resample(tensor: Tensor, params: ResampleParams, options: GpuRunOptions = {}): Promise<Tensor> {
		const device = this.device;
		const plan = planResample(tensor, params, options.maxElements ?? MAX_ELEMENTS);
		if (plan.identity) return { shape: [...tensor.shape], data: tensor.data.slice() };
		const { forward, inverse } = batchFirstOrder(plan.batchAxis, plan.axes);
		const input = permute4(tensor, forward);
		const [t, nz, ny, nx] = plan.inShape;
		const [, oz, oy, ox] = plan.outShape;
		const m = plan.margin;
		const halo = prefilterHalfWidth(plan.kernel);
		const dims: Triple = [nz, ny, nx];
		const coeffDims: Triple = [nz + 2 * m, ny + 2 * m, nx + 2 * m];
		const starts = plan.taps.map((taps) => taps.start.map((s) => s + m)) as [Int32Array, Int32Array, Int32Array];
		const limits = limitsOf(device);
		const bindingLimit = Math.min(
			options.bindingLimit ?? Infinity,
			limits.maxStorageBufferBindingSize,
			limits.maxBufferSize
		);
		const tiles = planTiles(starts, limits, options.tile);
		const slabPlan = planSlabs(starts[0], dims, coeffDims, oy * ox, halo, limits, bindingLimit);
		const [tileZ, tileY, tileX] = tiles.tile;
		// Tiles restart at each slab, so the z footprint is the widest over the slabs' own tiles.
		const slabTiles = slabPlan.slabs.map((s) => {
			const local = starts[0].subarray(s.outFirst, s.outFirst + s.outCount).map((v) => v - s.coeffFirst);
			return { starts: local, ...tileFootprint(local, tileZ) };
		});
		const footZ = Math.max(...slabTiles.map((s) => s.foot));
		const [, footY, footX] = tiles.foot;
		if (footZ * footY * footX * 4 > limits.maxComputeWorkgroupStorageSize) {
			// Slab tiles are not aligned to the whole-volume tiles; in practice their spans agree.
			throw new KernelError('The tile planner produced a footprint larger than workgroup memory.');
		}
		const guard = options.guardElements ?? 0;
		const maxCoeffPlanes = Math.max(...slabPlan.slabs.map((s) => s.coeffCount));

		const [prefilterPipeline, zoomPipeline] = await Promise.all([
			this.prefilterPipeline(halo),
			this.pipeline(this.zoomModule, 'zoom', {
				TILE_X: tileX,
				TILE_Y: tileY,
				TILE_Z: tileZ,
				FOOT_X: footX,
				FOOT_Y: footY,
				FOOT_Z: footZ,
				KERNEL: plan.kernel === 'bspline3' ? 0 : 1
			})
		]);
		const prefilter = new Prefilter(
			device,
			prefilterPipeline,
			dims,
			coeffDims,
			m,
			halo,
			plan.mode,
			prefilterWeights(plan.kernel),
			{
				maxIn: slabPlan.maxIn,
				maxStageA: slabPlan.maxStageA,
				maxStageB: slabPlan.maxStageB,
				maxCoeffPlanes
			}
		);
		const tilesX = tileFootprint(starts[2], tileX);
		const tilesY = tileFootprint(starts[1], tileY);
		const maxTilesZ = Math.max(...slabTiles.map((s) => s.lo.length));
		const startsBuffer = emptyBuffer(device, ox + oy + oz);
		const fracsBuffer = emptyBuffer(device, ox + oy + oz);
		const tileLoBuffer = emptyBuffer(device, tilesX.lo.length + tilesY.lo.length + maxTilesZ);
		device.queue.writeBuffer(startsBuffer, 0, Int32Array.from([...starts[2], ...starts[1]]));
		device.queue.writeBuffer(fracsBuffer, 0, Float32Array.from([...plan.taps[2].frac, ...plan.taps[1].frac]));
		device.queue.writeBuffer(tileLoBuffer, 0, Int32Array.from([...tilesX.lo, ...tilesY.lo]));
		const outElements = slabPlan.maxOut + 2 * guard;
		const outBuffer =
			guard > 0
				? storageBuffer(device, new Float32Array(outElements).fill(GUARD_SENTINEL))
				: emptyBuffer(device, outElements);
		const staging = device.createBuffer({
			size: Math.max(16, outElements * 4),
			usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ
		});
		const zoomParams = uniformBuffer(device, 16);
		const zoomBindGroup = device.createBindGroup({
			layout: zoomPipeline.getBindGroupLayout(0),
			entries: [
				{ binding: 0, resource: { buffer: zoomParams } },
				{ binding: 1, resource: { buffer: prefilter.stageB } },
				{ binding: 2, resource: { buffer: startsBuffer } },
				{ binding: 3, resource: { buffer: fracsBuffer } },
				{ binding: 4, resource: { buffer: tileLoBuffer } },
				{ binding: 5, resource: { buffer: outBuffer } }
			]
		});

		const outVolume = oz * oy * ox;
		const inVolume = nz * ny * nx;
		const out = new Float32Array(t * outVolume);
		const steps = t * slabPlan.slabs.length;
		const profile = options.profile;
		try {
			for (let v = 0; v < t; v++) {
				const volume = input.data.subarray(v * inVolume, (v + 1) * inVolume);
				if (plan.kernel === 'bspline3' && hasNonFinite(volume)) {
					out.subarray(v * outVolume, (v + 1) * outVolume).fill(NaN);
					options.onProgress?.((v + 1) / t);
					continue;
				}
				for (const [s, slab] of slabPlan.slabs.entries()) {
					checkCancelled(options.signal);
					const local = slabTiles[s]!;
					await timed(profile, 'upload', device, () => {
						prefilter.upload(volume, slab);
						device.queue.writeBuffer(startsBuffer, (ox + oy) * 4, local.starts);
						device.queue.writeBuffer(fracsBuffer, (ox + oy) * 4, plan.taps[0].frac, slab.outFirst, slab.outCount);
						device.queue.writeBuffer(tileLoBuffer, (tilesX.lo.length + tilesY.lo.length) * 4, local.lo);
						const tileOffsets = [0, tilesX.lo.length, tilesX.lo.length + tilesY.lo.length];
						device.queue.writeBuffer(
							zoomParams,
							0,
							new Uint32Array([
								ox,
								oy,
								slab.outCount,
								guard,
								nx + 2 * m,
								ny + 2 * m,
								slab.coeffCount,
								0,
								0,
								ox,
								ox + oy,
								0,
								...tileOffsets,
								0
							])
						);
					});
					const encoder = profile ? undefined : device.createCommandEncoder();
					await timed(profile, 'prefilter', device, () => {
						const e = encoder ?? device.createCommandEncoder();
						prefilter.encode(e, slab);
						if (!encoder) device.queue.submit([e.finish()]);
					});
					await timed(profile, 'evaluate', device, () => {
						const e = encoder ?? device.createCommandEncoder();
						const pass = e.beginComputePass();
						pass.setPipeline(zoomPipeline);
						pass.setBindGroup(0, zoomBindGroup);
						pass.dispatchWorkgroups(Math.ceil(ox / tileX), Math.ceil(oy / tileY), Math.ceil(slab.outCount / tileZ));
						pass.end();
						if (!encoder) device.queue.submit([e.finish()]);
					});
					const slabElements = slab.outCount * oy * ox;
					const readStart = performance.now();
					const e = encoder ?? device.createCommandEncoder();
					e.copyBufferToBuffer(outBuffer, 0, staging, 0, (slabElements + 2 * guard) * 4);
					device.queue.submit([e.finish()]);
					await staging.mapAsync(GPUMapMode.READ, 0, (slabElements + 2 * guard) * 4);
					const mapped = new Float32Array(staging.getMappedRange(0, (slabElements + 2 * guard) * 4));
					if (guard > 0) {
						if (!guardsIntact(mapped, guard, slabElements)) {
							staging.unmap();
							throw new KernelError('The tricubic kernel wrote outside its output (guard band changed).');
						}
					}
					out.set(mapped.subarray(guard, guard + slabElements), v * outVolume + slab.outFirst * oy * ox);
					staging.unmap();
					if (profile) profile.readback += performance.now() - readStart;
					options.onProgress?.((v * slabPlan.slabs.length + s + 1) / steps);
				}
			}
		} finally {
			prefilter.destroy();
			for (const b of [startsBuffer, fracsBuffer, tileLoBuffer, outBuffer, staging, zoomParams]) b.destroy();
		}
		return permute4({ shape: plan.outShape, data: out }, inverse);
	}

	/**
	 * scipy.ndimage.map_coordinates on each volume; `coordinates` is [3, P]; the result is [T, P]. A volume
	 * whose coefficients exceed the binding limit goes through in overlapping z slabs, each point sampled
	 * in the slab that holds its support; a long point list goes through in chunks.
	 */
	async sample(
		tensor: Tensor,
		coordinates: Tensor,
		params: SampleParams,
		options: GpuRunOptions = {}
	): Promise<Tensor> {
		const device = this.device;
		const plan = planSample(tensor, coordinates, params, options.maxElements ?? MAX_ELEMENTS);
		const { forward } = batchFirstOrder(plan.batchAxis, plan.axes);
		const input = permute4(tensor, forward);
		const [t, nz, ny, nx] = plan.inShape;
		const m = plan.margin;
		const halo = prefilterHalfWidth(plan.kernel);
		const dims: Triple = [nz, ny, nx];
		const coeffDims: Triple = [nz + 2 * m, ny + 2 * m, nx + 2 * m];
		const limits = limitsOf(device);
		const bindingLimit = Math.min(
			options.bindingLimit ?? Infinity,
			limits.maxStorageBufferBindingSize,
			limits.maxBufferSize
		);
		const p = plan.points;
		const startsZ = plan.taps[0].start.map((s) => s + m);
		const slabPlan = planPointSlabs(startsZ, dims, coeffDims, halo, limits, bindingLimit);
		const chunks = pointChunks(plan.taps, m, slabPlan.slabOf, slabPlan.slabs.length, slabPlan.maxPointsPerDispatch);
		const maxChunk = Math.max(1, ...chunks.map((c) => c.points.length));
		const pipeline = await this.pipeline(this.pointsModule, 'points', {
			WORKGROUP_SIZE: POINT_WORKGROUP,
			KERNEL: plan.kernel === 'bspline3' ? 0 : 1,
			CONSTANT_OUTSIDE: plan.mode === 'grid-constant' ? 1 : 0
		});
		const prefilter = new Prefilter(
			device,
			await this.prefilterPipeline(halo),
			dims,
			coeffDims,
			m,
			halo,
			plan.mode,
			prefilterWeights(plan.kernel),
			slabPlan
		);
		const startsBuffer = emptyBuffer(device, 3 * maxChunk);
		const fracsBuffer = emptyBuffer(device, 3 * maxChunk);
		const guard = options.guardElements ?? 0;
		const outElements = maxChunk + 2 * guard;
		const outBuffer =
			guard > 0
				? storageBuffer(device, new Float32Array(outElements).fill(GUARD_SENTINEL))
				: emptyBuffer(device, outElements);
		const staging = device.createBuffer({
			size: Math.max(16, outElements * 4),
			usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ
		});
		const pointParams = uniformBuffer(device, 8);
		const bindGroup = device.createBindGroup({
			layout: pipeline.getBindGroupLayout(0),
			entries: [
				{ binding: 0, resource: { buffer: pointParams } },
				{ binding: 1, resource: { buffer: prefilter.stageB } },
				{ binding: 2, resource: { buffer: startsBuffer } },
				{ binding: 3, resource: { buffer: fracsBuffer } },
				{ binding: 4, resource: { buffer: outBuffer } }
			]
		});
		const writeChunk = (chunk: PointChunk) => {
			const slab = slabPlan.slabs[chunk.slab]!;
			device.queue.writeBuffer(startsBuffer, 0, chunk.starts);
			device.queue.writeBuffer(fracsBuffer, 0, chunk.fracs);
			device.queue.writeBuffer(
				pointParams,
				0,
				new Uint32Array([
					coeffDims[2],
					coeffDims[1],
					coeffDims[0],
					chunk.points.length,
					slab.coeffFirst,
					slab.coeffCount,
					guard,
					0
				])
			);
		};
		// One chunk (the usual case): its points are written once for all volumes.
		if (chunks.length === 1) writeChunk(chunks[0]!);
		const inVolume = nz * ny * nx;
		const out = new Float32Array(t * p);
		const steps = t * slabPlan.slabs.length;
		try {
			for (let v = 0; v < t; v++) {
				checkCancelled(options.signal);
				const volume = input.data.subarray(v * inVolume, (v + 1) * inVolume);
				const target = out.subarray(v * p, (v + 1) * p);
				if (plan.kernel === 'bspline3' && hasNonFinite(volume)) {
					target.fill(NaN);
					options.onProgress?.((v + 1) / t);
					continue;
				}
				for (const [s, slab] of slabPlan.slabs.entries()) {
					checkCancelled(options.signal);
					const mine = chunks.filter((c) => c.slab === s);
					if (mine.length > 0) {
						prefilter.upload(volume, slab);
						const encoder = device.createCommandEncoder();
						prefilter.encode(encoder, slab);
						device.queue.submit([encoder.finish()]);
					}
					for (const chunk of mine) {
						const n = chunk.points.length;
						if (chunks.length > 1) writeChunk(chunk);
						const encoder = device.createCommandEncoder();
						const pass = encoder.beginComputePass();
						pass.setPipeline(pipeline);
						pass.setBindGroup(0, bindGroup);
						const [x, y] = dispatchSize(n, POINT_WORKGROUP, device.limits.maxComputeWorkgroupsPerDimension);
						pass.dispatchWorkgroups(x, y);
						pass.end();
						const bytes = (n + 2 * guard) * 4;
						encoder.copyBufferToBuffer(outBuffer, 0, staging, 0, bytes);
						device.queue.submit([encoder.finish()]);
						await staging.mapAsync(GPUMapMode.READ, 0, bytes);
						const mapped = new Float32Array(staging.getMappedRange(0, bytes));
						if (guard > 0 && !guardsIntact(mapped, guard, n)) {
							staging.unmap();
							throw new KernelError('The point-sampling kernel wrote outside its output (guard band changed).');
						}
						const values = mapped.subarray(guard, guard + n);
						if (chunk.contiguous) target.set(values, chunk.points[0]);
						else chunk.points.forEach((point, k) => (target[point] = values[k]!));
						staging.unmap();
					}
					options.onProgress?.((v * slabPlan.slabs.length + s + 1) / steps);
				}
			}
		} finally {
			prefilter.destroy();
			for (const b of [startsBuffer, fracsBuffer, outBuffer, staging, pointParams]) b.destroy();
		}
		return { shape: [t, p], data: out };
	}
}

/** Points that one dispatch samples: their indices, and starts (box indices) and fractions as z | y | x blocks. */
interface PointChunk {
	slab: number;
	points: Uint32Array;
	/** The points are first, first + 1, … (no scatter needed). */
	contiguous: boolean;
	starts: Int32Array;
	fracs: Float32Array;
}

/** Groups the points by slab, and each group into dispatches of at most `maxPoints`. */
function pointChunks(
	taps: SamplePlan['taps'],
	margin: number,
	slabOf: Uint32Array,
	slabCount: number,
	maxPoints: number
): PointChunk[] {
	const bySlab: number[][] = Array.from({ length: slabCount }, () => []);
	slabOf.forEach((s, i) => bySlab[s]!.push(i));
	const chunks: PointChunk[] = [];
	bySlab.forEach((indices, slab) => {
		for (let first = 0; first < indices.length; first += maxPoints) {
			const points = Uint32Array.from(indices.slice(first, first + maxPoints));
			const n = points.length;
			const starts = new Int32Array(3 * n);
			const fracs = new Float32Array(3 * n);
			taps.forEach((axis, a) =>
				points.forEach((point, k) => {
					starts[a * n + k] = axis.start[point]! + margin;
					fracs[a * n + k] = axis.frac[point]!;
				})
			);
			const contiguous = points.every((point, k) => point === points[0]! + k);
			chunks.push({ slab, points, contiguous, starts, fracs });
		}
	});
	return chunks;
}
/** Resamples on a fresh device (inside validation scopes); for one-off calls from the CLI and tests. */
export function resampleWebGpu(
	gpu: GPU | undefined,
	shaders: ShaderSource,
	tensor: Tensor,
	params: ResampleParams,
	options: GpuRunOptions = {}
): Promise<Tensor> {
	return withDevice(gpu, async (device) => (await TensorGpu.create(device, shaders)).resample(tensor, params, options));
}

export function sampleWebGpu(
	gpu: GPU | undefined,
	shaders: ShaderSource,
	tensor: Tensor,
	coordinates: Tensor,
	params: SampleParams,
	options: GpuRunOptions = {}
): Promise<Tensor> {
	return withDevice(gpu, async (device) =>
		(await TensorGpu.create(device, shaders)).sample(tensor, coordinates, params, options)
	);
}
