/** Small tensors for tests and benchmarks. */
import type { Tensor } from './semantics.ts';

/** A [T, Z, Y, X] tensor from f(t, z, y, x). */
export function tensorOf(
	shape: [number, number, number, number],
	fn: (t: number, z: number, y: number, x: number) => number
): Tensor {
	const [T, Z, Y, X] = shape;
	const data = new Float32Array(T * Z * Y * X);
	let i = 0;
	for (let t = 0; t < T; t++)
		for (let z = 0; z < Z; z++) for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) data[i++] = fn(t, z, y, x);
	return { shape, data };
}

export function at(tensor: Tensor, t: number, z: number, y: number, x: number): number {
	const [, Z, Y, X] = tensor.shape as [number, number, number, number];
	return tensor.data[((t * Z + z) * Y + y) * X + x]!;
}

export function random(seed: number): () => number {
	let s = seed >>> 0;
	return () => {
		s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
		return s / 2 ** 32;
	};
}
