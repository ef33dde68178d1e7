/**
 * The CPU backend's fast path for zoom. An axis-aligned zoom's 64-tap tensor-product evaluation factorises
 * into three 1-D passes of 4 taps (x, then y, then z), and the prefilter's line passes run row by row so
 * the inner loop walks contiguous memory. Each sum keeps the reference's float32 order (`cpu.ts`'s
 * `evaluate` and `filterAxis`): Σ_z wz · (Σ_y wy · (Σ_x wx · E)), each product and partial sum rounded to
 * float32, so the result equals the reference value for value.
 *
 * Work is cut into slabs of output planes along z; a slab prefilters only the input planes it reads, so
 * slabs are independent tasks for worker threads and give the same numbers whichever thread runs them.
 */
import {
	extensionTable,
	prefilterHalfWidth,
	prefilterWeights,
	type BoundaryMode,
	type KernelName
} from './semantics.ts';
import type { TapTable } from './cpu.ts';

const f = Math.fround;

/** Everything a slab needs, as plain typed arrays so it can cross to a worker thread. */
export interface ZoomSlabTask {
	/** One input volume [nz, ny, nx]. */
	volume: Float32Array;
	dims: [number, number, number];
	/** Output lengths [oz, oy, ox]. */
	outDims: [number, number, number];
	kernel: KernelName;
	mode: BoundaryMode;
	margin: number;
	/** Tap tables against the full coefficient box (entry 0 is sample −margin; −1 reads zero). */
	tz: TapTable;
	ty: TapTable;
	tx: TapTable;
	/** Output planes [outFirst, outFirst + outCount). */
	outFirst: number;
	outCount: number;
}

/** The coefficient planes (indices into the full box) that output planes [first, first + count) read. */
export function coefficientRange(tz: TapTable, first: number, count: number): { first: number; count: number } {
	let min = Infinity;
	let max = -Infinity;
	for (let i = 4 * first; i < 4 * (first + count); i++) {
		const e = tz.index[i]!;
		if (e < 0) continue;
		if (e < min) min = e;
		if (e > max) max = e;
	}
	return min > max ? { first: 0, count: 0 } : { first: min, count: max - min + 1 };
}

/** Σ_j w[j] · line[table[k + j]] along contiguous lines: out is [lines, outLength], src [lines, inLength]. */
function filterRows(
	src: Float32Array,
	lines: number,
	inLength: number,
	table: Int32Array,
	weights: Float32Array,
	outLength: number
): Float32Array {
	const out = new Float32Array(lines * outLength);
	const taps = weights.length;
	for (let l = 0; l < lines; l++) {
		const base = l * inLength;
		const o = l * outLength;
		for (let k = 0; k < outLength; k++) {
			let acc = 0;
			for (let j = 0; j < taps; j++) {
				const s = table[k + j]!;
				acc = f(acc + f(weights[j]! * (s < 0 ? 0 : src[base + s]!)));
			}
			out[o + k] = acc;
		}
	}
	return out;
}

/**
 * The same filter along the middle axis of [blocks, inLength, row] (or the outer axis with blocks = 1),
 * accumulating whole rows at once: a Float32Array store rounds to float32, as `f(acc + f(w · v))` does.
 */
function filterPlanes(
	src: Float32Array,
	blocks: number,
	inLength: number,
	row: number,
	table: Int32Array,
	weights: Float32Array,
	outLength: number,
	/** Maps a table entry to a row index of `src` (the slab's first input plane is not plane 0). */
	offset = 0
): Float32Array {
	const out = new Float32Array(blocks * outLength * row);
	const taps = weights.length;
	// Tap by tap over whole output rows: each element still sums its taps in the reference's order (the
	// row starts at +0, as the reference's accumulator does), and the inner loop is a branch-free walk of
	// two contiguous rows.
	for (let b = 0; b < blocks; b++) {
		const inBase = b * inLength * row;
		for (let k = 0; k < outLength; k++) {
			const o = (b * outLength + k) * row;
			for (let j = 0; j < taps; j++) {
				const w = weights[j]!;
				const s = table[k + j]!;
				if (s < 0) {
					// A zero row adds f(w · 0), a signed zero: kept, so the bits match the reference's.
					const zero = f(w * 0);
					for (let i = 0; i < row; i++) out[o + i] = f(out[o + i]! + zero);
					continue;
				}
				const from = inBase + (s - offset) * row;
				for (let i = 0; i < row; i++) out[o + i] = f(out[o + i]! + f(w * src[from + i]!));
			}
		}
	}
	return out;
}

/** The 4-tap evaluation along contiguous lines: out [lines, count], src [lines, inLength]. */
function evaluateRows(src: Float32Array, lines: number, inLength: number, taps: TapTable, count: number): Float32Array {
	const out = new Float32Array(lines * count);
	const { index, weight } = taps;
	for (let l = 0; l < lines; l++) {
		const base = l * inLength;
		const o = l * count;
		for (let i = 0; i < count; i++) {
			let acc = 0;
			for (let c = 0; c < 4; c++) {
				const s = index[4 * i + c]!;
				acc = f(acc + f(weight[4 * i + c]! * (s < 0 ? 0 : src[base + s]!)));
			}
			out[o + i] = acc;
		}
	}
	return out;
}

/**
 * The 4-tap evaluation along the middle axis of [blocks, inLength, row], for outputs [first, first + count)
 * of `taps`; `offset` is the first row `src` holds.
 */
function evaluatePlanes(
	src: Float32Array,
	blocks: number,
	inLength: number,
	row: number,
	taps: TapTable,
	first: number,
	count: number,
	offset: number,
	out: Float32Array = new Float32Array(blocks * count * row)
): Float32Array {
	const { index, weight } = taps;
	for (let b = 0; b < blocks; b++) {
		const inBase = b * inLength * row;
		for (let k = 0; k < count; k++) {
			const t = 4 * (first + k);
			const o = (b * count + k) * row;
			const [s0, s1, s2, s3] = [index[t]!, index[t + 1]!, index[t + 2]!, index[t + 3]!];
			const [w0, w1, w2, w3] = [weight[t]!, weight[t + 1]!, weight[t + 2]!, weight[t + 3]!];
			if (s0 < 0 || s1 < 0 || s2 < 0 || s3 < 0) {
				// A tap outside the coefficients reads zero (grid-constant): the general sum.
				for (let i = 0; i < row; i++) {
					let acc = 0;
					for (let c = 0; c < 4; c++) {
						const s = index[t + c]!;
						acc = f(acc + f(weight[t + c]! * (s < 0 ? 0 : src[inBase + (s - offset) * row + i]!)));
					}
					out[o + i] = acc;
				}
				continue;
			}
			const r0 = inBase + (s0 - offset) * row;
			const r1 = inBase + (s1 - offset) * row;
			const r2 = inBase + (s2 - offset) * row;
			const r3 = inBase + (s3 - offset) * row;
			// f(f(f(p0 + p1) + p2) + p3): the reference's f(acc + p) from acc = 0, one read of each row.
			for (let i = 0; i < row; i++)
				out[o + i] = f(f(f(f(w0 * src[r0 + i]!) + f(w1 * src[r1 + i]!)) + f(w2 * src[r2 + i]!)) + f(w3 * src[r3 + i]!));
		}
	}
	return out;
}

/** The prefilter's x and y passes over input planes (any run of whole planes): [planes, ny, nx] → [planes, ey, ex]. */
export function prefilterXY(
	planes: Float32Array,
	dims: [number, number, number],
	kernel: KernelName,
	mode: BoundaryMode,
	margin: number
): Float32Array {
	const [count, ny, nx] = dims;
	const weights = prefilterWeights(kernel);
	const halo = prefilterHalfWidth(kernel);
	const ex = nx + 2 * margin;
	const ey = ny + 2 * margin;
	const alongX = filterRows(planes, count * ny, nx, extensionTable(nx, mode, -margin, ex, halo), weights, ex);
	return filterPlanes(alongX, count, ny, ex, extensionTable(ny, mode, -margin, ey, halo), weights, ey);
}

/**
 * Coefficient planes [first, first + count) of the box (index 0 is sample −margin), from x/y-filtered input
 * planes `xy` that start at plane `xyFirst` and hold every plane the z filter reads.
 */
export function coefficientPlanes(
	xy: Float32Array,
	xyFirst: number,
	dims: [number, number, number],
	kernel: KernelName,
	mode: BoundaryMode,
	margin: number,
	range: { first: number; count: number }
): Float32Array {
	const [nz, ny, nx] = dims;
	const plane = (ny + 2 * margin) * (nx + 2 * margin);
	const table = extensionTable(nz, mode, range.first - margin, range.count, prefilterHalfWidth(kernel));
	return filterPlanes(xy, 1, xy.length / plane, plane, table, prefilterWeights(kernel), range.count, xyFirst);
}

/** The z prefilter's table for a slab, and the x/y-filtered input planes [first, last] it reads (none: first > last). */
export function slabInputs(task: Omit<ZoomSlabTask, 'volume'>): {
	coeff: { first: number; count: number };
	zTable: Int32Array;
	first: number;
	last: number;
} {
	const coeff = coefficientRange(task.tz, task.outFirst, task.outCount);
	const zTable = extensionTable(
		task.dims[0],
		task.mode,
		coeff.first - task.margin,
		coeff.count,
		prefilterHalfWidth(task.kernel)
	);
	let first = Infinity;
	let last = -Infinity;
	for (const p of zTable) {
		if (p < 0) continue;
		if (p < first) first = p;
		if (p > last) last = p;
	}
	return coeff.count === 0 ? { coeff, zTable, first: 0, last: -1 } : { coeff, zTable, first, last };
}

/**
 * Output planes [outFirst, outFirst + outCount) of one volume's zoom, as [outCount, oy, ox], from the
 * x/y-filtered input planes `xy` (planes [xyFirst, …] of the volume, as `slabInputs` names them).
 */
export function zoomFromXY(
	task: Omit<ZoomSlabTask, 'volume'>,
	xy: Float32Array,
	xyFirst: number,
	out: Float32Array = new Float32Array(task.outCount * task.outDims[1] * task.outDims[2])
): Float32Array {
	const [, ny, nx] = task.dims;
	const [, oy, ox] = task.outDims;
	const ey = ny + 2 * task.margin;
	const ex = nx + 2 * task.margin;
	const { coeff, zTable, first, last } = slabInputs(task);
	if (coeff.count === 0) return out.fill(0);
	const coefficients =
		first > last
			? new Float32Array(coeff.count * ey * ex)
			: filterPlanes(xy, 1, last - first + 1, ey * ex, zTable, prefilterWeights(task.kernel), coeff.count, xyFirst);
	const alongX = evaluateRows(coefficients, coeff.count * ey, ex, task.tx, ox);
	const alongY = evaluatePlanes(alongX, coeff.count, ey, ox, task.ty, 0, oy, 0);
	return evaluatePlanes(alongY, 1, coeff.count, oy * ox, task.tz, task.outFirst, task.outCount, coeff.first, out);
}

/** One slab from the raw volume: its input planes' x/y passes, then `zoomFromXY`. */
export function zoomSlab(task: ZoomSlabTask, out?: Float32Array): Float32Array {
	const [, ny, nx] = task.dims;
	const { first, last } = slabInputs(task);
	const planes = Math.max(0, last - first + 1);
	const xy =
		planes === 0
			? new Float32Array(0)
			: prefilterXY(
					task.volume.subarray(first * ny * nx, (last + 1) * ny * nx),
					[planes, ny, nx],
					task.kernel,
					task.mode,
					task.margin
				);
	return zoomFromXY(task, xy, first, out);
}

/**
 * Cuts `outZ` output planes into at most `parts` slabs of near-equal thickness (every slab costs its
 * prefilter halo once, so more slabs than threads only add work).
 */
export function splitPlanes(outZ: number, parts: number): { outFirst: number; outCount: number }[] {
	const n = Math.max(1, Math.min(outZ, Math.floor(parts)));
	const slabs: { outFirst: number; outCount: number }[] = [];
	for (let i = 0; i < n; i++) {
		const outFirst = Math.round((i * outZ) / n);
		const end = Math.round(((i + 1) * outZ) / n);
		if (end > outFirst) slabs.push({ outFirst, outCount: end - outFirst });
	}
	return slabs;
}
