/**
 * Tricubic zoom throughput on the adapter Node finds (SwiftShader on a machine without a GPU), against
 * shaders/copy.wgsl moving the same number of bytes on the same device in the same run, plus the
 * prefilter's share of the kernel time and the CPU backend against the GPU backend end to end.
 *
 *   npm run bench -- tensor [--json] [--size N] [--zoom Z] [--iterations K]
 *
 * Default: a [1, 32, 32, 32] volume zoomed by 2 (64³ output), small enough for SwiftShader on two cores.
 */
import { parseArgs } from 'node:util';
import { detectGpu } from '../src/lib/gpu/capability.ts';
import { acquireDevice, dispatchSize, storageBuffer } from '../src/lib/gpu/device.ts';
import { nodeGpu, nodeShaderSource } from '../src/lib/gpu/node.ts';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resampleCpu } from '../src/lib/tensor/cpu.ts';
import { resampleThreaded } from '../src/lib/tensor/cpu-threads.ts';
import { encodeNpy, parseNpy } from '../src/lib/tensor/npy.ts';
import { nodeTensorThreadPool } from '../src/lib/tensor/threads.node.ts';
import { random, tensorOf } from '../src/lib/tensor/test-data.ts';
import { TensorGpu, type StageTimes } from '../src/lib/tensor/webgpu.ts';
import { percentile, sample, type Bench, type BenchContext } from './report.ts';

const COPY_WORKGROUP = 256;

/** Milliseconds per copy of `elements` floats through shaders/copy.wgsl (median of `iterations`). */
async function copyMilliseconds(device: GPUDevice, elements: number, iterations: number): Promise<number> {
	const module = device.createShaderModule({ code: await nodeShaderSource('copy') });
	const pipeline = await device.createComputePipelineAsync({
		layout: 'auto',
		compute: { module, entryPoint: 'main', constants: { WORKGROUP_SIZE: COPY_WORKGROUP } }
	});
	const source = storageBuffer(
		device,
		Float32Array.from({ length: elements }, (_, i) => i)
	);
	const destination = device.createBuffer({ size: elements * 4, usage: GPUBufferUsage.STORAGE });
	const bindGroup = device.createBindGroup({
		layout: pipeline.getBindGroupLayout(0),
		entries: [
			{ binding: 0, resource: { buffer: source } },
			{ binding: 1, resource: { buffer: destination } }
		]
	});
	const [x, y] = dispatchSize(elements, COPY_WORKGROUP, device.limits.maxComputeWorkgroupsPerDimension);
	const times = await sample(
		async () => {
			const encoder = device.createCommandEncoder();
			const pass = encoder.beginComputePass();
			pass.setPipeline(pipeline);
			pass.setBindGroup(0, bindGroup);
			pass.dispatchWorkgroups(x, y);
			pass.end();
			device.queue.submit([encoder.finish()]);
			await device.queue.onSubmittedWorkDone();
		},
		{ iterations, warmup: 1 }
	);
	source.destroy();
	destination.destroy();
	return percentile(times, 50);
}

export const tensorBench: Bench = {
	name: 'tensor',
	summary:
		'Tricubic zoom vs plain copy bandwidth on the same adapter; prefilter share; CPU vs GPU backend; --backend cpu: CPU backend vs scipy.ndimage.zoom',
	async run(context) {
		const { values } = parseArgs({
			args: context.args,
			options: {
				size: { type: 'string' },
				zoom: { type: 'string', default: '2' },
				iterations: { type: 'string', default: '3' },
				backend: { type: 'string', default: 'webgpu' }
			},
			strict: true
		});
		if (values.backend === 'cpu') return cpuAgainstScipy(context, values);
		if (values.backend !== 'webgpu') throw new Error('--backend is webgpu or cpu.');
		const size = Number(values.size ?? 32);
		const zoom = Number(values.zoom);
		const iterations = Math.max(1, Number(values.iterations));
		const gpu = await nodeGpu();
		const report = await detectGpu(gpu);
		if (!report.available) throw new Error(`No WebGPU adapter: ${report.reason}`);
		context.log(
			`adapter: ${report.vendor} ${report.architecture} ${report.description}${report.isFallbackAdapter ? ' (software fallback)' : ''}`
		);
		const rand = random(1);
		const input = tensorOf(
			[1, size, size, size],
			(_, z, y, x) => Math.sin(z * 0.3) + Math.cos(y * 0.2 + x * 0.1) + 0.1 * rand()
		);
		const params = { zoom: [zoom, zoom, zoom] };
		const device = await acquireDevice(gpu);
		try {
			const lab = await TensorGpu.create(device, nodeShaderSource);
			const out = await lab.resample(input, params); // compiles the pipelines
			const inVoxels = input.data.length;
			const outVoxels = out.data.length;
			context.log(
				`volume ${size}³ → ${out.shape.slice(1).join('×')} (zoom ${zoom}, bspline3, mirror); ${iterations} iterations`
			);
			const stages: StageTimes[] = [];
			const endToEnd = await sample(
				async () => {
					const profile: StageTimes = { upload: 0, prefilter: 0, evaluate: 0, readback: 0 };
					await lab.resample(input, params, { profile });
					stages.push(profile);
				},
				{ iterations, warmup: 0 }
			);
			const median = (pick: (s: StageTimes) => number) => percentile(stages.map(pick), 50);
			const prefilterMs = median((s) => s.prefilter);
			const evaluateMs = median((s) => s.evaluate);
			const kernelMs = median((s) => s.prefilter + s.evaluate);
			// The copy moves as many bytes as the zoom reads (input) and writes (output).
			const copyElements = Math.round((inVoxels + outVoxels) / 2);
			const copyMs = await copyMilliseconds(device, copyElements, Math.max(3, iterations));
			const bytes = (inVoxels + outVoxels) * 4;
			const gbps = (ms: number) => bytes / (ms / 1000) / 1e9;
			context.report({
				figure: 'tricubic zoom output voxels/s (prefilter + evaluate)',
				value: outVoxels / (kernelMs / 1000),
				unit: 'voxels/s',
				baseline: 'copy.wgsl elements/s over the same bytes',
				baseline_value: outVoxels / (copyMs / 1000)
			});
			context.report({
				figure: 'tricubic zoom effective bandwidth (input + output bytes / kernel time)',
				value: gbps(kernelMs),
				unit: 'GB/s',
				baseline: 'copy.wgsl bandwidth',
				baseline_value: gbps(copyMs)
			});
			context.report({
				figure: 'tricubic evaluate kernel alone, effective bandwidth',
				value: gbps(evaluateMs),
				unit: 'GB/s',
				baseline: 'copy.wgsl bandwidth',
				baseline_value: gbps(copyMs)
			});
			context.report({
				figure: 'prefilter time (three line-filter passes)',
				value: prefilterMs,
				unit: 'ms',
				baseline: 'prefilter + evaluate time',
				baseline_value: kernelMs
			});
			const cpuTimes = await sample(() => resampleCpu(input, params), { iterations, warmup: 0 });
			context.report({
				figure: 'WebGPU backend end to end (upload, kernels, readback) voxels/s',
				value: outVoxels / (percentile(endToEnd, 50) / 1000),
				unit: 'voxels/s',
				baseline: 'CPU backend voxels/s',
				baseline_value: outVoxels / (percentile(cpuTimes, 50) / 1000)
			});
		} finally {
			device.destroy();
		}
	}
};

const PYTHON = '/usr/bin/python3';

/** Debian's scipy for the baseline: a development tool the bench installs when it can, never a dependency. */
function ensureScipy(log: (line: string) => void): void {
	const has = () => spawnSync(PYTHON, ['-c', 'import scipy.ndimage, numpy'], { stdio: 'ignore' }).status === 0;
	if (has()) return;
	const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
	if (isRoot) {
		log('installing python3-scipy from Debian for the baseline');
		const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
		spawnSync('apt-get', ['install', '-y', '-qq', 'python3-scipy', 'python3-numpy'], { stdio: 'inherit', env });
	}
	if (!has()) throw new Error('The baseline needs scipy: sudo apt-get install -y python3-scipy');
}

// Times scipy.ndimage.zoom (order 3, mirror, corner-aligned: the CPU backend's defaults) on the volume,
// best of N, single-threaded as scipy's zoom is; writes its result for an accuracy check.
const SCIPY_ZOOM = `
import json, sys, time, numpy as np, scipy.ndimage as nd
src, dst, zoom, runs = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
v = np.load(src)[0]
best = float('inf')
for _ in range(runs):
    t = time.perf_counter(); out = nd.zoom(v, zoom, order=3, mode='mirror', grid_mode=False); best = min(best, time.perf_counter() - t)
np.save(dst, out[None].astype(np.float32))
print(json.dumps({'ms': best * 1000, 'scipy': __import__('scipy').__version__}))
`;

/** The CPU backend, threaded and on one thread, against scipy.ndimage.zoom on the same volume in the same run. */
async function cpuAgainstScipy(
	context: BenchContext,
	values: { size?: string | undefined; zoom?: string | undefined; iterations?: string | undefined }
): Promise<void> {
	ensureScipy(context.log);
	const size = Number(values.size ?? 96);
	const zoom = Number(values.zoom ?? 2);
	const iterations = Math.max(1, Number(values.iterations ?? 3));
	const rand = random(1);
	const input = tensorOf(
		[1, size, size, size],
		(_, z, y, x) => Math.sin(z * 0.3) + Math.cos(y * 0.2 + x * 0.1) + 0.1 * rand()
	);
	const params = { zoom: [zoom, zoom, zoom] };
	const scratch = await mkdtemp(join(tmpdir(), 'docket-bench-tensor-'));
	const pool = nodeTensorThreadPool();
	try {
		await writeFile(join(scratch, 'in.npy'), encodeNpy(input));
		const scipyRun = () => {
			const python = spawnSync(
				PYTHON,
				['-c', SCIPY_ZOOM, join(scratch, 'in.npy'), join(scratch, 'out.npy'), String(zoom), '1'],
				{ encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } }
			);
			if (python.status !== 0) throw new Error(`scipy failed: ${python.stderr}`);
			return JSON.parse(python.stdout.trim()) as { ms: number; scipy: string };
		};
		await resampleThreaded(input, params, pool); // starts the threads
		// Interleaved, so that load from elsewhere on a shared machine falls on all three alike.
		const scipyTimes: number[] = [];
		const threadedTimes: number[] = [];
		const singleTimes: number[] = [];
		let version = '';
		for (let i = 0; i < iterations; i++) {
			const run = scipyRun();
			scipyTimes.push(run.ms);
			version = run.scipy;
			let start = performance.now();
			await resampleThreaded(input, params, pool);
			threadedTimes.push(performance.now() - start);
			start = performance.now();
			resampleCpu(input, params);
			singleTimes.push(performance.now() - start);
		}
		const scipy = { ms: Math.min(...scipyTimes), scipy: version };
		const reference = parseNpy(new Uint8Array(await readFile(join(scratch, 'out.npy'))));
		const out = resampleCpu(input, params);
		let worst = 0;
		for (let i = 0; i < out.data.length; i++) worst = Math.max(worst, Math.abs(out.data[i]! - reference.data[i]!));
		const voxels = out.data.length;
		const best = (times: number[]) => Math.min(...times);
		context.log(
			`volume ${size}³ → ${out.shape.slice(1).join('×')} (zoom ${zoom}, bspline3, mirror); ${pool.size} threads; scipy ${scipy.scipy}; best of ${iterations}; max |Docket − scipy| ${worst.toExponential(2)}`
		);
		context.report({
			figure: `CPU backend zoom, ${pool.size} threads (Mvoxel/s out)`,
			value: voxels / (best(threadedTimes) / 1000) / 1e6,
			unit: 'Mvoxel/s',
			baseline: 'scipy.ndimage.zoom order 3, same volume',
			baseline_value: voxels / (scipy.ms / 1000) / 1e6
		});
		context.report({
			figure: 'CPU backend zoom, one thread (Mvoxel/s out)',
			value: voxels / (best(singleTimes) / 1000) / 1e6,
			unit: 'Mvoxel/s',
			baseline: 'scipy.ndimage.zoom order 3, same volume',
			baseline_value: voxels / (scipy.ms / 1000) / 1e6
		});
	} finally {
		pool.terminate();
		await rm(scratch, { recursive: true, force: true });
	}
}
