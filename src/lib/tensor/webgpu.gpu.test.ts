import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resampleCpu, sampleCpu } from './cpu.ts';
import { maxAbsDiff } from './fixtures.ts';
import { openTestLab, type TestLab } from './gpu-testing.ts';
import { planPointSlabs, planSlabs } from './plan.ts';
import { BOUNDARY_MODES, pointTaps, zoomTaps } from './semantics.ts';
import { at, random, tensorOf } from './test-data.ts';

describe('WebGPU tensor lab (SwiftShader)', () => {
	let t: TestLab;
	beforeAll(async () => {
		t = await openTestLab();
	});
	afterAll(() => t?.device.destroy());

	const rand = random(5);
	const noise = tensorOf([1, 9, 17, 33], () => rand() * 2 - 1);
	const seamParams = { outputShape: [17, 33, 65], mode: 'reflect' } as const;

	it('stitches tiles without seams: 17×33×65 equals one-voxel tiles and the CPU reference', async () => {
		const tiled = await t.checked(() => t.lab.resample(noise, seamParams));
		expect(tiled.shape).toEqual([1, 17, 33, 65]);
		const untiled = await t.checked(() => t.lab.resample(noise, seamParams, { tile: [1, 1, 1] }));
		expect(maxAbsDiff(tiled.data, untiled.data)).toBeLessThan(1e-6);
		expect(maxAbsDiff(tiled.data, resampleCpu(noise, seamParams).data)).toBeLessThan(1e-5);
	});

	it('writes nothing outside the output (guard bands stay intact), zooming and sampling at points', async () => {
		const guarded = await t.checked(() => t.lab.resample(noise, seamParams, { guardElements: 4096 }));
		expect(maxAbsDiff(guarded.data, resampleCpu(noise, seamParams).data)).toBeLessThan(1e-5);
		const coords = { shape: [3, 77], data: Float32Array.from({ length: 3 * 77 }, () => rand() * 40 - 10) };
		const points = await t.checked(() =>
			t.lab.sample(noise, coords, { mode: 'grid-constant' }, { guardElements: 1024 })
		);
		expect(maxAbsDiff(points.data, sampleCpu(noise, coords, { mode: 'grid-constant' }).data)).toBeLessThan(2e-5);
	});

	it('keeps a constant constant, in every mode but grid-constant', async () => {
		const constant = tensorOf([1, 6, 7, 5], () => -2.5);
		for (const mode of ['mirror', 'reflect', 'nearest', 'grid-wrap'] as const) {
			const out = await t.checked(() => t.lab.resample(constant, { zoom: [1.7, 0.6, 2.2], mode, gridMode: true }));
			expect(maxAbsDiff(out.data, new Float32Array(out.data.length).fill(-2.5)), mode).toBeLessThan(3e-6);
		}
	});

	it('goes through in slabs when the binding limit is small, with the same result as one shot', async () => {
		const volume = tensorOf([2, 21, 12, 10], () => rand());
		const bindingLimit = 32 * 1024;
		const taps = zoomTaps(21, 27, false, 'grid-wrap').start.map((s) => s + 2);
		expect(
			planSlabs(taps, [21, 12, 10], [25, 16, 14], 12 * 11, 12, t.device.limits, bindingLimit).slabs.length
		).toBeGreaterThan(2);
		for (const mode of BOUNDARY_MODES) {
			const params = { outputShape: [27, 12, 11], mode };
			const oneShot = await t.checked(() => t.lab.resample(volume, params));
			const progress: number[] = [];
			const slabbed = await t.checked(() =>
				t.lab.resample(volume, params, { bindingLimit, onProgress: (f) => progress.push(f) })
			);
			expect(maxAbsDiff(slabbed.data, oneShot.data), mode).toBe(0);
			expect(progress.length).toBeGreaterThan(4);
			expect(progress.at(-1)).toBe(1);
		}
	});

	it('samples points in slabs (and long point lists in chunks) when the binding limit is small, as in one shot', async () => {
		const volume = tensorOf([2, 21, 12, 10], () => rand() * 2 - 1);
		const p = 3000;
		// Inside, near the z edges and far outside, so every slab and the clamped/zero taps are exercised.
		const coords = {
			shape: [3, p],
			data: Float32Array.from({ length: 3 * p }, (_, i) => (i < p ? rand() * 40 - 10 : rand() * 20 - 5))
		};
		for (const mode of BOUNDARY_MODES) {
			const m = mode === 'nearest' || mode === 'grid-constant' ? 12 : 2;
			// Room for about 12 coefficient planes besides the prefilter's 24 halo planes.
			const bindingLimit = 4 * 36 * (12 + 2 * m) * (10 + 2 * m);
			const startsZ = pointTaps(coords.data.subarray(0, p), 21, mode).start.map((s) => s + m);
			const slabPlan = planPointSlabs(
				startsZ,
				[21, 12, 10],
				[21 + 2 * m, 12 + 2 * m, 10 + 2 * m],
				12,
				t.device.limits,
				bindingLimit
			);
			expect(slabPlan.slabs.length, mode).toBeGreaterThan(2);
			if (m === 2) expect(slabPlan.maxPointsPerDispatch).toBeLessThan(p);
			for (const kernel of mode === 'mirror' || mode === 'grid-constant'
				? (['bspline3', 'catmull-rom'] as const)
				: (['bspline3'] as const)) {
				const oneShot = await t.checked(() => t.lab.sample(volume, coords, { mode, kernel }));
				const progress: number[] = [];
				const slabbed = await t.checked(() =>
					t.lab.sample(volume, coords, { mode, kernel }, { bindingLimit, onProgress: (f) => progress.push(f) })
				);
				expect(maxAbsDiff(slabbed.data, oneShot.data), `${mode} ${kernel}`).toBe(0);
				expect(progress.at(-1)).toBe(1);
			}
			expect(
				maxAbsDiff(
					(await t.lab.sample(volume, coords, { mode }, { bindingLimit })).data,
					sampleCpu(volume, coords, { mode }).data
				),
				mode
			).toBeLessThan(2e-5);
		}
	});

	it('runs Catmull-Rom and every mode at arbitrary points like the CPU reference', async () => {
		const volume = tensorOf([2, 6, 7, 8], () => rand() * 4 - 2);
		const p = 300;
		const coords = { shape: [3, p], data: Float32Array.from({ length: 3 * p }, () => rand() * 30 - 12) };
		for (const mode of BOUNDARY_MODES)
			for (const kernel of ['bspline3', 'catmull-rom'] as const) {
				const gpu = await t.checked(() => t.lab.sample(volume, coords, { mode, kernel }));
				expect(
					maxAbsDiff(gpu.data, sampleCpu(volume, coords, { mode, kernel }).data),
					`${mode} ${kernel}`
				).toBeLessThan(2e-5);
			}
		const zoomed = await t.checked(() =>
			t.lab.resample(volume, { zoom: [1.5, 0.5, 1.25], kernel: 'catmull-rom', mode: 'grid-constant' })
		);
		expect(
			maxAbsDiff(
				zoomed.data,
				resampleCpu(volume, { zoom: [1.5, 0.5, 1.25], kernel: 'catmull-rom', mode: 'grid-constant' }).data
			)
		).toBeLessThan(1e-5);
	});

	it('turns a volume with NaN into NaN as scipy does, leaving the others alone', async () => {
		const input = tensorOf([2, 5, 5, 5], (v, z, y, x) => (v === 0 && z === 1 && y === 1 && x === 1 ? NaN : z + y - x));
		const out = await t.checked(() => t.lab.resample(input, { zoom: [2, 2, 2] }));
		expect(out.data.subarray(0, 1000).every(Number.isNaN)).toBe(true);
		expect(
			maxAbsDiff(out.data.subarray(1000), resampleCpu(input, { zoom: [2, 2, 2] }).data.subarray(1000))
		).toBeLessThan(1e-5);
	});

	it('is exact where it must be: grid nodes in every mode and kernel, cubics (B-spline), quadratics but not cubics (Catmull-Rom)', async () => {
		const nodes = tensorOf([1, 5, 6, 7], () => rand() * 2 - 1);
		for (const mode of BOUNDARY_MODES)
			for (const kernel of ['bspline3', 'catmull-rom'] as const) {
				// Corner-aligned zoom to 2n−1 puts every even output index on an input node.
				const out = await t.checked(() => t.lab.resample(nodes, { outputShape: [9, 11, 13], mode, kernel }));
				let worst = 0;
				for (let z = 0; z < 5; z++)
					for (let y = 0; y < 6; y++)
						for (let x = 0; x < 7; x++)
							worst = Math.max(worst, Math.abs(at(out, 0, 2 * z, 2 * y, 2 * x) - at(nodes, 0, z, y, x)));
				expect(worst, `${mode} ${kernel}`).toBeLessThan(5e-6);
			}
		const n = 24;
		const cubic = (z: number, y: number, x: number) =>
			0.01 * z ** 3 - 0.02 * y * y * x + 0.015 * x ** 3 + 0.1 * z * y - 0.3 * x + 1;
		const quadratic = (z: number, y: number, x: number) =>
			0.02 * z * z - 0.03 * y * x + 0.05 * x * x + 0.1 * z - 0.2 * y + 0.5;
		const p = 200;
		const coords = { shape: [3, p], data: Float32Array.from({ length: 3 * p }, () => 9 + rand() * (n - 19)) };
		const truth = (fn: typeof cubic) =>
			Float32Array.from({ length: p }, (_, i) => fn(coords.data[i]!, coords.data[p + i]!, coords.data[2 * p + i]!));
		const volume = (fn: typeof cubic) => tensorOf([1, n, n, n], (_, z, y, x) => fn(z, y, x));
		const spline = await t.checked(() => t.lab.sample(volume(cubic), coords, { mode: 'mirror' }));
		expect(maxAbsDiff(spline.data, truth(cubic))).toBeLessThan(2e-4);
		const rom = (fn: typeof cubic) => t.checked(() => t.lab.sample(volume(fn), coords, { kernel: 'catmull-rom' }));
		expect(maxAbsDiff((await rom(quadratic)).data, truth(quadratic))).toBeLessThan(1e-5);
		expect(maxAbsDiff((await rom(cubic)).data, truth(cubic))).toBeGreaterThan(1e-3);
	});

	it('stops when cancelled', async () => {
		const controller = new AbortController();
		controller.abort();
		await expect(t.lab.resample(noise, seamParams, { signal: controller.signal })).rejects.toThrow(/cancelled/);
	});
});
