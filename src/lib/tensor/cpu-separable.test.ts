import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../errors.ts';
import { evaluate, filterAxis, resampleCpu, resolvePlanTaps, sampleCpu } from './cpu.ts';
import { zoomSlab } from './cpu-separable.ts';
import { resampleThreaded, sampleThreaded, TensorThreadPool, runThreadTask, type TensorThread } from './cpu-threads.ts';
import {
	BOUNDARY_MODES,
	extensionTable,
	KERNELS,
	permute4,
	planResample,
	prefilterHalfWidth,
	prefilterWeights,
	batchFirstOrder,
	type ResampleParams,
	type Tensor,
	type Triple
} from './semantics.ts';
import { random, tensorOf } from './test-data.ts';
import { nodeTensorThreadPool } from './threads.node.ts';

/** The 64-tap evaluation over the line-by-line prefilter: the reference before the separable path. */
function resampleDirect(tensor: Tensor, params: ResampleParams): Float32Array {
	const plan = planResample(tensor, params);
	const input = permute4(tensor, batchFirstOrder(plan.batchAxis, plan.axes).forward);
	const [t, nz, ny, nx] = plan.inShape;
	const [, oz, oy, ox] = plan.outShape;
	const { m, eDims, tz, ty, tx } = resolvePlanTaps(plan);
	const weights = prefilterWeights(plan.kernel);
	const halo = prefilterHalfWidth(plan.kernel);
	const out = new Float32Array(t * oz * oy * ox);
	let o = 0;
	for (let v = 0; v < t; v++) {
		let current = { data: input.data.subarray(v * nz * ny * nx, (v + 1) * nz * ny * nx), dims: [nz, ny, nx] as Triple };
		for (const axis of [2, 1, 0]) {
			const n = [nz, ny, nx][axis]!;
			const table = extensionTable(n, plan.mode, -m, n + 2 * m, halo);
			current = filterAxis(current.data, current.dims, axis, table, weights, n + 2 * m);
		}
		for (let z = 0; z < oz; z++)
			for (let y = 0; y < oy; y++)
				for (let x = 0; x < ox; x++) out[o++] = evaluate(current.data, eDims, tz, z, ty, y, tx, x);
	}
	return out;
}

const rand = random(7);
const volume = (shape: [number, number, number, number]) => tensorOf(shape, () => rand() * 2 - 1);
const sameBits = (a: Float32Array, b: Float32Array) => {
	expect(a.length).toBe(b.length);
	let differing = 0;
	for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i]) && !(a[i] === 0 && b[i] === 0)) differing++;
	expect(differing).toBe(0);
};

describe('separable zoom', () => {
	it('equals the 64-tap evaluation value for value, in every mode, kernel and grid mode', () => {
		const input = volume([2, 7, 9, 6]);
		for (const mode of BOUNDARY_MODES)
			for (const kernel of KERNELS)
				for (const gridMode of [false, true])
					for (const zoom of [
						[2, 1.5, 0.7],
						[0.5, 3, 1.25]
					]) {
						const params = { zoom, mode, kernel, gridMode };
						sameBits(resampleCpu(input, params).data, resampleDirect(input, params));
					}
	});

	it('gives the same planes whichever slabs they are computed in', () => {
		const input = volume([1, 20, 8, 8]);
		const params = { zoom: [2.3, 1, 1.5] };
		const whole = resampleCpu(input, params).data;
		const plan = planResample(input, params);
		const { m, tz, ty, tx } = resolvePlanTaps(plan);
		const [, oz, oy, ox] = plan.outShape;
		const base = { volume: input.data, dims: [20, 8, 8] as Triple, outDims: [oz, oy, ox] as Triple };
		const task = { ...base, kernel: plan.kernel, mode: plan.mode, margin: m, tz, ty, tx };
		for (const cuts of [
			[0, 1, oz],
			[0, 17, 18, 30, oz],
			[0, oz - 1, oz]
		]) {
			const joined = new Float32Array(whole.length);
			for (let i = 0; i + 1 < cuts.length; i++) {
				const slab = zoomSlab({ ...task, outFirst: cuts[i]!, outCount: cuts[i + 1]! - cuts[i]! });
				joined.set(slab, cuts[i]! * oy * ox);
			}
			sameBits(joined, whole);
		}
	});
});

/** In-process threads: the pool's scheduling and cancelling without starting real ones. */
function inProcessPool(size: number, delayMs = 0): TensorThreadPool {
	return new TensorThreadPool((): TensorThread => {
		let stopped = false;
		return {
			async run(task) {
				await new Promise((resolve) => setTimeout(resolve, delayMs));
				if (stopped) throw new Error('terminated');
				return runThreadTask(task);
			},
			terminate: () => void (stopped = true)
		};
	}, size);
}

describe('threaded CPU backend', () => {
	const pool = nodeTensorThreadPool(3);
	afterAll(() => pool.terminate());

	it('is bit-identical to the single-threaded backend on worker threads, seams included', async () => {
		const input = volume([2, 13, 10, 9]);
		for (const params of [
			{ zoom: [2, 2, 2] },
			{ zoom: [0.6, 1.7, 3], mode: 'grid-constant' as const, gridMode: true }
		]) {
			const threaded = await resampleThreaded(input, params, pool);
			const single = resampleCpu(input, params);
			expect(threaded.shape).toEqual(single.shape);
			sameBits(threaded.data, single.data);
		}
		const coords: Tensor = {
			shape: [3, 50],
			data: Float32Array.from({ length: 150 }, (_, i) => ((i * 7.31) % 16) - 2)
		};
		for (const mode of ['nearest', 'mirror'] as const) {
			const threaded = await sampleThreaded(input, coords, { mode }, pool);
			sameBits(threaded.data, sampleCpu(input, coords, { mode }).data);
		}
	});

	it('gives the same result for any number of threads, and reports progress up to 1', async () => {
		const input = volume([1, 11, 6, 7]);
		const params = { zoom: [1.9, 1.1, 2.4] };
		const expected = resampleCpu(input, params).data;
		for (const size of [1, 2, 5]) {
			const progress: number[] = [];
			const out = await resampleThreaded(input, params, inProcessPool(size), { onProgress: (f) => progress.push(f) });
			sameBits(out.data, expected);
			expect(progress.at(-1)).toBe(1);
		}
	});

	it('stops when cancelled, and the pool works again afterwards', async () => {
		const threads = inProcessPool(2, 20);
		const controller = new AbortController();
		const input = volume([4, 8, 8, 8]);
		const run = resampleThreaded(input, { zoom: [2, 2, 2] }, threads, {
			signal: controller.signal,
			onProgress: () => controller.abort()
		});
		await expect(run).rejects.toBeInstanceOf(CancelledError);
		const again = await resampleThreaded(input, { zoom: [2, 2, 2] }, threads);
		sameBits(again.data, resampleCpu(input, { zoom: [2, 2, 2] }).data);
	});

	it('cancels real worker threads mid-run', async () => {
		const controller = new AbortController();
		const input = volume([3, 40, 40, 40]);
		const run = resampleThreaded(input, { zoom: [2, 2, 2] }, pool, {
			signal: controller.signal,
			onProgress: () => controller.abort()
		});
		await expect(run).rejects.toBeInstanceOf(CancelledError);
	});
});
