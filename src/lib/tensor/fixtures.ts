/**
 * The scipy reference cases in ../shared/fixtures/tricubic (see its README), loaded for tests and the CLI
 * test. Node only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseNpy } from './npy.ts';
import type { BoundaryMode, KernelName, Tensor } from './semantics.ts';

export const FIXTURE_DIR = fileURLToPath(new URL('../../../../shared/fixtures/tricubic/', import.meta.url));
export const fixturesPresent = existsSync(`${FIXTURE_DIR}cases.json`);

export interface FixtureCase {
	id: string;
	op: 'zoom' | 'map_coordinates';
	input: string;
	expected: string;
	coords?: string;
	params: { axes: number[]; zoom?: number[]; mode: BoundaryMode; grid_mode?: boolean; kernel: KernelName };
	input_shape: number[];
	output_shape: number[];
	data: string;
	atol: number;
}

export function fixtureCases(): FixtureCase[] {
	if (!fixturesPresent) return [];
	const parsed = JSON.parse(readFileSync(`${FIXTURE_DIR}cases.json`, 'utf8')) as { cases: FixtureCase[] };
	return parsed.cases;
}

export function loadFixtureTensor(file: string): Tensor {
	const array = parseNpy(readFileSync(`${FIXTURE_DIR}${file}`));
	return { shape: array.shape, data: Float32Array.from(array.data) };
}

/** The largest |a − b|, with NaN where either is NaN (so a NaN never passes a tolerance check). */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
	if (a.length !== b.length) return Infinity;
	let worst = 0;
	for (let i = 0; i < a.length; i++) {
		const d = Math.abs(a[i]! - b[i]!);
		if (!(d <= worst)) worst = Number.isNaN(d) ? NaN : d;
		if (Number.isNaN(worst)) return NaN;
	}
	return worst;
}
