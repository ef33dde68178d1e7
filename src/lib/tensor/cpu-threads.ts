/**
 * The CPU zoom across worker threads: the prefilter's x/y passes split by input planes, then the z pass
 * and the separable evaluation split by output slabs (`cpu-separable.ts`). Every task is a pure function
 * of its inputs, so the result is bit-identical to the single-threaded `resampleCpu` whatever the number
 * of threads. Threads come from a platform's `ThreadStarter` (Node `worker_threads`, browser workers).
 */
import { CancelledError } from '../errors.ts';
import { evaluate, resolvePlanTaps, type TapTable } from './cpu.ts';
import {
	coefficientPlanes,
	prefilterXY,
	slabInputs,
	splitPlanes,
	zoomFromXY,
	type ZoomSlabTask
} from './cpu-separable.ts';
import {
	batchFirstOrder,
	hasNonFinite,
	MAX_ELEMENTS,
	permute4,
	planResample,
	planSample,
	type ResampleParams,
	type SampleParams,
	type RunOptions,
	type Tensor,
	type Triple
} from './semantics.ts';

export type ThreadTask =
	| {
			kind: 'xy';
			planes: Float32Array;
			dims: Triple;
			kernel: ZoomSlabTask['kernel'];
			mode: ZoomSlabTask['mode'];
			margin: number;
	  }
	| { kind: 'zoom'; task: Omit<ZoomSlabTask, 'volume'>; xy: Float32Array; xyFirst: number }
	| { kind: 'points'; e: Float32Array; eDims: Triple; tz: TapTable; ty: TapTable; tx: TapTable };

/** What a thread computes for a task: the whole of it, synchronously. */
export function runThreadTask(task: ThreadTask): Float32Array {
	if (task.kind === 'xy') return prefilterXY(task.planes, task.dims, task.kernel, task.mode, task.margin);
	if (task.kind === 'zoom') return zoomFromXY(task.task, task.xy, task.xyFirst);
	const out = new Float32Array(task.tz.index.length / 4);
	for (let i = 0; i < out.length; i++) out[i] = evaluate(task.e, task.eDims, task.tz, i, task.ty, i, task.tx, i);
	return out;
}

/** One worker thread, as a platform starts it: one task at a time. */
export interface TensorThread {
	/** The task's inputs are copies made for it: the thread may take (detach) them. */
	run(task: ThreadTask): Promise<Float32Array>;
	terminate(): void;
}

export type ThreadStarter = () => TensorThread;

/** A fixed set of threads started on first use and kept warm between runs; cancelling a run stops them. */
export class TensorThreadPool {
	private threads: TensorThread[] = [];
	private idle: TensorThread[] = [];
	private waiting: { resolve: (thread: TensorThread) => void; reject: (error: Error) => void }[] = [];

	constructor(
		private readonly start: ThreadStarter,
		readonly size: number
	) {}

	private ensure(): void {
		if (this.threads.length > 0) return;
		this.threads = Array.from({ length: this.size }, () => this.start());
		this.idle = [...this.threads];
	}

	async run(task: ThreadTask, signal?: AbortSignal): Promise<Float32Array> {
		this.ensure();
		const thread =
			this.idle.pop() ?? (await new Promise<TensorThread>((resolve, reject) => this.waiting.push({ resolve, reject })));
		if (signal?.aborted) {
			this.release(thread);
			throw new CancelledError('Resampling');
		}
		try {
			return await thread.run(task);
		} finally {
			this.release(thread);
		}
	}

	private release(thread: TensorThread): void {
		if (!this.threads.includes(thread)) return;
		const next = this.waiting.shift();
		if (next) next.resolve(thread);
		else this.idle.push(thread);
	}

	/** Stops every thread (running tasks reject); the next run starts fresh ones. */
	terminate(): void {
		for (const thread of this.threads) thread.terminate();
		for (const waiter of this.waiting) waiter.reject(new CancelledError('Resampling'));
		this.threads = [];
		this.idle = [];
		this.waiting = [];
	}
}

/**
 * scipy.ndimage.zoom on each volume, on `pool`'s threads. Same result as `resampleCpu`, bit for bit.
 */
export async function resampleThreaded(
	tensor: Tensor,
	params: ResampleParams,
	pool: TensorThreadPool,
	options: RunOptions & { maxElements?: number } = {}
): Promise<Tensor> {
	const plan = planResample(tensor, params, options.maxElements ?? MAX_ELEMENTS);
	if (plan.identity) return { shape: [...tensor.shape], data: tensor.data.slice() };
	const { forward, inverse } = batchFirstOrder(plan.batchAxis, plan.axes);
	const input = permute4(tensor, forward);
	const [t, nz, ny, nx] = plan.inShape;
	const [, oz, oy, ox] = plan.outShape;
	const { m, tz, ty, tx } = resolvePlanTaps(plan);
	const ey = ny + 2 * m;
	const ex = nx + 2 * m;
	const inVolume = nz * ny * nx;
	const outPlane = oy * ox;
	const out = new Float32Array(t * oz * outPlane);
	const base = { dims: [nz, ny, nx] as Triple, outDims: [oz, oy, ox] as Triple, kernel: plan.kernel, mode: plan.mode };
	const slabTask = { ...base, margin: m, tz, ty, tx };
	const abort = () => pool.terminate();
	options.signal?.addEventListener('abort', abort);
	try {
		const inputSlabs = splitPlanes(nz, pool.size);
		const outputSlabs = splitPlanes(oz, 2 * pool.size);
		const steps = t * (inputSlabs.length + outputSlabs.length);
		let done = 0;
		const step = () => options.onProgress?.(++done / steps);
		for (let v = 0; v < t; v++) {
			if (options.signal?.aborted) throw new CancelledError('Resampling');
			const volume = input.data.subarray(v * inVolume, (v + 1) * inVolume);
			const target = out.subarray(v * oz * outPlane, (v + 1) * oz * outPlane);
			if (plan.kernel === 'bspline3' && hasNonFinite(volume)) {
				target.fill(NaN);
				done += inputSlabs.length + outputSlabs.length;
				options.onProgress?.(done / steps);
				continue;
			}
			const xy = await prefilterXYThreaded(volume, plan.inShape, plan, m, pool, inputSlabs, step, options.signal);
			await Promise.all(
				outputSlabs.map(async (slab) => {
					const task = { ...slabTask, ...slab };
					const { first, last } = slabInputs(task);
					const planes = last < first ? new Float32Array(0) : xy.slice(first * ey * ex, (last + 1) * ey * ex);
					const result = await pool.run({ kind: 'zoom', task, xy: planes, xyFirst: first }, options.signal);
					target.set(result, slab.outFirst * outPlane);
					step();
				})
			);
		}
	} catch (error) {
		if (options.signal?.aborted) throw new CancelledError('Resampling');
		throw error;
	} finally {
		options.signal?.removeEventListener('abort', abort);
	}
	return permute4({ shape: plan.outShape, data: out }, inverse);
}

/** The prefilter's x/y passes of one volume, input planes split over the threads: [nz, ey, ex]. */
async function prefilterXYThreaded(
	volume: Float32Array,
	[, nz, ny, nx]: readonly number[],
	plan: Pick<ZoomSlabTask, 'kernel' | 'mode'>,
	margin: number,
	pool: TensorThreadPool,
	slabs: { outFirst: number; outCount: number }[],
	step: () => void,
	signal: AbortSignal | undefined
): Promise<Float32Array> {
	const plane = (ny! + 2 * margin) * (nx! + 2 * margin);
	const xy = new Float32Array(nz! * plane);
	await Promise.all(
		slabs.map(async ({ outFirst: first, outCount: count }) => {
			const planes = volume.slice(first * ny! * nx!, (first + count) * ny! * nx!);
			const dims: Triple = [count, ny!, nx!];
			const task: ThreadTask = { kind: 'xy', planes, dims, kernel: plan.kernel, mode: plan.mode, margin };
			xy.set(await pool.run(task, signal), first * plane);
			step();
		})
	);
	return xy;
}

function sliceTaps(taps: TapTable, first: number, count: number): TapTable {
	return {
		index: taps.index.slice(4 * first, 4 * (first + count)),
		weight: taps.weight.slice(4 * first, 4 * (first + count))
	};
}

/**
 * scipy.ndimage.map_coordinates on each volume, on `pool`'s threads: the prefilter as for zoom, then the
 * points split over the threads, each a direct tensor-product evaluation. Same result as `sampleCpu`.
 */
export async function sampleThreaded(
	tensor: Tensor,
	coordinates: Tensor,
	params: SampleParams,
	pool: TensorThreadPool,
	options: RunOptions & { maxElements?: number } = {}
): Promise<Tensor> {
	const plan = planSample(tensor, coordinates, params, options.maxElements ?? MAX_ELEMENTS);
	const { forward } = batchFirstOrder(plan.batchAxis, plan.axes);
	const input = permute4(tensor, forward);
	const [t, nz, ny, nx] = plan.inShape;
	const { m, eDims, tz, ty, tx } = resolvePlanTaps(plan);
	const p = plan.points;
	const inVolume = nz * ny * nx;
	const out = new Float32Array(t * p);
	const abort = () => pool.terminate();
	options.signal?.addEventListener('abort', abort);
	try {
		const inputSlabs = splitPlanes(nz, pool.size);
		const pointSlabs = splitPlanes(p, pool.size);
		const steps = t * (inputSlabs.length + pointSlabs.length);
		let done = 0;
		const step = () => options.onProgress?.(++done / steps);
		for (let v = 0; v < t; v++) {
			if (options.signal?.aborted) throw new CancelledError('Resampling');
			const volume = input.data.subarray(v * inVolume, (v + 1) * inVolume);
			const target = out.subarray(v * p, (v + 1) * p);
			if (plan.kernel === 'bspline3' && hasNonFinite(volume)) {
				target.fill(NaN);
				done += inputSlabs.length + pointSlabs.length;
				options.onProgress?.(done / steps);
				continue;
			}
			const xy = await prefilterXYThreaded(volume, plan.inShape, plan, m, pool, inputSlabs, step, options.signal);
			const e = coefficientPlanes(xy, 0, [nz, ny, nx], plan.kernel, plan.mode, m, { first: 0, count: eDims[0] });
			await Promise.all(
				pointSlabs.map(async ({ outFirst: first, outCount: count }) => {
					const task: ThreadTask = {
						kind: 'points',
						e: e.slice(),
						eDims,
						tz: sliceTaps(tz, first, count),
						ty: sliceTaps(ty, first, count),
						tx: sliceTaps(tx, first, count)
					};
					target.set(await pool.run(task, options.signal), first);
					step();
				})
			);
		}
	} catch (error) {
		if (options.signal?.aborted) throw new CancelledError('Resampling');
		throw error;
	} finally {
		options.signal?.removeEventListener('abort', abort);
	}
	return { shape: [t, p], data: out };
}
