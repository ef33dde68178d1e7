/**
 * The CPU reference of the tensor lab: scipy.ndimage's zoom and map_coordinates (order 3, prefilter on)
 * and Catmull-Rom, computed the way the WGSL kernels compute them: the same coefficient volume, the same
 * tap tables, float32 arithmetic (Math.fround) in the same order. It is the backend where WebGPU is
 * missing and the yardstick the GPU tests compare against.
 */
import { CancelledError } from '../errors.ts';
import { coefficientPlanes, prefilterXY, splitPlanes, zoomFromXY } from './cpu-separable.ts';
import {
	batchFirstOrder,
	hasNonFinite,
	MAX_ELEMENTS,
	permute4,
	planResample,
	planSample,
	tapWeights,
	type AxisTaps,
	type BoundaryMode,
	type KernelName,
	type ResamplePlan,
	type ResampleParams,
	type RunOptions,
	type SampleParams,
	type Tensor,
	type Triple
} from './semantics.ts';

const f = Math.fround;

/** Output planes per step of the single-threaded zoom: each step re-reads about 3 coefficient planes of its neighbour's. */
const SLAB_PLANES = 32;
/** The prefilter's rough share of a zoom's time, for progress. */
const PREFILTER_SHARE = 0.4;

/**
 * One pass of the line filter along `axis` of a [d0, d1, d2] volume: output k along the axis is
 * Σ_j weights[j] · src[table[k + j]] (a table entry of -1 reads 0). Mirrors shaders/bspline-prefilter.wgsl.
 */
export function filterAxis(
	src: Float32Array,
	dims: Triple,
	axis: number,
	table: Int32Array,
	weights: Float32Array,
	outLength: number
): { data: Float32Array; dims: Triple } {
	const outDims: Triple = [dims[0], dims[1], dims[2]];
	outDims[axis] = outLength;
	const inStrides = [dims[1] * dims[2], dims[2], 1];
	const out = new Float32Array(outDims[0] * outDims[1] * outDims[2]);
	const taps = weights.length;
	const strideA = inStrides[axis]!;
	let o = 0;
	for (let i0 = 0; i0 < outDims[0]; i0++)
		for (let i1 = 0; i1 < outDims[1]; i1++)
			for (let i2 = 0; i2 < outDims[2]; i2++) {
				const idx = [i0, i1, i2];
				const k = idx[axis]!;
				idx[axis] = 0;
				const base = idx[0]! * inStrides[0]! + idx[1]! * inStrides[1]! + idx[2]!;
				let acc = 0;
				for (let j = 0; j < taps; j++) {
					const s = table[k + j]!;
					const v = s < 0 ? 0 : src[base + s * strideA]!;
					acc = f(acc + f(weights[j]! * v));
				}
				out[o++] = acc;
			}
	return { data: out, dims: outDims };
}

/**
 * The coefficient volume E over sample indices [-margin, n+margin) on y and x, and box planes [first, first+count)
 * on z (default: [-margin, nz+margin)).
 */
export function coefficientVolume(
	volume: Float32Array,
	dims: Triple,
	kernel: KernelName,
	mode: BoundaryMode,
	margin: number,
	zRange: { first: number; count: number } = { first: 0, count: dims[0] + 2 * margin }
): { data: Float32Array; dims: Triple } {
	const xy = prefilterXY(volume, dims, kernel, mode, margin);
	const data = coefficientPlanes(xy, 0, dims, kernel, mode, margin, zRange);
	return { data, dims: [zRange.count, dims[1] + 2 * margin, dims[2] + 2 * margin] };
}

/** Per output index along one axis: four coefficient indices (-1: constant zero) and four weights. */
export interface TapTable {
	index: Int32Array;
	weight: Float32Array;
}

/**
 * Resolves taps against a coefficient axis of `length` entries whose entry 0 is sample index `origin`:
 * outside it, `grid-constant` reads zero and every other mode clamps (scipy's `nearest` on the padded
 * coefficients; a no-op for the folding modes, whose taps never leave it).
 */
export function resolveTaps(
	taps: AxisTaps,
	kernel: KernelName,
	mode: BoundaryMode,
	origin: number,
	length: number
): TapTable {
	const count = taps.start.length;
	const index = new Int32Array(4 * count);
	const weight = new Float32Array(4 * count);
	const w = new Float32Array(4);
	for (let i = 0; i < count; i++) {
		tapWeights(kernel, taps.frac[i]!, w);
		for (let k = 0; k < 4; k++) {
			const e = taps.start[i]! + k - origin;
			index[4 * i + k] =
				e >= 0 && e < length ? e : mode === 'grid-constant' ? -1 : Math.min(length - 1, Math.max(0, e));
			weight[4 * i + k] = w[k]!;
		}
	}
	return { index, weight };
}

/** Σ_z wz · Σ_y wy · Σ_x wx · E, in float32 and in the kernels' order. */
export function evaluate(
	e: Float32Array,
	eDims: Triple,
	tz: TapTable,
	iz: number,
	ty: TapTable,
	iy: number,
	tx: TapTable,
	ix: number
): number {
	const sy = eDims[2];
	const sz = eDims[1] * eDims[2];
	let acc = 0;
	for (let a = 0; a < 4; a++) {
		const zIndex = tz.index[4 * iz + a]!;
		let accY = 0;
		for (let b = 0; b < 4; b++) {
			const yIndex = ty.index[4 * iy + b]!;
			let accX = 0;
			for (let c = 0; c < 4; c++) {
				const xIndex = tx.index[4 * ix + c]!;
				const v = zIndex < 0 || yIndex < 0 || xIndex < 0 ? 0 : e[zIndex * sz + yIndex * sy + xIndex]!;
				accX = f(accX + f(tx.weight[4 * ix + c]! * v));
			}
			accY = f(accY + f(ty.weight[4 * iy + b]! * accX));
		}
		acc = f(acc + f(tz.weight[4 * iz + a]! * accY));
	}
	return acc;
}

function checkCancelled(signal: AbortSignal | undefined): void {
	if (signal?.aborted) throw new CancelledError('Resampling');
}

/**
 * The extended coefficient volume's dimensions and the three axes' tap tables, as both resampling and
 * point sampling evaluate them.
 */
export function resolvePlanTaps(plan: Pick<ResamplePlan, 'inShape' | 'margin' | 'taps' | 'kernel' | 'mode'>) {
	const [, nz, ny, nx] = plan.inShape;
	const m = plan.margin;
	const eDims: Triple = [nz + 2 * m, ny + 2 * m, nx + 2 * m];
	const [tapsZ, tapsY, tapsX] = plan.taps;
	return {
		m,
		eDims,
		tz: resolveTaps(tapsZ, plan.kernel, plan.mode, -m, eDims[0]),
		ty: resolveTaps(tapsY, plan.kernel, plan.mode, -m, eDims[1]),
		tx: resolveTaps(tapsX, plan.kernel, plan.mode, -m, eDims[2])
	};
}

/**
 * The resampling loop as a generator that yields after each output plane, so the synchronous and the
 * event-loop-friendly versions share one body. Returns the result in the caller's axis order.
 */
function* resampleSteps(
	tensor: Tensor,
	params: ResampleParams,
	options: RunOptions & { maxElements?: number }
): Generator<void, Tensor> {
	const plan = planResample(tensor, params, options.maxElements ?? MAX_ELEMENTS);
	const { forward, inverse } = batchFirstOrder(plan.batchAxis, plan.axes);
	if (plan.identity) return { shape: [...tensor.shape], data: tensor.data.slice() };
	const input = permute4(tensor, forward);
	const [t, nz, ny, nx] = plan.inShape;
	const [, oz, oy, ox] = plan.outShape;
	const { m, tz, ty, tx } = resolvePlanTaps(plan);
	const inVolume = nz * ny * nx;
	const outVolume = oz * oy * ox;
	const out = new Float32Array(t * outVolume);
	for (let v = 0; v < t; v++) {
		checkCancelled(options.signal);
		const volume = input.data.subarray(v * inVolume, (v + 1) * inVolume);
		const target = out.subarray(v * outVolume, (v + 1) * outVolume);
		if (plan.kernel === 'bspline3' && hasNonFinite(volume)) {
			target.fill(NaN);
		} else {
			const task = {
				dims: [nz, ny, nx] as Triple,
				outDims: [oz, oy, ox] as Triple,
				kernel: plan.kernel,
				mode: plan.mode,
				margin: m,
				tz,
				ty,
				tx
			};
			const xy = prefilterXY(volume, [nz, ny, nx], plan.kernel, plan.mode, m);
			options.onProgress?.((v + PREFILTER_SHARE) / t);
			yield;
			checkCancelled(options.signal);
			for (const slab of splitPlanes(oz, Math.ceil(oz / SLAB_PLANES))) {
				const planeSize = oy * ox;
				zoomFromXY(
					{ ...task, ...slab },
					xy,
					0,
					target.subarray(slab.outFirst * planeSize, (slab.outFirst + slab.outCount) * planeSize)
				);
				options.onProgress?.(
					(v + PREFILTER_SHARE + ((1 - PREFILTER_SHARE) * (slab.outFirst + slab.outCount)) / oz) / t
				);
				yield;
				checkCancelled(options.signal);
			}
		}
		options.onProgress?.((v + 1) / t);
	}
	return permute4({ shape: plan.outShape, data: out }, inverse);
}

/** scipy.ndimage.zoom on each volume of a 4D tensor (or Catmull-Rom with the same geometry). */
export function resampleCpu(
	tensor: Tensor,
	params: ResampleParams,
	options: RunOptions & { maxElements?: number } = {}
): Tensor {
	const steps = resampleSteps(tensor, params, options);
	for (;;) {
		const step = steps.next();
		if (step.done) return step.value;
	}
}

/**
 * resampleCpu that gives the event loop a turn every few milliseconds, so a worker can receive a
 * cancel message while it runs.
 */
export async function resampleCpuAsync(
	tensor: Tensor,
	params: ResampleParams,
	options: RunOptions & { maxElements?: number } = {}
): Promise<Tensor> {
	const steps = resampleSteps(tensor, params, options);
	let last = performance.now();
	for (;;) {
		const step = steps.next();
		if (step.done) return step.value;
		if (performance.now() - last > 20) {
			await new Promise((resolve) => setTimeout(resolve, 0));
			last = performance.now();
		}
	}
}

/** scipy.ndimage.map_coordinates on each volume: `coordinates` is [3, P] (z, y, x); the result is [T, P]. */
export function sampleCpu(
	tensor: Tensor,
	coordinates: Tensor,
	params: SampleParams,
	options: RunOptions & { maxElements?: number } = {}
): Tensor {
	const plan = planSample(tensor, coordinates, params, options.maxElements ?? MAX_ELEMENTS);
	const { forward } = batchFirstOrder(plan.batchAxis, plan.axes);
	const input = permute4(tensor, forward);
	const [t, nz, ny, nx] = plan.inShape;
	const { m, eDims, tz, ty, tx } = resolvePlanTaps(plan);
	const p = plan.points;
	const inVolume = nz * ny * nx;
	const out = new Float32Array(t * p);
	for (let v = 0; v < t; v++) {
		checkCancelled(options.signal);
		const volume = input.data.subarray(v * inVolume, (v + 1) * inVolume);
		const target = out.subarray(v * p, (v + 1) * p);
		if (plan.kernel === 'bspline3' && hasNonFinite(volume)) {
			target.fill(NaN);
		} else {
			const e = coefficientVolume(volume, [nz, ny, nx], plan.kernel, plan.mode, m).data;
			for (let i = 0; i < p; i++) target[i] = evaluate(e, eDims, tz, i, ty, i, tx, i);
		}
		options.onProgress?.((v + 1) / t);
	}
	return { shape: [t, p], data: out };
}
