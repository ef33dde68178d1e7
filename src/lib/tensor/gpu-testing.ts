/** One GPU device per test file, with a validation scope around each use (Node, tests only). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDevice } from '../gpu/device.ts';
import { nodeGpu, nodeShaderSource } from '../gpu/node.ts';
import { resampleCpu, sampleCpu } from './cpu.ts';
import { fixtureCases, fixturesPresent, loadFixtureTensor, maxAbsDiff, type FixtureCase } from './fixtures.ts';
import { TensorGpu } from './webgpu.ts';

export interface TestLab {
	lab: TensorGpu;
	device: GPUDevice;
	/** Runs `work`, then fails if the GPU reported a validation error meanwhile. */
	checked<T>(work: () => Promise<T>): Promise<T>;
}

export async function openTestLab(): Promise<TestLab> {
	const device = await acquireDevice(await nodeGpu());
	const lab = await TensorGpu.create(device, nodeShaderSource);
	return {
		lab,
		device,
		async checked(work) {
			device.pushErrorScope('validation');
			const result = await work();
			const error = await device.popErrorScope();
			if (error) throw new Error(`GPU validation error: ${error.message}`);
			return result;
		}
	};
}

/** Every scipy fixture case that `filter` picks, on the GPU: within the case's atol, and near the CPU reference. */
export function fixtureSuite(name: string, filter: (c: FixtureCase) => boolean): void {
	describe.skipIf(!fixturesPresent)(
		`WebGPU backend against scipy.ndimage: ${name} (skipped: ../shared fixtures missing)`,
		() => {
			let t: TestLab;
			beforeAll(async () => {
				t = await openTestLab();
			});
			afterAll(() => t?.device.destroy());

			for (const c of fixtureCases().filter(filter)) {
				it(`${c.id} within atol ${c.atol.toExponential(1)}, and within 1e-5 (relative) of the CPU reference`, async () => {
					const input = loadFixtureTensor(c.input);
					const expected = loadFixtureTensor(c.expected);
					const zoom = {
						zoom: c.params.zoom!,
						gridMode: c.params.grid_mode ?? false,
						mode: c.params.mode,
						axes: c.params.axes
					};
					const coords = c.coords ? loadFixtureTensor(c.coords) : undefined;
					const points = { mode: c.params.mode, axes: c.params.axes };
					const out = await t.checked(() =>
						coords ? t.lab.sample(input, coords, points) : t.lab.resample(input, zoom)
					);
					expect(out.shape).toEqual(expected.shape);
					expect(maxAbsDiff(out.data, expected.data)).toBeLessThanOrEqual(c.atol);
					const cpu = coords ? sampleCpu(input, coords, points) : resampleCpu(input, zoom);
					// float32 rounding differs (the GPU may fuse multiply-adds): compare relative to the data's scale.
					const scale = expected.data.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
					expect(maxAbsDiff(out.data, cpu.data)).toBeLessThan(1e-5 * scale);
				});
			}
		}
	);
}
