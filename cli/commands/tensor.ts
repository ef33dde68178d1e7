import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command.ts';
import { DocketError } from '../../src/lib/errors.ts';
import { nodeGpu, nodeShaderSource } from '../../src/lib/gpu/node.ts';
import { resampleThreaded, sampleThreaded, type TensorThreadPool } from '../../src/lib/tensor/cpu-threads.ts';
import { nodeTensorThreadPool } from '../../src/lib/tensor/threads.node.ts';
import { fractionProgress } from '../progress.ts';
import { encodeNpy, parseNpy } from '../../src/lib/tensor/npy.ts';
import {
	BOUNDARY_MODES,
	KERNELS,
	type BoundaryMode,
	type KernelName,
	type Tensor
} from '../../src/lib/tensor/semantics.ts';
import { resampleWebGpu, sampleWebGpu } from '../../src/lib/tensor/webgpu.ts';

const USAGE = `Usage:
  docket tensor resample --in A.npy --out B.npy (--zoom z,y,x | --shape z,y,x) [--grid-mode] [--mode M] [--kernel K] [--axes a,b,c] [--backend B]
  docket tensor sample --in A.npy --coords C.npy --out B.npy [--mode M] [--kernel K] [--axes a,b,c] [--backend B]

Resamples each volume of a 4D float32/float64 .npy tensor with scipy.ndimage's semantics (order 3, prefilter on):
resample is scipy.ndimage.zoom, sample is scipy.ndimage.map_coordinates with C of shape [3, P] (z, y, x in input
index space); the output is float32, [T, P] for sample. The axis not in --axes (default 1,2,3) is a batch axis.
  --zoom z,y,x     factors for the three axes; the output length is round(n * zoom)
  --shape z,y,x    target lengths instead of factors
  --grid-mode      align pixel edges instead of corner samples (scipy's grid_mode=True)
  --mode M         ${BOUNDARY_MODES.join(' | ')} (default mirror)
  --kernel K       ${KERNELS.join(' | ')} (default bspline3)
  --backend B      webgpu | cpu (default webgpu)
Prints one JSON line: { op, in, out, input_shape, output_shape, backend, kernel, mode, ms }.`;

function triple(value: string | undefined, flag: string, integer: boolean): number[] | undefined {
	if (value === undefined) return undefined;
	const parts = value.split(',').map((s) => Number(s.trim()));
	if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n) || (integer && !Number.isInteger(n)))) {
		throw new UsageError(
			`${flag} takes three comma-separated ${integer ? 'whole numbers' : 'numbers'}, e.g. ${flag} ${integer ? '1,2,3' : '2,1.5,1.5'}.`
		);
	}
	return parts;
}

/** Runs on one tensor thread per core, stopped afterwards so the command can exit. */
async function onCpuThreads<T>(run: (pool: TensorThreadPool) => Promise<T>): Promise<T> {
	const pool = nodeTensorThreadPool();
	try {
		return await run(pool);
	} finally {
		pool.terminate();
	}
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
	if (value === undefined) return undefined;
	const found = allowed.find((a) => a === value);
	if (!found) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}; got "${value}".`);
	return found;
}

async function readTensor(path: string): Promise<Tensor> {
	const array = parseNpy(await readFile(path));
	return { shape: array.shape, data: array.data instanceof Float32Array ? array.data : Float32Array.from(array.data) };
}

export const tensorCommand: Command = {
	name: 'tensor',
	summary: 'Resample 4D .npy tensors (tricubic, scipy semantics) on WebGPU or the CPU',
	usage: USAGE,
	async run(argv, io) {
		const [op, ...rest] = argv;
		if (op !== 'resample' && op !== 'sample')
			throw new UsageError(op ? `Unknown tensor operation "${op}".` : 'Name an operation: resample or sample.');
		const { values } = parseArgs({
			args: rest,
			options: {
				in: { type: 'string' },
				out: { type: 'string' },
				coords: { type: 'string' },
				zoom: { type: 'string' },
				shape: { type: 'string' },
				'grid-mode': { type: 'boolean' },
				mode: { type: 'string' },
				kernel: { type: 'string' },
				axes: { type: 'string' },
				backend: { type: 'string' }
			},
			strict: true
		});
		if (!values.in || !values.out) throw new UsageError('--in and --out are required.');
		const mode: BoundaryMode | undefined = oneOf(values.mode, BOUNDARY_MODES, '--mode');
		const kernel: KernelName | undefined = oneOf(values.kernel, KERNELS, '--kernel');
		const backend = oneOf(values.backend, ['webgpu', 'cpu'] as const, '--backend') ?? 'webgpu';
		const axes = triple(values.axes, '--axes', true);
		const common = { ...(mode ? { mode } : {}), ...(kernel ? { kernel } : {}), ...(axes ? { axes } : {}) };
		const zoom = triple(values.zoom, '--zoom', false);
		const shape = triple(values.shape, '--shape', true);
		if (op === 'resample' && !zoom === !shape) throw new UsageError('Give exactly one of --zoom and --shape.');
		if (op === 'sample' && !values.coords) throw new UsageError('sample needs --coords C.npy (shape [3, P]).');
		try {
			const input = await readTensor(values.in);
			// On stderr, so the JSON line on stdout stays the only thing there.
			const progress = io.progress ? fractionProgress(io.progress, `docket tensor ${op}`) : undefined;
			const run = progress ? { onProgress: (fraction: number) => progress.update(fraction) } : {};
			const start = performance.now();
			let output: Tensor;
			if (op === 'resample') {
				const params = {
					...common,
					...(zoom ? { zoom } : {}),
					...(shape ? { outputShape: shape } : {}),
					gridMode: values['grid-mode'] ?? false
				};
				output =
					backend === 'cpu'
						? await onCpuThreads((pool) => resampleThreaded(input, params, pool, run))
						: await resampleWebGpu(await nodeGpu(), nodeShaderSource, input, params, run);
			} else {
				const coords = await readTensor(values.coords!);
				output =
					backend === 'cpu'
						? await onCpuThreads((pool) => sampleThreaded(input, coords, common, pool, run))
						: await sampleWebGpu(await nodeGpu(), nodeShaderSource, input, coords, common, run);
			}
			progress?.finish();
			const ms = performance.now() - start;
			await writeFile(values.out, encodeNpy(output));
			io.stdout(
				JSON.stringify({
					op,
					in: values.in,
					out: values.out,
					input_shape: input.shape,
					output_shape: output.shape,
					backend,
					kernel: kernel ?? 'bspline3',
					mode: mode ?? 'mirror',
					ms: Math.round(ms * 10) / 10
				})
			);
			return 0;
		} catch (error) {
			if (error instanceof DocketError) {
				io.stderr(`docket tensor ${op}: ${error.userMessage}`);
				return 1;
			}
			throw error;
		}
	}
};
