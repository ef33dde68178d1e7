/**
 * scipy.ndimage's meaning of zoom, map_coordinates and the boundary modes, in one place that both
 * backends (CPU reference and WebGPU) build on, so they cannot drift apart.
 *
 * The cubic B-spline is evaluated on *coefficients*, not samples. Both backends compute the coefficient
 * volume E over the index range [-M, n+M) on each axis (M = `margin`), as the finite filter
 * `c[k] = √3 · Σ_{|j|≤12} z^|j| · s_ext[k−j]` (z = √3−2) applied along x, then y, then z, where `s_ext`
 * extends the samples by the mode: mirror/reflect/grid-wrap fold (periods 2n−2, 2n, n); `nearest`
 * repeats the edge and `grid-constant` pads with zeros, which is what scipy's 12-sample pre-padding
 * followed by its recursive filter amounts to. With E in hand, evaluation needs no boundary logic for
 * zoom (every tap lands in [-2, n+1]); arbitrary points clamp taps to E (scipy's `nearest` on the padded
 * coefficients) or read zero outside it (`grid-constant`).
 */
import { InvalidInputError } from '../errors.ts';

export const BOUNDARY_MODES = ['mirror', 'reflect', 'nearest', 'grid-wrap', 'grid-constant'] as const;
export type BoundaryMode = (typeof BOUNDARY_MODES)[number];
export const KERNELS = ['bspline3', 'catmull-rom'] as const;
export type KernelName = (typeof KERNELS)[number];

/** A float32 tensor in C order. */
export interface Tensor {
	shape: number[];
	data: Float32Array;
}

export type Triple = [number, number, number];

export interface ResampleParams {
	/** Factors for the three interpolated axes (scipy's `zoom`); give this or `outputShape`. */
	zoom?: readonly number[];
	/** Target lengths of the three interpolated axes; the scale follows from the shapes, as in scipy. */
	outputShape?: readonly number[];
	/** scipy's grid_mode: false aligns corner samples, true aligns pixel edges. */
	gridMode?: boolean;
	mode?: BoundaryMode;
	kernel?: KernelName;
	/** The three interpolated axes of the 4D tensor, ascending; the fourth is the batch axis. Default [1, 2, 3]. */
	axes?: readonly number[];
}

export interface SampleParams {
	mode?: BoundaryMode;
	kernel?: KernelName;
	axes?: readonly number[];
}

export interface RunOptions {
	/** Called with the fraction done, 0..1. */
	onProgress?: (fraction: number) => void;
	signal?: AbortSignal;
}

export const POLE = Math.sqrt(3) - 2;
/** Half-width of the finite prefilter: in float32, 12 taps leave about 2e-6 of the recursive filter's result. */
export const PREFILTER_HALF_WIDTH = 12;
/** Default cap on any tensor the lab allocates (output or coefficients), in float32 values: 1 GiB. */
export const MAX_ELEMENTS = 2 ** 28;
/** Longest axis: keeps GPU dispatch counts within WebGPU's per-dimension limit even with 1-voxel tiles. */
export const MAX_AXIS_LENGTH = 65535;

/** The prefilter's taps for offsets −H..H (a single 1 for Catmull-Rom, which interpolates the samples directly). */
export function prefilterWeights(kernel: KernelName): Float32Array {
	if (kernel === 'catmull-rom') return new Float32Array([1]);
	const h = PREFILTER_HALF_WIDTH;
	return Float32Array.from({ length: 2 * h + 1 }, (_, i) => Math.sqrt(3) * POLE ** Math.abs(i - h));
}

export function prefilterHalfWidth(kernel: KernelName): number {
	return kernel === 'catmull-rom' ? 0 : PREFILTER_HALF_WIDTH;
}

/** Coefficient margin: taps of a zoom stay within [-2, n+1]; arbitrary points under nearest/grid-constant reach 12 out, as in scipy's padding. */
export function coefficientMargin(op: 'zoom' | 'points', mode: BoundaryMode): number {
	return op === 'points' && (mode === 'nearest' || mode === 'grid-constant') ? 12 : 2;
}

/** Where sample index `i` (any integer) reads from in [0, n), or -1 for the constant 0. */
export function extendIndex(i: number, n: number, mode: BoundaryMode): number {
	if (i >= 0 && i < n) return i;
	switch (mode) {
		case 'mirror': {
			if (n === 1) return 0;
			const period = 2 * n - 2;
			const m = ((i % period) + period) % period;
			return m >= n ? period - m : m;
		}
		case 'reflect': {
			const period = 2 * n;
			const m = ((i % period) + period) % period;
			return m >= n ? period - 1 - m : m;
		}
		case 'grid-wrap':
			return ((i % n) + n) % n;
		case 'nearest':
			return i < 0 ? 0 : n - 1;
		case 'grid-constant':
			return -1;
	}
}

/**
 * The source index of every tap of a line filter: output `k` in [0, count) sits at sample index
 * `first + k` and reads `table[k + j]` for j in [0, 2·halo].
 */
export function extensionTable(n: number, mode: BoundaryMode, first: number, count: number, halo: number): Int32Array {
	const table = new Int32Array(count + 2 * halo);
	for (let k = 0; k < table.length; k++) table[k] = extendIndex(first - halo + k, n, mode);
	return table;
}

/** scipy's map_coordinate: folds a coordinate into the volume for the folding modes; others pass through. */
export function foldCoordinate(x: number, n: number, mode: BoundaryMode): number {
	if (mode === 'nearest' || mode === 'grid-constant') return x;
	if (x >= 0 && x <= n - 1) return x;
	if (n <= 1) return 0;
	const trunc = Math.trunc;
	if (x < 0) {
		if (mode === 'mirror') {
			const sz2 = 2 * n - 2;
			let v = sz2 * trunc(-x / sz2) + x;
			v = v <= 1 - n ? v + sz2 : -v;
			return v;
		}
		if (mode === 'reflect') {
			const sz2 = 2 * n;
			let v = x;
			if (v < -sz2) v = sz2 * trunc(-v / sz2) + v;
			return v < -n ? v + sz2 : (v > -1e-15 ? 1e-15 : -v) - 1;
		}
		return x + n * (trunc((-1 - x) / n) + 1);
	}
	if (mode === 'mirror') {
		const sz2 = 2 * n - 2;
		let v = x - sz2 * trunc(x / sz2);
		if (v >= n) v = sz2 - v;
		return v;
	}
	if (mode === 'reflect') {
		const sz2 = 2 * n;
		let v = x - sz2 * trunc(x / sz2);
		if (v >= n) v = sz2 - v - 1;
		return v;
	}
	return x - n * trunc(x / n);
}

/** Per output index along one axis: the sample index of the first of four taps, and the fraction t in [0, 1). */
export interface AxisTaps {
	start: Int32Array;
	frac: Float32Array;
}

function tapsAt(coordinates: ArrayLike<number>, n: number, mode: BoundaryMode): AxisTaps {
	const count = coordinates.length;
	const start = new Int32Array(count);
	const frac = new Float32Array(count);
	for (let i = 0; i < count; i++) {
		const x = coordinates[i]!;
		if (!Number.isFinite(x)) {
			// A NaN or infinite coordinate has no place in the volume: its weights, and so its value, are NaN.
			frac[i] = NaN;
			continue;
		}
		const c = foldCoordinate(x, n, mode);
		const f = Math.floor(c);
		// Far outside (only nearest/grid-constant reach here unfolded) every tap is clamped or zero anyway.
		start[i] = Math.max(-(2 ** 30), Math.min(2 ** 30, f - 1));
		frac[i] = c - f;
	}
	return { start, frac };
}

/** scipy.ndimage.zoom's coordinate for each output index, in double precision as scipy computes it. */
export function zoomCoordinates(nIn: number, nOut: number, gridMode: boolean): Float64Array {
	const scale = gridMode ? nIn / nOut : nOut > 1 ? (nIn - 1) / (nOut - 1) : 1;
	return Float64Array.from({ length: nOut }, (_, o) => (gridMode ? (o + 0.5) * scale - 0.5 : o * scale));
}

export function zoomTaps(nIn: number, nOut: number, gridMode: boolean, mode: BoundaryMode): AxisTaps {
	return tapsAt(zoomCoordinates(nIn, nOut, gridMode), nIn, mode);
}

export function pointTaps(coordinates: ArrayLike<number>, n: number, mode: BoundaryMode): AxisTaps {
	return tapsAt(coordinates, n, mode);
}

const f = Math.fround;

/** The four tap weights at fraction t, in float32 arithmetic exactly as the WGSL kernels compute them. */
export function tapWeights(kernel: KernelName, t: number, out: Float32Array): void {
	const s = f(1 - t);
	const t2 = f(t * t);
	const t3 = f(t2 * t);
	if (kernel === 'bspline3') {
		const s2 = f(s * s);
		const s3 = f(s2 * s);
		out[0] = f(s3 / 6);
		out[1] = f(f(f(f(3 * t3) - f(6 * t2)) + 4) / 6);
		out[2] = f(f(f(f(3 * s3) - f(6 * s2)) + 4) / 6);
		out[3] = f(t3 / 6);
	} else {
		out[0] = f(f(f(t2 - f(0.5 * t3)) - f(0.5 * t)));
		out[1] = f(f(f(1.5 * t3) - f(2.5 * t2)) + 1);
		out[2] = f(f(f(2 * t2) - f(1.5 * t3)) + f(0.5 * t));
		out[3] = f(f(0.5 * t3) - f(0.5 * t2));
	}
}

/** Python's round(): half to even, which is what scipy uses for the output shape. */
export function roundHalfEven(x: number): number {
	const r = Math.round(x);
	return Math.abs(x - Math.trunc(x)) === 0.5 ? 2 * Math.round(x / 2) : r;
}

function checkAxes(axes: readonly number[] | undefined): { axes: Triple; batch: number } {
	const a = axes ?? [1, 2, 3];
	const sorted = [...a].sort((x, y) => x - y);
	if (sorted.length !== 3 || new Set(sorted).size !== 3 || sorted.some((x) => !Number.isInteger(x) || x < 0 || x > 3)) {
		throw new InvalidInputError(
			`Interpolated axes must be three different axes of 0..3, got [${a.join(', ')}].`,
			'Pick three axes; the fourth is the batch axis.'
		);
	}
	const batch = [0, 1, 2, 3].find((x) => !sorted.includes(x))!;
	return { axes: [sorted[0]!, sorted[1]!, sorted[2]!], batch };
}

function checkTensor(tensor: Tensor): void {
	if (tensor.shape.length !== 4) {
		throw new InvalidInputError(
			`The tensor has ${tensor.shape.length} axes (shape ${formatShape(tensor.shape)}); the tensor lab resamples 4D tensors.`,
			'Reshape it to [T, Z, Y, X] first (a single volume is [1, Z, Y, X]).'
		);
	}
	if (tensor.shape.some((d) => !Number.isInteger(d) || d <= 0)) {
		throw new InvalidInputError(
			`The tensor has an empty axis (shape ${formatShape(tensor.shape)}).`,
			'Every axis needs at least one sample.'
		);
	}
	if (tensor.shape.some((d) => d > MAX_AXIS_LENGTH)) {
		throw new InvalidInputError(`An axis of ${formatShape(tensor.shape)} is longer than ${MAX_AXIS_LENGTH}.`);
	}
	if (tensor.data.length !== tensor.shape.reduce((a, b) => a * b, 1)) {
		throw new InvalidInputError(`The tensor's data does not match its shape ${formatShape(tensor.shape)}.`);
	}
}

export function formatShape(shape: readonly number[]): string {
	return `[${shape.join(', ')}]`;
}

function checkSize(elements: number, what: string, maxElements: number): void {
	if (!(elements <= maxElements)) {
		throw new InvalidInputError(
			`The ${what} would hold ${elements.toExponential(2)} values (${((elements * 4) / 2 ** 30).toFixed(1)} GiB), more than the ${((maxElements * 4) / 2 ** 30).toFixed(1)} GiB the tensor lab allows.`,
			'Choose a smaller zoom or target shape, or crop the tensor first.'
		);
	}
}

/** A resample request, checked and with everything derived from it; nothing large is allocated yet. */
export interface ResamplePlan {
	/** The input permuted so the batch axis comes first: [T, Z, Y, X]. */
	inShape: [number, number, number, number];
	outShape: [number, number, number, number];
	gridMode: boolean;
	mode: BoundaryMode;
	kernel: KernelName;
	axes: Triple;
	batchAxis: number;
	/** Output equals input: zoom exactly 1 on every axis. */
	identity: boolean;
	taps: [AxisTaps, AxisTaps, AxisTaps];
	margin: number;
}

export function planResample(tensor: Tensor, params: ResampleParams, maxElements = MAX_ELEMENTS): ResamplePlan {
	checkTensor(tensor);
	const { axes, batch } = checkAxes(params.axes);
	const mode = params.mode ?? 'mirror';
	const kernel = params.kernel ?? 'bspline3';
	if (!BOUNDARY_MODES.includes(mode))
		throw new InvalidInputError(`Unknown boundary mode "${String(mode)}".`, `Use one of ${BOUNDARY_MODES.join(', ')}.`);
	if (!KERNELS.includes(kernel))
		throw new InvalidInputError(`Unknown kernel "${String(kernel)}".`, `Use one of ${KERNELS.join(', ')}.`);
	const spatialIn = axes.map((a) => tensor.shape[a]!) as Triple;
	let spatialOut: Triple;
	if (params.outputShape !== undefined) {
		const s = params.outputShape;
		if (s.length !== 3 || s.some((d) => !Number.isInteger(d) || d <= 0)) {
			throw new InvalidInputError(`A target shape needs three positive whole lengths, got [${s.join(', ')}].`);
		}
		spatialOut = [s[0]!, s[1]!, s[2]!];
	} else {
		const z = params.zoom;
		if (!z || z.length !== 3) throw new InvalidInputError('Give three zoom factors (z, y, x) or a target shape.');
		if (z.some((v) => !(v > 0) || !Number.isFinite(v))) {
			throw new InvalidInputError(
				`Zoom factors must be positive and finite, got [${z.join(', ')}].`,
				'Use a factor above 0 (below 1 shrinks, above 1 enlarges).'
			);
		}
		spatialOut = spatialIn.map((n, i) => roundHalfEven(n * z[i]!)) as Triple;
		if (spatialOut.some((d) => d < 1)) {
			throw new InvalidInputError(
				`Zoom [${z.join(', ')}] leaves an axis with no samples (output ${formatShape(spatialOut)}).`,
				'Use a larger zoom.'
			);
		}
	}
	if (spatialOut.some((d) => d > MAX_AXIS_LENGTH)) {
		throw new InvalidInputError(
			`An output axis of ${formatShape(spatialOut)} is longer than ${MAX_AXIS_LENGTH}.`,
			'Choose a smaller zoom or target shape.'
		);
	}
	const batchLength = tensor.shape[batch]!;
	checkSize(batchLength * spatialOut[0] * spatialOut[1] * spatialOut[2], 'output', maxElements);
	const margin = coefficientMargin('zoom', mode);
	checkSize(
		spatialIn.reduce((a, n) => a * (n + 2 * margin), 1),
		'coefficient volume',
		maxElements
	);
	const gridMode = params.gridMode ?? false;
	const identity = spatialOut.every((d, i) => d === spatialIn[i]);
	const taps = [0, 1, 2].map((i) => zoomTaps(spatialIn[i]!, spatialOut[i]!, gridMode, mode)) as [
		AxisTaps,
		AxisTaps,
		AxisTaps
	];
	return {
		inShape: [batchLength, ...spatialIn],
		outShape: [batchLength, ...spatialOut],
		gridMode,
		mode,
		kernel,
		axes,
		batchAxis: batch,
		identity,
		taps,
		margin
	};
}

export interface SamplePlan {
	inShape: [number, number, number, number];
	points: number;
	mode: BoundaryMode;
	kernel: KernelName;
	axes: Triple;
	batchAxis: number;
	taps: [AxisTaps, AxisTaps, AxisTaps];
	margin: number;
}

export function planSample(
	tensor: Tensor,
	coordinates: Tensor,
	params: SampleParams,
	maxElements = MAX_ELEMENTS
): SamplePlan {
	checkTensor(tensor);
	const { axes, batch } = checkAxes(params.axes);
	const mode = params.mode ?? 'mirror';
	const kernel = params.kernel ?? 'bspline3';
	if (!BOUNDARY_MODES.includes(mode))
		throw new InvalidInputError(`Unknown boundary mode "${String(mode)}".`, `Use one of ${BOUNDARY_MODES.join(', ')}.`);
	if (!KERNELS.includes(kernel))
		throw new InvalidInputError(`Unknown kernel "${String(kernel)}".`, `Use one of ${KERNELS.join(', ')}.`);
	if (coordinates.shape.length !== 2 || coordinates.shape[0] !== 3) {
		throw new InvalidInputError(
			`Coordinates must have shape [3, P] (z, y, x rows), got ${formatShape(coordinates.shape)}.`
		);
	}
	const points = coordinates.shape[1]!;
	if (coordinates.data.length !== 3 * points)
		throw new InvalidInputError('The coordinates’ data does not match their shape.');
	const batchLength = tensor.shape[batch]!;
	checkSize(batchLength * points, 'output', maxElements);
	const spatialIn = axes.map((a) => tensor.shape[a]!) as Triple;
	const margin = coefficientMargin('points', mode);
	checkSize(
		spatialIn.reduce((a, n) => a * (n + 2 * margin), 1),
		'coefficient volume',
		maxElements
	);
	const taps = [0, 1, 2].map((i) =>
		pointTaps(coordinates.data.subarray(i * points, (i + 1) * points), spatialIn[i]!, mode)
	) as [AxisTaps, AxisTaps, AxisTaps];
	return { inShape: [batchLength, ...spatialIn], points, mode, kernel, axes, batchAxis: batch, taps, margin };
}

/** Permutes a 4D tensor so that `order[k]` becomes axis k. */
export function permute4(tensor: Tensor, order: readonly number[]): Tensor {
	if (order.every((a, i) => a === i)) return tensor;
	const s = tensor.shape;
	const strides = [s[1]! * s[2]! * s[3]!, s[2]! * s[3]!, s[3]!, 1];
	const shape = order.map((a) => s[a]!);
	const st = order.map((a) => strides[a]!);
	const out = new Float32Array(tensor.data.length);
	let o = 0;
	for (let a = 0; a < shape[0]!; a++)
		for (let b = 0; b < shape[1]!; b++)
			for (let c = 0; c < shape[2]!; c++) {
				const base = a * st[0]! + b * st[1]! + c * st[2]!;
				for (let d = 0; d < shape[3]!; d++) out[o++] = tensor.data[base + d * st[3]!]!;
			}
	return { shape, data: out };
}

/** The axis order that puts the batch axis first, and its inverse. */
export function batchFirstOrder(batchAxis: number, axes: Triple): { forward: number[]; inverse: number[] } {
	const forward = [batchAxis, ...axes];
	const inverse = [0, 1, 2, 3].map((k) => forward.indexOf(k));
	return { forward, inverse };
}

/** Volumes holding NaN or ±Inf: scipy's recursive prefilter spreads them over the whole volume. */
export function hasNonFinite(volume: Float32Array): boolean {
	for (let i = 0; i < volume.length; i++) if (!Number.isFinite(volume[i]!)) return true;
	return false;
}
