/**
 * A 2D slice of a 4D tensor as RGBA pixels for the slice viewer: value → [0, 1] between min and max
 * (clamped; NaN shows as magenta so missing data is never mistaken for a value), then a colour map.
 */
import type { Tensor } from './semantics.ts';

export const COLOUR_MAPS = ['gray', 'viridis', 'hot'] as const;
export type ColourMap = (typeof COLOUR_MAPS)[number];

// Control points sampled from matplotlib's viridis; linear between them is close enough for viewing.
const VIRIDIS: [number, number, number][] = [
	[68, 1, 84],
	[72, 40, 120],
	[62, 74, 137],
	[49, 104, 142],
	[38, 130, 142],
	[31, 158, 137],
	[53, 183, 121],
	[109, 205, 89],
	[180, 222, 44],
	[253, 231, 37]
];

export function colour(map: ColourMap, u: number): [number, number, number] {
	const x = Math.min(1, Math.max(0, u));
	if (map === 'gray') {
		const g = Math.round(255 * x);
		return [g, g, g];
	}
	if (map === 'hot')
		return [
			Math.round(255 * Math.min(1, 3 * x)),
			Math.round(255 * Math.min(1, Math.max(0, 3 * x - 1))),
			Math.round(255 * Math.max(0, 3 * x - 2))
		];
	const p = x * (VIRIDIS.length - 1);
	const i = Math.min(VIRIDIS.length - 2, Math.floor(p));
	const f = p - i;
	const a = VIRIDIS[i]!;
	const b = VIRIDIS[i + 1]!;
	return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f)) as [number, number, number];
}

export interface SliceImage {
	width: number;
	height: number;
	rgba: Uint8ClampedArray<ArrayBuffer>;
}

/** The slice of volume `t` at `index` along spatial axis `axis` (1 = Z, 2 = Y, 3 = X of [T, Z, Y, X]). */
export function renderSlice(
	tensor: Tensor,
	t: number,
	axis: 1 | 2 | 3,
	index: number,
	min: number,
	max: number,
	map: ColourMap
): SliceImage {
	const [, nz, ny, nx] = tensor.shape as [number, number, number, number];
	const dims = [nz, ny, nx];
	const strides = [ny * nx, nx, 1];
	const [rowAxis, colAxis] = axis === 1 ? [1, 2] : axis === 2 ? [0, 2] : [0, 1];
	const height = dims[rowAxis!]!;
	const width = dims[colAxis!]!;
	const base = t * nz * ny * nx + Math.min(dims[axis - 1]! - 1, Math.max(0, index)) * strides[axis - 1]!;
	const rgba = new Uint8ClampedArray(width * height * 4);
	const span = max > min ? max - min : 1;
	for (let r = 0; r < height; r++)
		for (let c = 0; c < width; c++) {
			const v = tensor.data[base + r * strides[rowAxis!]! + c * strides[colAxis!]!]!;
			const [red, green, blue] = Number.isNaN(v) ? [255, 0, 255] : colour(map, (v - min) / span);
			const o = 4 * (r * width + c);
			rgba[o] = red;
			rgba[o + 1] = green;
			rgba[o + 2] = blue;
			rgba[o + 3] = 255;
		}
	return { width, height, rgba };
}

/** Finite minimum and maximum, for the viewer's default range. */
export function valueRange(data: Float32Array): { min: number; max: number } {
	let min = Infinity;
	let max = -Infinity;
	for (const v of data)
		if (Number.isFinite(v)) {
			if (v < min) min = v;
			if (v > max) max = v;
		}
	return min <= max ? { min, max } : { min: 0, max: 1 };
}

/** Each volume's finite range (along axis 0 of [T, Z, Y, X]), so the viewer's contrast follows the volume shown. */
export function volumeRanges(tensor: Tensor): { min: number; max: number }[] {
	const volumes = tensor.shape[0] ?? 1;
	const size = tensor.data.length / Math.max(1, volumes);
	return Array.from({ length: volumes }, (_, t) => valueRange(tensor.data.subarray(t * size, (t + 1) * size)));
}
