/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0): the exchange format of the tensor lab.
 * Reads float32 and float64, little-endian, C order; anything else is refused with a typed error that
 * says how to convert the file, rather than being reinterpreted silently. Writes float32 or float64.
 */
import { InvalidInputError } from '../errors.ts';

export type NpyDtype = 'float32' | 'float64';

export interface NpyArray {
	dtype: NpyDtype;
	shape: number[];
	data: Float32Array | Float64Array;
}

export type NpyProblem =
	| 'bad-magic'
	| 'unsupported-version'
	| 'bad-header'
	| 'fortran-order'
	| 'big-endian'
	| 'unsupported-dtype'
	| 'truncated';

const CONVERT_HINT =
	'Save it with numpy as float32 or float64 in C order: np.save(path, np.ascontiguousarray(a, dtype="<f4")).';

export class NpyFormatError extends InvalidInputError {
	override name = 'NpyFormatError';
	readonly problem: NpyProblem;
	constructor(problem: NpyProblem, message: string) {
		super(message, CONVERT_HINT);
		this.problem = problem;
	}
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface Header {
	descr: string;
	fortranOrder: boolean;
	shape: number[];
}

/** Parses the Python dict literal numpy writes, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`. */
function parseHeader(text: string): Header {
	const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text);
	const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
	const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
	if (!descr?.[1] || !fortran?.[1] || shape?.[1] === undefined) {
		throw new NpyFormatError(
			'bad-header',
			'This .npy file has a damaged header (descr, fortran_order or shape is missing).'
		);
	}
	const dims = shape[1]
		.split(',')
		.map((s) => s.trim())
		.filter((s) => s.length > 0)
		.map((s) => {
			if (!/^\d+L?$/.test(s))
				throw new NpyFormatError('bad-header', `This .npy file's shape has a bad dimension "${s}".`);
			return Number.parseInt(s, 10);
		});
	return { descr: descr[1], fortranOrder: fortran[1] === 'True', shape: dims };
}

function dtypeOf(descr: string): NpyDtype {
	const kind = descr.slice(1);
	const order = descr[0];
	const isFloat = kind === 'f4' || kind === 'f8';
	if (isFloat && order === '>') {
		throw new NpyFormatError(
			'big-endian',
			`This .npy file is big-endian (${descr}); Docket reads little-endian float32 or float64 only.`
		);
	}
	if (isFloat && (order === '<' || order === '=')) return kind === 'f4' ? 'float32' : 'float64';
	throw new NpyFormatError(
		'unsupported-dtype',
		`This .npy file holds ${describeDtype(descr)}; Docket reads float32 or float64 tensors only.`
	);
}

function describeDtype(descr: string): string {
	const kind = descr.replace(/^[<>|=]/, '');
	const names: Record<string, string> = {
		i: 'integers',
		u: 'unsigned integers',
		b: 'booleans',
		f: 'floats',
		c: 'complex numbers'
	};
	const letter = kind[0] ?? '';
	const size = kind.slice(1);
	const name = names[letter];
	return name ? `${8 * Number(size) || '?'}-bit ${name} (${descr})` : `type ${descr}`;
}

/** What a `.npy` header says, checked against the file's length: the data are `count` values from `dataStart`. */
export interface NpyLayout {
	dtype: NpyDtype;
	shape: number[];
	count: number;
	dataStart: number;
}

/** Reads and checks a `.npy` file's header (magic, version, dtype, order, length) without touching the data. */
export function readNpyLayout(bytes: Uint8Array): NpyLayout {
	if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
		throw new NpyFormatError('bad-magic', 'This is not a NumPy .npy file (its first bytes are not \\x93NUMPY).');
	}
	const major = bytes[6]!;
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	let headerLength: number;
	let headerStart: number;
	if (major === 1) {
		headerLength = view.getUint16(8, true);
		headerStart = 10;
	} else if (major === 2 || major === 3) {
		if (bytes.length < 12) throw new NpyFormatError('truncated', 'This .npy file ends inside its header.');
		headerLength = view.getUint32(8, true);
		headerStart = 12;
	} else {
		throw new NpyFormatError(
			'unsupported-version',
			`This .npy file uses format version ${major}, which Docket does not know.`
		);
	}
	const dataStart = headerStart + headerLength;
	if (bytes.length < dataStart) throw new NpyFormatError('truncated', 'This .npy file ends inside its header.');
	const header = parseHeader(
		new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart))
	);
	const dtype = dtypeOf(header.descr);
	const count = header.shape.reduce((a, b) => a * b, 1);
	if (header.fortranOrder && header.shape.filter((d) => d > 1).length > 1) {
		throw new NpyFormatError(
			'fortran-order',
			'This .npy file is stored in Fortran (column-major) order; Docket reads C order only.'
		);
	}
	const byteLength = count * (dtype === 'float32' ? 4 : 8);
	if (!Number.isSafeInteger(byteLength) || bytes.length - dataStart < byteLength) {
		throw new NpyFormatError(
			'truncated',
			`This .npy file is truncated: its header promises ${count} values (${byteLength} bytes) but only ${bytes.length - dataStart} bytes follow.`
		);
	}
	return { dtype, shape: header.shape, count, dataStart };
}

/** Reads a `.npy` file's bytes. The data is copied, so the result never aliases `bytes`. */
export function parseNpy(bytes: Uint8Array): NpyArray {
	const { dtype, shape, count, dataStart } = readNpyLayout(bytes);
	const byteLength = count * (dtype === 'float32' ? 4 : 8);
	// A fresh, aligned buffer: the data offset in `bytes` need not be a multiple of the item size, and a
	// Node Buffer's slice() would alias its pool.
	const copy = new ArrayBuffer(byteLength);
	new Uint8Array(copy).set(bytes.subarray(dataStart, dataStart + byteLength));
	const data = dtype === 'float32' ? new Float32Array(copy) : new Float64Array(copy);
	return { dtype, shape, data };
}

/** Writes a `.npy` file (version 1.0, or 2.0 when the header is too long for 1.0). */
export function encodeNpy(array: {
	shape: readonly number[];
	data: Float32Array | Float64Array;
}): Uint8Array<ArrayBuffer> {
	const count = array.shape.reduce((a, b) => a * b, 1);
	if (count !== array.data.length) {
		throw new InvalidInputError(
			`Shape (${array.shape.join(', ')}) holds ${count} values but the data has ${array.data.length}.`
		);
	}
	const descr = array.data instanceof Float32Array ? '<f4' : '<f8';
	const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
	let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
	let major = 1;
	let prefix = 10;
	// numpy pads the header with spaces and ends it with a newline so the data starts on a 64-byte boundary.
	let total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
	if (total - prefix > 0xffff) {
		major = 2;
		prefix = 12;
		total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
	}
	dict = dict.padEnd(total - prefix - 1, ' ') + '\n';
	const dataBytes = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
	const out = new Uint8Array(total + dataBytes.length);
	out.set(MAGIC, 0);
	out[6] = major;
	out[7] = 0;
	const view = new DataView(out.buffer);
	if (major === 1) view.setUint16(8, total - prefix, true);
	else view.setUint32(8, total - prefix, true);
	for (let i = 0; i < dict.length; i++) out[prefix + i] = dict.charCodeAt(i);
	out.set(dataBytes, total);
	return out;
}
