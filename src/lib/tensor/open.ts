/**
 * Opening a `.npy` tensor for the lab, in the tensor worker: the header is checked first, then the
 * values are copied (float64 narrowed to float32, as the GPU computes in float32) in chunks, with
 * progress, cancel, and the finite range the slice viewer starts from.
 */
import { CancelledError, InvalidInputError } from '../errors.ts';
import { readNpyLayout, type NpyDtype } from './npy.ts';
import { formatShape, MAX_ELEMENTS, type RunOptions, type Tensor } from './semantics.ts';
import { valueRange, volumeRanges } from './slice.ts';

export interface TensorInfo {
	shape: number[];
	dtype: NpyDtype;
	/** Finite minimum and maximum (0 and 1 when there is no finite value). */
	min: number;
	max: number;
	/** The same range per volume (axis 0). */
	volumes: { min: number; max: number }[];
}

/** Values per chunk: a few milliseconds of copying, so a cancel message is seen soon. */
const CHUNK = 1 << 20;

export async function openNpy(
	bytes: Uint8Array,
	name: string,
	options: RunOptions = {}
): Promise<{ tensor: Tensor; info: TensorInfo }> {
	const { dtype, shape, count, dataStart } = readNpyLayout(bytes);
	if (shape.length !== 4) {
		throw new InvalidInputError(
			`${name} has shape ${formatShape(shape)}; the tensor lab works on 4D tensors.`,
			'Reshape it to [T, Z, Y, X] with numpy first.'
		);
	}
	if (shape.some((d) => d === 0)) {
		throw new InvalidInputError(
			`${name} has an empty axis (shape ${formatShape(shape)}).`,
			'Every axis needs at least one sample.'
		);
	}
	if (count > MAX_ELEMENTS) throw tooLarge(name, count);
	const data = new Float32Array(count);
	const itemSize = dtype === 'float32' ? 4 : 8;
	const offset = bytes.byteOffset + dataStart;
	// numpy aligns the data to 64 bytes, so a typed view is the rule; a DataView reads anything else.
	const typed =
		offset % itemSize === 0
			? itemSize === 4
				? new Float32Array(bytes.buffer, offset, count)
				: new Float64Array(bytes.buffer, offset, count)
			: undefined;
	const view = new DataView(bytes.buffer, offset, count * itemSize);
	let min = Infinity;
	let max = -Infinity;
	for (let first = 0; first < count; first += CHUNK) {
		if (options.signal?.aborted) throw new CancelledError('Opening the tensor');
		const last = Math.min(count, first + CHUNK);
		for (let i = first; i < last; i++) {
			data[i] = typed ? typed[i]! : itemSize === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
			const v = data[i]!;
			if (v < min) min = v;
			if (v > max) max = v;
		}
		options.onProgress?.(last / count);
		// A turn of the event loop, so a cancel message can arrive.
		if (last < count) await new Promise((resolve) => setTimeout(resolve, 0));
	}
	// NaN never passes the comparisons above, but ±Infinity does: the viewer's range must be finite.
	if (!Number.isFinite(min) || !Number.isFinite(max)) ({ min, max } = valueRange(data));
	const tensor = { shape, data };
	return { tensor, info: { shape, dtype, min, max, volumes: volumeRanges(tensor) } };
}

function tooLarge(name: string, values: number): InvalidInputError {
	return new InvalidInputError(
		`${name} holds ${values.toExponential(2)} values, more than the ${((MAX_ELEMENTS * 4) / 2 ** 30).toFixed(0)} GiB of float32 the tensor lab allows.`,
		'Crop or downsample it with numpy first.'
	);
}

/** Refuses a file too large to be a tensor the lab allows, before its bytes are read into memory. */
export function checkNpyFileSize(name: string, bytes: number): void {
	// float64 is the widest dtype accepted; 1 MiB is far more than any header.
	if (bytes > MAX_ELEMENTS * 8 + 2 ** 20) throw tooLarge(name, Math.floor(bytes / 8));
}
