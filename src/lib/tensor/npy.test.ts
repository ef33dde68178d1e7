import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeNpy, NpyFormatError, parseNpy, type NpyProblem } from './npy.ts';

const FIXTURE = new URL('../../../../shared/fixtures/tricubic/s1-zoom-mirror-corner.in.npy', import.meta.url);

/** A `.npy` file with a hand-written header, as another tool might write it. */
function npyWith(dict: string, payload: Uint8Array, major = 1): Uint8Array {
	const prefix = major === 1 ? 10 : 12;
	const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
	const header = dict.padEnd(total - prefix - 1, ' ') + '\n';
	const out = new Uint8Array(total + payload.length);
	out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
	const view = new DataView(out.buffer);
	if (major === 1) view.setUint16(8, header.length, true);
	else view.setUint32(8, header.length, true);
	for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
	out.set(payload, total);
	return out;
}

function problemOf(bytes: Uint8Array): NpyProblem | undefined {
	try {
		parseNpy(bytes);
		return undefined;
	} catch (error) {
		expect(error).toBeInstanceOf(NpyFormatError);
		const e = error as NpyFormatError;
		expect(e.code).toBe('invalid-input');
		expect(e.userMessage).toMatch(/np\.save/);
		return e.problem;
	}
}

describe('.npy files', () => {
	it('round-trips float32 and float64 with their shapes', () => {
		const f32 = Float32Array.from({ length: 24 }, (_, i) => i * 0.25 - 3);
		const back32 = parseNpy(encodeNpy({ shape: [2, 3, 4], data: f32 }));
		expect(back32.dtype).toBe('float32');
		expect(back32.shape).toEqual([2, 3, 4]);
		expect(back32.data).toEqual(f32);
		const f64 = Float64Array.from({ length: 5 }, (_, i) => Math.PI * i);
		const back64 = parseNpy(encodeNpy({ shape: [5], data: f64 }));
		expect(back64.dtype).toBe('float64');
		expect(back64.shape).toEqual([5]);
		expect(back64.data).toEqual(f64);
	});

	it('writes numpy’s layout: 64-byte aligned header ending in a newline', () => {
		const bytes = encodeNpy({ shape: [1, 2], data: new Float32Array(2) });
		const headerLength = new DataView(bytes.buffer).getUint16(8, true);
		expect((10 + headerLength) % 64).toBe(0);
		expect(bytes[10 + headerLength - 1]).toBe(0x0a);
		expect(new TextDecoder().decode(bytes.subarray(10, 10 + headerLength))).toMatch(
			/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(1, 2\), \}/
		);
	});

	it('refuses a shape that does not match the data', () => {
		expect(() => encodeNpy({ shape: [2, 2], data: new Float32Array(3) })).toThrow(/holds 4 values/);
	});

	it('reads version 2 headers, scalars and empty arrays', () => {
		const payload = new Uint8Array(new Float64Array([1.5, -2]).buffer);
		expect(parseNpy(npyWith("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", payload, 2)).data).toEqual(
			new Float64Array([1.5, -2])
		);
		const scalar = parseNpy(
			npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", new Uint8Array(new Float32Array([7]).buffer))
		);
		expect(scalar.shape).toEqual([]);
		expect(scalar.data).toEqual(new Float32Array([7]));
		expect(
			parseNpy(npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", new Uint8Array())).data.length
		).toBe(0);
	});

	it('accepts Fortran order where it is the same as C order (at most one axis longer than 1)', () => {
		const payload = new Uint8Array(new Float32Array([1, 2, 3]).buffer);
		expect(parseNpy(npyWith("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 3), }", payload)).shape).toEqual([
			1, 3
		]);
	});

	it('gives a typed error for everything else', () => {
		const four = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
		expect(problemOf(new TextEncoder().encode('PK\x03\x04 this is a zip file'))).toBe('bad-magic');
		expect(problemOf(new Uint8Array([0x93, 0x4e]))).toBe('bad-magic');
		expect(problemOf(npyWith("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", four))).toBe(
			'fortran-order'
		);
		expect(problemOf(npyWith("{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }", four))).toBe('big-endian');
		expect(problemOf(npyWith("{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }", four))).toBe(
			'unsupported-dtype'
		);
		expect(problemOf(npyWith("{'descr': '|u1', 'fortran_order': False, 'shape': (16,), }", four))).toBe(
			'unsupported-dtype'
		);
		expect(problemOf(npyWith("{'descr': '<f2', 'fortran_order': False, 'shape': (8,), }", four))).toBe(
			'unsupported-dtype'
		);
		expect(problemOf(npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", four))).toBe('truncated');
		expect(problemOf(npyWith("{'descr': '<f4', 'shape': (4,), }", four))).toBe('bad-header');
		expect(problemOf(npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (4, x), }", four))).toBe('bad-header');
		const future = npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", four);
		future[6] = 9;
		expect(problemOf(future)).toBe('unsupported-version');
		const cut = npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", four).subarray(0, 30);
		expect(problemOf(cut)).toBe('truncated');
	});

	it('says which integer type it refused', () => {
		const bytes = npyWith("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8));
		expect(() => parseNpy(bytes)).toThrow(/64-bit integers \(<i8\)/);
	});

	it.skipIf(!existsSync(FIXTURE))('reads the scipy fixtures numpy wrote (skipped: ../shared fixtures missing)', () => {
		const array = parseNpy(readFileSync(FIXTURE));
		expect(array.dtype).toBe('float32');
		expect(array.shape).toEqual([2, 6, 7, 8]);
		expect(array.data.length).toBe(2 * 6 * 7 * 8);
		expect(array.data.every(Number.isFinite)).toBe(true);
	});
});
