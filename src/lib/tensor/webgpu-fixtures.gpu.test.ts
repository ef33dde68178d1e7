import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resampleCpu, sampleCpu } from './cpu.ts';
import { fixtureCases, fixturesPresent, loadFixtureTensor, maxAbsDiff } from './fixtures.ts';
import { openTestLab, type TestLab } from './gpu-testing.ts';

describe.skipIf(!fixturesPresent)('WebGPU backend against scipy.ndimage (skipped: ../shared fixtures missing)', () => {
	let t: TestLab;
	beforeAll(async () => {
		t = await openTestLab();
	});
	afterAll(() => t?.device.destroy());

	for (const c of fixtureCases()) {
		it(`${c.id} within atol ${c.atol.toExponential(1)}, and within 1e-5 of the CPU reference`, async () => {
			const input = loadFixtureTensor(c.input);
			const expected = loadFixtureTensor(c.expected);
			const zoom = { zoom: c.params.zoom!, gridMode: c.params.grid_mode ?? false, mode: c.params.mode, axes: c.params.axes };
			const coords = c.coords ? loadFixtureTensor(c.coords) : undefined;
			const out = await t.checked(() => (coords ? t.lab.sample(input, coords, { mode: c.params.mode, axes: c.params.axes }) : t.lab.resample(input, zoom)));
			expect(out.shape).toEqual(expected.shape);
			expect(maxAbsDiff(out.data, expected.data)).toBeLessThanOrEqual(c.atol);
			const cpu = coords ? sampleCpu(input, coords, { mode: c.params.mode, axes: c.params.axes }) : resampleCpu(input, zoom);
			expect(maxAbsDiff(out.data, cpu.data)).toBeLessThan(1e-5);
		});
	}
});
