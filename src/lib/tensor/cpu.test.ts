import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.ts';
import { resampleCpu, sampleCpu } from './cpu.ts';
import { fixtureCases, fixturesPresent, loadFixtureTensor, maxAbsDiff } from './fixtures.ts';
import { at, random, tensorOf } from './test-data.ts';
import { extendIndex, foldCoordinate, permute4, planResample, roundHalfEven } from './semantics.ts';

describe('CPU reference against scipy.ndimage', () => {
	it.skipIf(!fixturesPresent)(
		'matches every fixture case within its atol (skipped: ../shared fixtures missing)',
		() => {
			const cases = fixtureCases();
			expect(cases.length).toBeGreaterThanOrEqual(20);
			for (const c of cases) {
				const input = loadFixtureTensor(c.input);
				const expected = loadFixtureTensor(c.expected);
				const out =
					c.op === 'zoom'
						? resampleCpu(input, {
								zoom: c.params.zoom!,
								gridMode: c.params.grid_mode ?? false,
								mode: c.params.mode,
								axes: c.params.axes
							})
						: sampleCpu(input, loadFixtureTensor(c.coords!), { mode: c.params.mode, axes: c.params.axes });
				expect(out.shape, c.id).toEqual(expected.shape);
				expect(maxAbsDiff(out.data, expected.data), c.id).toBeLessThanOrEqual(c.atol);
			}
		},
		60_000
	);
});

describe('exactness', () => {
	const rand = random(7);
	const noise = tensorOf([2, 7, 8, 9], () => rand() * 2 - 1);

	it('returns the samples at grid nodes, in every mode and for both kernels', () => {
		for (const mode of ['mirror', 'reflect', 'nearest', 'grid-wrap', 'grid-constant'] as const)
			for (const kernel of ['bspline3', 'catmull-rom'] as const) {
				// Corner-aligned zoom to 2n−1 puts every even output index on an input node.
				const out = resampleCpu(noise, { outputShape: [13, 15, 17], mode, kernel });
				let worst = 0;
				for (let t = 0; t < 2; t++)
					for (let z = 0; z < 7; z++)
						for (let y = 0; y < 8; y++)
							for (let x = 0; x < 9; x++)
								worst = Math.max(worst, Math.abs(at(out, t, 2 * z, 2 * y, 2 * x) - at(noise, t, z, y, x)));
				expect(worst, `${mode} ${kernel}`).toBeLessThan(5e-6);
			}
	});

	const cubic = (z: number, y: number, x: number) =>
		0.01 * z ** 3 - 0.02 * y * y * x + 0.015 * x ** 3 + 0.1 * z * y - 0.3 * x + 1;
	const quadratic = (z: number, y: number, x: number) =>
		0.02 * z * z - 0.03 * y * x + 0.05 * x * x + 0.1 * z - 0.2 * y + 0.5;
	const n = 24;
	const points = (fn: (z: number, y: number, x: number) => number) => {
		const r = random(11);
		const coords = new Float32Array(3 * 200);
		for (let i = 0; i < 200; i++) for (let a = 0; a < 3; a++) coords[a * 200 + i] = 9 + r() * (n - 19);
		const expected = Float32Array.from({ length: 200 }, (_, i) => fn(coords[i]!, coords[200 + i]!, coords[400 + i]!));
		return { coords: { shape: [3, 200], data: coords }, expected };
	};

	it('reproduces a cubic polynomial away from the edges (B-spline)', () => {
		const volume = tensorOf([1, n, n, n], (_, z, y, x) => cubic(z, y, x));
		const { coords, expected } = points(cubic);
		const out = sampleCpu(volume, coords, { mode: 'mirror' });
		expect(maxAbsDiff(out.data, expected)).toBeLessThan(2e-4);
	});

	it('Catmull-Rom reproduces quadratics but not cubics', () => {
		const q = points(quadratic);
		expect(
			maxAbsDiff(
				sampleCpu(
					tensorOf([1, n, n, n], (_, z, y, x) => quadratic(z, y, x)),
					q.coords,
					{ kernel: 'catmull-rom' }
				).data,
				q.expected
			)
		).toBeLessThan(1e-5);
		const c = points(cubic);
		expect(
			maxAbsDiff(
				sampleCpu(
					tensorOf([1, n, n, n], (_, z, y, x) => cubic(z, y, x)),
					c.coords,
					{ kernel: 'catmull-rom' }
				).data,
				c.expected
			)
		).toBeGreaterThan(1e-3);
	});

	it('keeps a constant constant', () => {
		const out = resampleCpu(
			tensorOf([1, 5, 6, 7], () => 3.25),
			{ zoom: [1.7, 0.6, 2.3], mode: 'reflect' }
		);
		expect(maxAbsDiff(out.data, new Float32Array(out.data.length).fill(3.25))).toBeLessThan(2e-6);
	});

	it('returns the input for a zoom of exactly 1', () => {
		const out = resampleCpu(noise, { zoom: [1, 1, 1] });
		expect(out.data).toEqual(noise.data);
		expect(out.data).not.toBe(noise.data);
	});
});

describe('scipy details', () => {
	it('rounds output shapes half to even, like Python', () => {
		expect(roundHalfEven(2.5)).toBe(2);
		expect(roundHalfEven(3.5)).toBe(4);
		expect(roundHalfEven(7.5)).toBe(8);
		expect(roundHalfEven(12.25)).toBe(12);
		expect(
			planResample(
				tensorOf([1, 5, 5, 7], () => 0),
				{ zoom: [0.5, 1.5, 0.5] }
			).outShape
		).toEqual([1, 2, 8, 4]);
	});

	it('folds indices and coordinates with scipy’s periods', () => {
		expect([-3, -2, -1, 4, 5, 6].map((i) => extendIndex(i, 4, 'mirror'))).toEqual([3, 2, 1, 2, 1, 0]);
		expect([-3, -2, -1, 4, 5, 6].map((i) => extendIndex(i, 4, 'reflect'))).toEqual([2, 1, 0, 3, 2, 1]);
		expect([-3, -1, 4, 9].map((i) => extendIndex(i, 4, 'grid-wrap'))).toEqual([1, 3, 0, 1]);
		expect([-3, 7].map((i) => extendIndex(i, 4, 'nearest'))).toEqual([0, 3]);
		expect([-1, 4].map((i) => extendIndex(i, 4, 'grid-constant'))).toEqual([-1, -1]);
		expect(foldCoordinate(-0.5, 4, 'mirror')).toBe(0.5);
		expect(foldCoordinate(3.5, 4, 'mirror')).toBe(3.5); // scipy leaves (n−1, n) alone; its taps fold
		expect(foldCoordinate(4.5, 4, 'mirror')).toBe(1.5);
		expect(foldCoordinate(-0.25, 4, 'reflect')).toBe(-0.75);
		expect(foldCoordinate(-0.5, 4, 'grid-wrap')).toBe(3.5);
		expect(foldCoordinate(-9, 4, 'nearest')).toBe(-9);
	});

	it('treats the axis not interpolated as the batch axis, wherever it is', () => {
		const r = random(3);
		const base = tensorOf([3, 5, 6, 4], () => r());
		const expected = resampleCpu(base, { zoom: [1.5, 0.5, 2] });
		// Batch axis moved to position 2: [Z, Y, T, X].
		const moved = permute4(base, [1, 2, 0, 3]);
		const out = resampleCpu(moved, { zoom: [1.5, 0.5, 2], axes: [0, 1, 3] });
		expect(out.shape).toEqual([8, 3, 3, 8]);
		expect(permute4(out, [2, 0, 1, 3]).data).toEqual(expected.data);
	});
});

describe('NaN and Inf', () => {
	it('spread over the whole volume as scipy’s recursive prefilter does, leaving other volumes alone', () => {
		for (const bad of [NaN, Infinity, -Infinity]) {
			const input = tensorOf([2, 6, 6, 6], (t, z, y, x) =>
				t === 1 && z === 2 && y === 3 && x === 1 ? bad : Math.sin(z + y + x)
			);
			const out = resampleCpu(input, { zoom: [1.5, 1.5, 1.5], mode: 'nearest' });
			const volume = 9 * 9 * 9;
			expect(out.data.subarray(volume).every(Number.isNaN)).toBe(true);
			expect(out.data.subarray(0, volume).every(Number.isFinite)).toBe(true);
			const points = sampleCpu(input, { shape: [3, 2], data: new Float32Array([0, 5, 0, 5, 0, 5]) }, {});
			expect(Array.from(points.data.subarray(2)).every(Number.isNaN)).toBe(true);
		}
	});

	it('stay local with Catmull-Rom (no prefilter), and NaN coordinates give NaN', () => {
		const input = tensorOf([1, 12, 12, 12], (_, z, y, x) => (z === 2 && y === 2 && x === 2 ? NaN : 1));
		const out = resampleCpu(input, { zoom: [2, 2, 2], kernel: 'catmull-rom' });
		expect(Number.isNaN(at(out, 0, 4, 4, 4))).toBe(true);
		expect(at(out, 0, 20, 20, 20)).toBeCloseTo(1, 6);
		const sampled = sampleCpu(
			tensorOf([1, 4, 4, 4], () => 1),
			{ shape: [3, 2], data: new Float32Array([NaN, 1, 1, 1, 1, 1]) },
			{}
		);
		expect(Number.isNaN(sampled.data[0]!)).toBe(true);
		expect(sampled.data[1]).toBeCloseTo(1, 6);
	});
});

describe('bad input', () => {
	const ok = tensorOf([1, 4, 4, 4], () => 0);
	const rejects = (fn: () => unknown, pattern: RegExp) => {
		expect(fn).toThrow(InvalidInputError);
		expect(fn).toThrow(pattern);
	};

	it('refuses wrong ranks, empty axes, bad zooms and unknown modes', () => {
		rejects(() => resampleCpu({ shape: [4, 4, 4], data: new Float32Array(64) }, { zoom: [2, 2, 2] }), /3 axes.*4D/);
		rejects(() => resampleCpu({ shape: [1, 0, 4, 4], data: new Float32Array(0) }, { zoom: [2, 2, 2] }), /empty axis/);
		rejects(() => resampleCpu(ok, { zoom: [0, 2, 2] }), /positive/);
		rejects(() => resampleCpu(ok, { zoom: [-1, 2, 2] }), /positive/);
		rejects(() => resampleCpu(ok, { zoom: [NaN, 2, 2] }), /positive/);
		rejects(() => resampleCpu(ok, { zoom: [0.01, 1, 1] }), /no samples/);
		rejects(() => resampleCpu(ok, { zoom: [2, 2] }), /three zoom factors/);
		rejects(() => resampleCpu(ok, { outputShape: [2, 2.5, 2] }), /positive whole/);
		rejects(() => resampleCpu(ok, { zoom: [2, 2, 2], axes: [0, 0, 1] }), /three different axes/);
		// @ts-expect-error: a mode from outside the union, as a command line could pass.
		rejects(() => resampleCpu(ok, { zoom: [2, 2, 2], mode: 'wrap' }), /Unknown boundary mode/);
		rejects(() => sampleCpu(ok, { shape: [2, 5], data: new Float32Array(10) }, {}), /\[3, P\]/);
	});

	it('refuses a tensor too large before allocating it', () => {
		rejects(() => resampleCpu(ok, { zoom: [20000, 1, 1] }), /longer than 65535/);
		rejects(() => resampleCpu(ok, { zoom: [1000, 1000, 1000] }), /GiB.*more than/);
		rejects(() => resampleCpu(ok, { zoom: [4, 4, 4] }, { maxElements: 1000 }), /output would hold/);
	});

	it('stops when cancelled', () => {
		const controller = new AbortController();
		controller.abort();
		expect(() => resampleCpu(ok, { zoom: [2, 2, 2] }, { signal: controller.signal })).toThrow(/cancelled/);
	});
});
