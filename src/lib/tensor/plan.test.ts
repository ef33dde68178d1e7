import { describe, expect, it } from 'vitest';
import { planPointSlabs, planSlabs, planTiles, tileFootprint, type TensorGpuLimits } from './plan.ts';
import { zoomTaps } from './semantics.ts';

const limits: TensorGpuLimits = {
	maxStorageBufferBindingSize: 128 * 2 ** 20,
	maxBufferSize: 256 * 2 ** 20,
	maxComputeWorkgroupStorageSize: 16384,
	maxComputeInvocationsPerWorkgroup: 256,
	maxComputeWorkgroupSizeX: 256,
	maxComputeWorkgroupSizeY: 256,
	maxComputeWorkgroupSizeZ: 64,
	maxComputeWorkgroupsPerDimension: 65535
};

const starts = (nIn: number, nOut: number) => zoomTaps(nIn, nOut, false, 'mirror').start.map((s) => s + 2);

describe('tile planner', () => {
	it('measures each tile’s footprint: its span of first taps plus the 4-tap stencil', () => {
		const { lo, foot } = tileFootprint(Int32Array.from([1, 1, 2, 3, 3, 4, 5]), 3);
		expect(Array.from(lo)).toEqual([1, 3, 5]);
		expect(foot).toBe(5);
	});

	it('keeps upsampling tiles large and shrinks tiles for downsampling to fit workgroup memory', () => {
		const up = planTiles([starts(32, 64), starts(32, 64), starts(32, 64)], limits);
		expect(up.tile).toEqual([4, 4, 4]);
		const down = planTiles([starts(256, 32), starts(256, 32), starts(256, 32)], limits);
		expect(down.foot[0] * down.foot[1] * down.foot[2] * 4).toBeLessThanOrEqual(4096);
		expect(down.tile[0] * down.tile[1] * down.tile[2]).toBeLessThan(64);
		const tiny = planTiles([starts(4096, 2), starts(8, 8), starts(8, 8)], limits);
		expect(tiny.tile[0]).toBe(1);
	});
});

describe('slab planner', () => {
	it('uses one slab when everything fits', () => {
		const plan = planSlabs(starts(40, 80), [40, 50, 60], [44, 54, 64], 100 * 120, 12, limits);
		expect(plan.slabs).toHaveLength(1);
		expect(plan.slabs[0]).toMatchObject({ outFirst: 0, outCount: 80, coeffFirst: 1, coeffCount: 43, inCount: 67 });
	});

	it('splits along z within the binding limit, covering every output plane once, halo included', () => {
		const bindingLimit = 2 * 2 ** 20;
		const s = starts(40, 80);
		const plan = planSlabs(s, [40, 50, 60], [44, 54, 64], 100 * 120, 12, limits, bindingLimit);
		expect(plan.slabs.length).toBeGreaterThan(1);
		let next = 0;
		for (const slab of plan.slabs) {
			expect(slab.outFirst).toBe(next);
			next += slab.outCount;
			expect(slab.inCount).toBe(slab.coeffCount + 24);
			for (let o = slab.outFirst; o < slab.outFirst + slab.outCount; o++) {
				expect(s[o]!).toBeGreaterThanOrEqual(slab.coeffFirst);
				expect(s[o]! + 4).toBeLessThanOrEqual(slab.coeffFirst + slab.coeffCount);
			}
		}
		expect(next).toBe(80);
		expect(Math.max(plan.maxStageA, plan.maxStageB, plan.maxOut) * 4).toBeLessThanOrEqual(bindingLimit);
	});

	it('says so when a single plane cannot fit', () => {
		expect(() => planSlabs(starts(4, 4), [4, 500, 500], [8, 504, 504], 500 * 500, 12, limits, 1024 * 1024)).toThrow(
			/binds at once/
		);
	});
});

describe('point slab planner', () => {
	it('uses one slab when the coefficients fit', () => {
		const plan = planPointSlabs(Int32Array.from([0, 5, 40]), [40, 50, 60], [44, 54, 64], 12, limits);
		expect(plan.slabs).toEqual([{ outFirst: 0, outCount: 0, coeffFirst: 0, coeffCount: 44, inCount: 68 }]);
		expect(Array.from(plan.slabOf)).toEqual([0, 0, 0]);
	});

	it('cuts overlapping slabs within the binding limit and puts every point where its four z taps are', () => {
		const bindingLimit = 1 << 20;
		const ez = 40 + 24;
		const startsZ = Int32Array.from({ length: 200 }, (_, i) => i - 70);
		const plan = planPointSlabs(startsZ, [40, 50, 60], [ez, 74, 84], 12, limits, bindingLimit);
		expect(plan.slabs.length).toBeGreaterThan(2);
		expect(Math.max(plan.maxStageA, plan.maxStageB) * 4).toBeLessThanOrEqual(bindingLimit);
		expect(plan.slabs[0]!.coeffFirst).toBe(0);
		expect(plan.slabs.at(-1)!.coeffFirst + plan.slabs.at(-1)!.coeffCount).toBe(ez);
		startsZ.forEach((s, i) => {
			const slab = plan.slabs[plan.slabOf[i]!]!;
			for (let a = 0; a < 4; a++) {
				const plane = Math.min(ez - 1, Math.max(0, s + a));
				if (s + a >= 0 && s + a < ez) expect(plane).toBeGreaterThanOrEqual(slab.coeffFirst);
				if (s + a >= 0 && s + a < ez) expect(plane).toBeLessThan(slab.coeffFirst + slab.coeffCount);
			}
		});
	});

	it('says so when four planes cannot fit', () => {
		expect(() => planPointSlabs(Int32Array.from([0]), [8, 500, 500], [12, 504, 504], 12, limits, 1024 * 1024)).toThrow(
			/binds at once/
		);
	});
});
