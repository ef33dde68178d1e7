/**
 * Sizes the GPU work from the adapter's limits: output tiles whose coefficient footprint fits in
 * workgroup memory, and slabs along z so that every buffer a kernel binds fits within
 * maxStorageBufferBindingSize (including the prefilter's halo of input planes).
 */
import { InvalidInputError } from '../errors.ts';
import type { Triple } from './semantics.ts';

export interface TensorGpuLimits {
	maxStorageBufferBindingSize: number;
	maxBufferSize: number;
	maxComputeWorkgroupStorageSize: number;
	maxComputeInvocationsPerWorkgroup: number;
	maxComputeWorkgroupSizeX: number;
	maxComputeWorkgroupSizeY: number;
	maxComputeWorkgroupSizeZ: number;
	maxComputeWorkgroupsPerDimension: number;
}

/** The smallest first-tap index of each tile of `tile` outputs, and the widest span any tile needs (its footprint). */
export function tileFootprint(starts: Int32Array, tile: number): { lo: Int32Array; foot: number } {
	const tiles = Math.ceil(starts.length / tile);
	const lo = new Int32Array(tiles);
	let foot = 4;
	for (let k = 0; k < tiles; k++) {
		let min = Infinity;
		let max = -Infinity;
		for (let o = k * tile; o < Math.min(starts.length, (k + 1) * tile); o++) {
			min = Math.min(min, starts[o]!);
			max = Math.max(max, starts[o]!);
		}
		lo[k] = min;
		foot = Math.max(foot, max - min + 4);
	}
	return { lo, foot };
}

export interface TilePlan {
	/** Outputs per workgroup along z, y, x. */
	tile: Triple;
	/** Coefficients per workgroup along z, y, x. */
	foot: Triple;
}

/**
 * 64 invocations: a common wave size, and on SwiftShader about twice as fast as 4×8×8 (its cost grows
 * with invocations per workgroup around the barrier); a cube keeps the halo's share smallest.
 */
const PREFERRED_TILE: Triple = [4, 4, 4];
/**
 * Workgroup memory a tile's footprint may use. Below the adapter's limit (16 KiB and up) on purpose:
 * several workgroups then share a compute unit, and SwiftShader's compile time grows with the array.
 */
export const FOOTPRINT_BUDGET_BYTES = 4096;

/**
 * Starts from 4×4×4 outputs and halves the axis with the widest footprint until the footprint fits in
 * workgroup memory and the tile within the invocation limits. A shrinking zoom widens the footprint, so
 * it gets smaller tiles; a 1×1×1 tile always fits (64 coefficients).
 */
export function planTiles(
	starts: [Int32Array, Int32Array, Int32Array],
	limits: TensorGpuLimits,
	preferred: Triple = PREFERRED_TILE,
	footprintBudget = FOOTPRINT_BUDGET_BYTES
): TilePlan {
	const maxSize = [limits.maxComputeWorkgroupSizeZ, limits.maxComputeWorkgroupSizeY, limits.maxComputeWorkgroupSizeX];
	const tile = preferred.map((t, a) => Math.max(1, Math.min(t, starts[a]!.length, maxSize[a]!))) as Triple;
	const footOf = (a: number) => tileFootprint(starts[a]!, tile[a]!).foot;
	const foot = [0, 1, 2].map(footOf) as Triple;
	const capacity = Math.floor(Math.min(footprintBudget, limits.maxComputeWorkgroupStorageSize) / 4);
	while (
		foot[0] * foot[1] * foot[2] > capacity ||
		tile[0] * tile[1] * tile[2] > limits.maxComputeInvocationsPerWorkgroup
	) {
		const candidates = [0, 1, 2].filter((a) => tile[a]! > 1);
		if (candidates.length === 0) break;
		const axis = candidates.reduce((best, a) => (foot[a]! > foot[best]! ? a : best));
		tile[axis] = Math.ceil(tile[axis]! / 2);
		foot[axis] = footOf(axis);
	}
	if (foot[0] * foot[1] * foot[2] > capacity) {
		throw new InvalidInputError(
			'This GPU’s workgroup memory is too small for tricubic tiles.',
			'Choose the CPU backend.'
		);
	}
	return { tile, foot };
}

export interface Slab {
	/** Output planes [outFirst, outFirst + outCount). */
	outFirst: number;
	outCount: number;
	/** Coefficient planes needed, as indices into the full coefficient box (which starts at sample −margin). */
	coeffFirst: number;
	coeffCount: number;
	/** Input planes the prefilter reads: coefficient planes plus the halo on both sides. */
	inCount: number;
}

export interface SlabPlan {
	slabs: Slab[];
	/** Largest sizes over all slabs, in float32 elements, for allocating once. */
	maxIn: number;
	maxStageA: number;
	maxStageB: number;
	maxOut: number;
	bindingLimit: number;
}

/**
 * Splits the output along z into slabs as thick as the binding limit allows. `startsZ` holds each output
 * plane's first coefficient plane; `dims` are the input's [nz, ny, nx] and `coeffDims` the coefficient box.
 */
export function planSlabs(
	startsZ: Int32Array,
	dims: Triple,
	coeffDims: Triple,
	outPlane: number,
	halo: number,
	limits: TensorGpuLimits,
	bindingLimit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize)
): SlabPlan {
	const [, ny, nx] = dims;
	const [, ey, ex] = coeffDims;
	const maxElements = Math.floor(bindingLimit / 4);
	const slabAt = (outFirst: number, outCount: number): Slab => {
		let min = Infinity;
		let max = -Infinity;
		for (let o = outFirst; o < outFirst + outCount; o++) {
			min = Math.min(min, startsZ[o]!);
			max = Math.max(max, startsZ[o]!);
		}
		const coeffCount = max - min + 4;
		return { outFirst, outCount, coeffFirst: min, coeffCount, inCount: coeffCount + 2 * halo };
	};
	// Stage A holds the input planes and later the y-filtered planes; stage B the x-filtered planes and later the coefficients.
	const sizes = (s: Slab) => ({
		in: s.inCount * ny * nx,
		a: s.inCount * Math.max(ny * nx, ey * ex),
		b: Math.max(s.inCount * ny * ex, s.coeffCount * ey * ex),
		out: s.outCount * outPlane
	});
	const fits = (s: Slab) => {
		const z = sizes(s);
		return z.a <= maxElements && z.b <= maxElements && z.out <= maxElements;
	};
	const total = startsZ.length;
	const slabs: Slab[] = [];
	let first = 0;
	while (first < total) {
		let count = total - first;
		let slab = slabAt(first, count);
		while (!fits(slab) && count > 1) {
			count = Math.ceil(count / 2);
			slab = slabAt(first, count);
		}
		if (!fits(slab)) {
			throw new InvalidInputError(
				`One plane of this tensor with its prefilter halo needs more than the ${formatBytes(bindingLimit)} this GPU binds at once.`,
				'Choose the CPU backend, or reduce the Y and X lengths.'
			);
		}
		slabs.push(slab);
		first += count;
	}
	const all = slabs.map(sizes);
	return {
		slabs,
		maxIn: Math.max(...all.map((s) => s.in)),
		maxStageA: Math.max(...all.map((s) => s.a)),
		maxStageB: Math.max(...all.map((s) => s.b)),
		maxOut: Math.max(...all.map((s) => s.out)),
		bindingLimit
	};
}

function formatBytes(bytes: number): string {
	return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(0)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`;
}

export interface PointSlabPlan {
	/** Coefficient planes per slab (outFirst/outCount unused); consecutive slabs overlap by 3 planes. */
	slabs: Slab[];
	/** Slab of each point: the one holding every plane its four z taps read. */
	slabOf: Uint32Array;
	maxIn: number;
	maxStageA: number;
	maxStageB: number;
	maxCoeffPlanes: number;
	/** Most points one dispatch binds (three i32 or f32 per point must fit the binding limit). */
	maxPointsPerDispatch: number;
}

/**
 * Slabs for sampling at arbitrary points: the coefficient box is cut along z into slabs as thick as the
 * binding limit allows (prefilter halo included) that overlap by the stencil's 3 extra planes, and each
 * point goes to the slab that holds its support. `startsZ` are the points' first coefficient planes
 * (box indices, possibly outside it); taps past the box clamp into it (nearest and the folding modes)
 * or read zero (grid-constant), so only the part of the support inside the box matters.
 */
export function planPointSlabs(
	startsZ: Int32Array,
	dims: Triple,
	coeffDims: Triple,
	halo: number,
	limits: TensorGpuLimits,
	bindingLimit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize)
): PointSlabPlan {
	const [, ny, nx] = dims;
	const [ez, ey, ex] = coeffDims;
	const maxElements = Math.floor(bindingLimit / 4);
	// Largest slab whose stage buffers fit: stage A holds input then y-filtered planes, stage B x-filtered planes then coefficients.
	const thickest = Math.min(
		ez,
		Math.floor(maxElements / Math.max(ny * nx, ey * ex)) - 2 * halo,
		Math.floor(maxElements / (ny * ex)) - 2 * halo,
		Math.floor(maxElements / (ey * ex))
	);
	if (thickest < Math.min(4, ez)) {
		throw new InvalidInputError(
			`Four planes of this tensor with the prefilter halo need more than the ${formatBytes(bindingLimit)} this GPU binds at once.`,
			'Choose the CPU backend, or reduce the Y and X lengths.'
		);
	}
	const maxPointsPerDispatch = Math.floor(maxElements / 3);
	if (maxPointsPerDispatch < 1)
		throw new InvalidInputError(`This GPU binds only ${bindingLimit} bytes at once.`, 'Choose the CPU backend.');
	const step = thickest >= ez ? ez : thickest - 3;
	const slabs: Slab[] = [];
	for (let first = 0; ; first += step) {
		const coeffCount = Math.min(thickest, ez - first);
		slabs.push({ outFirst: 0, outCount: 0, coeffFirst: first, coeffCount, inCount: coeffCount + 2 * halo });
		if (first + coeffCount >= ez) break;
	}
	const slabOf = new Uint32Array(startsZ.length);
	if (slabs.length > 1) {
		for (let i = 0; i < startsZ.length; i++) {
			// The lowest plane the point reads inside the box; with it in slab k, the three above are too.
			const low = Math.min(ez - 1, Math.max(0, startsZ[i]!));
			slabOf[i] = Math.min(slabs.length - 1, Math.floor(low / step));
		}
	}
	const last = slabs.reduce((a, s) => (s.coeffCount > a.coeffCount ? s : a));
	return {
		slabs,
		slabOf,
		maxIn: last.inCount * ny * nx,
		maxStageA: last.inCount * Math.max(ny * nx, ey * ex),
		maxStageB: Math.max(last.inCount * ny * ex, last.coeffCount * ey * ex),
		maxCoeffPlanes: last.coeffCount,
		maxPointsPerDispatch
	};
}
