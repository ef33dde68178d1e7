/**
 * The inner loop of the CPU vector path: int8 vectors · int16 query → one int32 per vector.
 *
 * Plain JavaScript cannot scan 100k × 384 values in the ~40 ms a search may take on a weak laptop: every
 * element becomes a double. WebAssembly SIMD's `i32x4.dot_i16x8_s` multiplies eight int16 pairs and adds
 * them pairwise in one instruction, so the scan runs over a quarter of the memory of float32 vectors at
 * several values per instruction. The module is tiny, so it is assembled here from its opcodes rather than
 * shipped as an opaque binary; `scanInt8Js` is the same computation in JavaScript, used where
 * WebAssembly SIMD is missing and as the reference the tests compare the module against.
 *
 * Integer arithmetic is exact (the caller keeps |q| ≤ 127 and |query| small enough that no sum overflows
 * int32), so both implementations return identical numbers.
 */

/** Bytes each vector occupies: dimensions rounded up to the 16-lane SIMD width, padded with zeros. */
export function paddedDim(dim: number): number {
	return Math.ceil(dim / 16) * 16;
}

/** The largest query magnitude for which `127 · max · dim` fits in int32. */
export function queryScaleLimit(dim: number): number {
	return Math.min(32767, Math.floor(0x7fffffff / (127 * paddedDim(dim))));
}

/**
 * Storage for int8 vectors plus the scan over them. Implementations own the memory so the SIMD one can
 * scan in place: the index writes its vectors straight into `vectors(capacity)`.
 */
export interface Int8Scanner {
	readonly simd: boolean;
	/** A view over room for `capacity` vectors of `stride` bytes; earlier contents are kept. */
	vectors(capacity: number, stride: number): Int8Array;
	/** Dot products of the first `count` vectors with the int16 query (length `stride`). */
	scan(query: Int16Array, count: number): Int32Array;
}

export function scanInt8Js(vectors: Int8Array, query: Int16Array, count: number, out: Int32Array): void {
	const stride = query.length;
	for (let i = 0; i < count; i++) {
		const o = i * stride;
		let s0 = 0;
		let s1 = 0;
		for (let j = 0; j < stride; j += 2) {
			s0 = (s0 + Math.imul(vectors[o + j]!, query[j]!)) | 0;
			s1 = (s1 + Math.imul(vectors[o + j + 1]!, query[j + 1]!)) | 0;
		}
		out[i] = (s0 + s1) | 0;
	}
}

function uleb(n: number): number[] {
	const out: number[] = [];
	do {
		let byte = n & 0x7f;
		n >>>= 7;
		if (n !== 0) byte |= 0x80;
		out.push(byte);
	} while (n !== 0);
	return out;
}

function section(id: number, body: number[]): number[] {
	return [id, ...uleb(body.length), ...body];
}

function name(s: string): number[] {
	const bytes = [...new TextEncoder().encode(s)];
	return [...uleb(bytes.length), ...bytes];
}

// Opcodes (core and SIMD, the latter after the 0xfd prefix, LEB-encoded).
const I32 = 0x7f;
const V128 = 0x7b;
const op = {
	block: [0x02, 0x40],
	loop: [0x03, 0x40],
	end: [0x0b],
	br: (depth: number) => [0x0c, depth],
	brIf: (depth: number) => [0x0d, depth],
	get: (l: number) => [0x20, l],
	set: (l: number) => [0x21, l],
	i32: (v: number) => [0x41, ...sleb(v)],
	add: [0x6a],
	mul: [0x6c],
	shl: [0x74],
	geU: [0x4f],
	ltU: [0x49],
	store: [0x36, 0x02, 0x00],
	v128load: [0xfd, 0x00, 0x00, 0x00],
	v128zero: [0xfd, 0x0c, ...new Array<number>(16).fill(0)],
	extendLow: [0xfd, ...uleb(0x87)],
	extendHigh: [0xfd, ...uleb(0x88)],
	dot: [0xfd, ...uleb(0xba)],
	addI32x4: [0xfd, ...uleb(0xae)],
	lane: (i: number) => [0xfd, ...uleb(0x1b), i]
};

function sleb(n: number): number[] {
	const out: number[] = [];
	for (;;) {
		const byte = n & 0x7f;
		n >>= 7;
		if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
			out.push(byte);
			return out;
		}
		out.push(byte | 0x80);
	}
}

/**
 * `scan(vecPtr, queryPtr, count, stride, outPtr)`: for each of `count` vectors of `stride` int8 bytes,
 * out[i] = Σ vec[j] · query[j] with the query as int16 (2·stride bytes).
 */
function scanModuleBytes(): Uint8Array<ArrayBuffer> {
	const [VEC, QUERY, COUNT, STRIDE, OUT, I, J, ACC, V] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
	const body = [
		// locals: i, j (i32); acc, v (v128)
		0x02,
		0x02,
		I32,
		0x02,
		V128,
		...op.i32(0),
		...op.set(I),
		...op.block,
		...op.loop,
		...op.get(I),
		...op.get(COUNT),
		...op.geU,
		...op.brIf(1),
		...op.v128zero,
		...op.set(ACC),
		...op.i32(0),
		...op.set(J),
		...op.loop,
		// v = vec[j .. j+16]
		...op.get(VEC),
		...op.get(J),
		...op.add,
		...op.v128load,
		...op.set(V),
		// acc += dot(extend_low(v), query[j .. j+8])
		...op.get(ACC),
		...op.get(V),
		...op.extendLow,
		...op.get(QUERY),
		...op.get(J),
		...op.i32(1),
		...op.shl,
		...op.add,
		...op.v128load,
		...op.dot,
		...op.addI32x4,
		// acc += dot(extend_high(v), query[j+8 .. j+16])
		...op.get(V),
		...op.extendHigh,
		...op.get(QUERY),
		...op.get(J),
		...op.i32(1),
		...op.shl,
		...op.add,
		...op.i32(16),
		...op.add,
		...op.v128load,
		...op.dot,
		...op.addI32x4,
		...op.set(ACC),
		...op.get(J),
		...op.i32(16),
		...op.add,
		...op.set(J),
		...op.get(J),
		...op.get(STRIDE),
		...op.ltU,
		...op.brIf(0),
		...op.end,
		// out[i] = horizontal sum of acc
		...op.get(OUT),
		...op.get(I),
		...op.i32(2),
		...op.shl,
		...op.add,
		...op.get(ACC),
		...op.lane(0),
		...op.get(ACC),
		...op.lane(1),
		...op.add,
		...op.get(ACC),
		...op.lane(2),
		...op.add,
		...op.get(ACC),
		...op.lane(3),
		...op.add,
		...op.store,
		...op.get(VEC),
		...op.get(STRIDE),
		...op.add,
		...op.set(VEC),
		...op.get(I),
		...op.i32(1),
		...op.add,
		...op.set(I),
		...op.br(0),
		...op.end,
		...op.end,
		...op.end
	];
	const bytes = [
		0x00,
		0x61,
		0x73,
		0x6d,
		0x01,
		0x00,
		0x00,
		0x00,
		...section(1, [0x01, 0x60, 0x05, I32, I32, I32, I32, I32, 0x00]),
		...section(2, [0x01, ...name('env'), ...name('memory'), 0x02, 0x00, 0x01]),
		...section(3, [0x01, 0x00]),
		...section(7, [0x01, ...name('scan'), 0x00, 0x00]),
		...section(10, [0x01, ...uleb(body.length), ...body])
	];
	return new Uint8Array(bytes);
}

const PAGE = 65536;

/** Memory layout: [query: 2·stride bytes][vectors: capacity·stride bytes][out: 4·count bytes]. */
export class WasmInt8Scanner implements Int8Scanner {
	readonly simd = true;
	#memory: WebAssembly.Memory;
	#scan: (vec: number, query: number, count: number, stride: number, out: number) => void;
	#stride = 16;
	#capacity = 0;

	private constructor(
		memory: WebAssembly.Memory,
		scan: (vec: number, query: number, count: number, stride: number, out: number) => void
	) {
		this.#memory = memory;
		this.#scan = scan;
	}

	/** Undefined where WebAssembly SIMD is missing. */
	static create(): WasmInt8Scanner | undefined {
		try {
			const memory = new WebAssembly.Memory({ initial: 1 });
			const module = new WebAssembly.Module(scanModuleBytes());
			const instance = new WebAssembly.Instance(module, { env: { memory } });
			const scan = instance.exports['scan'];
			if (typeof scan !== 'function') return undefined;
			return new WasmInt8Scanner(memory, (a, b, c, d, e) => {
				scan(a, b, c, d, e);
			});
		} catch {
			return undefined;
		}
	}

	#grow(bytes: number): void {
		const have = this.#memory.buffer.byteLength;
		if (bytes > have) this.#memory.grow(Math.ceil((bytes - have) / PAGE));
	}

	vectors(capacity: number, stride: number): Int8Array {
		if (stride % 16 !== 0) throw new RangeError('stride must be a multiple of 16');
		if (stride !== this.#stride) {
			this.#stride = stride;
			this.#capacity = 0;
		}
		this.#grow(2 * stride + capacity * stride + capacity * 4);
		this.#capacity = Math.max(this.#capacity, capacity);
		return new Int8Array(this.#memory.buffer, 2 * stride, capacity * stride);
	}

	scan(query: Int16Array, count: number): Int32Array {
		const stride = this.#stride;
		if (query.length !== stride) throw new RangeError('query length must equal the stride');
		if (count > this.#capacity) throw new RangeError('count exceeds the stored vectors');
		const outAt = 2 * stride + this.#capacity * stride;
		this.#grow(outAt + count * 4);
		new Int16Array(this.#memory.buffer, 0, stride).set(query);
		this.#scan(2 * stride, 0, count, stride, outAt);
		return new Int32Array(this.#memory.buffer, outAt, count);
	}
}

/** The same scan in plain JavaScript, for engines without WebAssembly SIMD. */
export class JsInt8Scanner implements Int8Scanner {
	readonly simd = false;
	#data = new Int8Array(0);
	#stride = 16;
	#out = new Int32Array(0);

	vectors(capacity: number, stride: number): Int8Array {
		if (stride !== this.#stride) {
			this.#stride = stride;
			this.#data = new Int8Array(0);
		}
		if (this.#data.length < capacity * stride) {
			const next = new Int8Array(capacity * stride);
			next.set(this.#data);
			this.#data = next;
		}
		return this.#data.subarray(0, capacity * stride);
	}

	scan(query: Int16Array, count: number): Int32Array {
		if (this.#out.length < count) this.#out = new Int32Array(count);
		const out = this.#out.subarray(0, count);
		scanInt8Js(this.#data, query, count, out);
		return out;
	}
}

export function createInt8Scanner(preferSimd = true): Int8Scanner {
	return (preferSimd ? WasmInt8Scanner.create() : undefined) ?? new JsInt8Scanner();
}
