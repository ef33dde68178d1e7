/**
 * `npm run bench -- embed`: chunks per second through the real transformers.js embedding pipeline, on the
 * GPU (onnxruntime-node's WebGPU backend: SwiftShader here, the real GPU elsewhere) against the CPU backend
 * (onnxruntime-node), measured in one run. With no flags it uses the committed fixture model
 * (tests/fixtures/models/docket/tiny-embed): that measures the pipeline's overhead (tokenising, session
 * calls, pooling), not a real model's arithmetic.
 *
 * Flags:
 *   --model REPO       a transformers.js model in the hub layout, e.g. Snowflake/snowflake-arctic-embed-s
 *                      (needs the network, or --model-dir / --base-url). Real numbers need a machine with a GPU.
 *   --model-dir DIR    read REPO from DIR/REPO/resolve/main/ (a self-hosted model folder on disk)
 *   --base-url URL     read REPO from URL/REPO/resolve/main/ (a team's model server)
 *   --dtype fp32|fp16|q8   default fp32 for the fixture, q8 for --model
 *   --chunks N         passages to embed per backend (default 256)
 *   --batch N          passages per call (default 16)
 *   --backends LIST    comma-separated, from cpu,webgpu (default both)
 *   --browser          also measure in Chromium (built app's AI worker, fixture model): WebGPU against WASM,
 *                      and check the vectors agree with Node's. Needs `npm run build` and Debian chromium.
 *
 */
import { embedInBatches, type Embedder } from '../src/lib/ai/embedder.ts';
import type { ModelSource } from '../src/lib/ai/model-source.ts';
import { loadTransformersEmbedder, type TransformersDevice } from '../src/lib/ai/transformers-embedder.ts';
import { FIXTURE_MODELS_DIR, TINY_MODEL_REPO } from '../src/lib/testing/tiny-model.ts';
import { swiftShaderEnv } from '../scripts/swiftshader.js';
import type { Bench, BenchContext } from './report.ts';

const WORDS = (
	'the court said that the contract was signed by the parties and the witness gave evidence at the deposition ' +
	'plaintiff defendant damages breach motion order trial appeal counsel exhibit testimony clause notice payment ' +
	'liability license patent trademark infringement settlement statute section jury verdict hearing filed dated'
).split(' ');

/** Passage-like texts of 40–120 words, the same every run. */
export function syntheticPassages(count: number, seed = 7): string[] {
	let state = seed >>> 0;
	const next = () => {
		state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
		return state / 2 ** 32;
	};
	return Array.from({ length: count }, () => {
		const length = 40 + Math.floor(next() * 80);
		return Array.from({ length }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
	});
}

function flag(args: string[], name: string): string | undefined {
	const i = args.indexOf(name);
	return i >= 0 ? args[i + 1] : undefined;
}

function positive(value: string | undefined, fallback: number, name: string): number {
	if (value === undefined) return fallback;
	const n = Number(value);
	if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number.`);
	return n;
}

async function throughput(embedder: Embedder, texts: string[], batch: number): Promise<number> {
	await embedder.embed(texts.slice(0, batch)); // warm-up: first-call allocations and shader compilation
	const start = performance.now();
	await embedInBatches(embedder, texts, batch);
	return (texts.length * 1000) / (performance.now() - start);
}

export const embedBench: Bench = {
	name: 'embed',
	summary: 'chunks/s through the transformers.js embedding pipeline: WebGPU vs CPU (fixture model unless --model)',
	async run(context: BenchContext) {
		const { args } = context;
		const model = flag(args, '--model');
		const modelDir = flag(args, '--model-dir');
		const baseUrl = flag(args, '--base-url');
		const chunks = positive(flag(args, '--chunks'), 256, '--chunks');
		const batch = positive(flag(args, '--batch'), 16, '--batch');
		const repo = model ?? TINY_MODEL_REPO;
		const source: ModelSource = modelDir
			? { kind: 'local-dir', dir: modelDir }
			: baseUrl
				? { kind: 'base-url', url: baseUrl }
				: model
					? { kind: 'hub' }
					: { kind: 'local-dir', dir: FIXTURE_MODELS_DIR };
		const dtypeFlag = flag(args, '--dtype');
		const dtype =
			dtypeFlag === 'fp16' || dtypeFlag === 'q8' || dtypeFlag === 'fp32' ? dtypeFlag : model ? 'q8' : 'fp32';
		// Dawn inside onnxruntime-node finds SwiftShader's Vulkan driver on machines without a GPU.
		for (const [k, v] of Object.entries(swiftShaderEnv())) process.env[k] ??= v;

		const texts = syntheticPassages(chunks);
		context.log(`embed: ${repo} (${dtype}), ${chunks} passages of 40–120 words, batches of ${batch}`);
		const rates = new Map<TransformersDevice, number>();
		const wanted = (flag(args, '--backends') ?? 'cpu,webgpu').split(',');
		for (const device of (['cpu', 'webgpu'] as const).filter((d) => wanted.includes(d))) {
			let embedder: Embedder | undefined;
			try {
				embedder = await loadTransformersEmbedder({
					repo,
					source,
					devices: [device],
					dtype,
					pooling: model ? 'cls' : 'mean'
				});
				rates.set(device, await throughput(embedder, texts, batch));
				context.log(`  ${device}: ${rates.get(device)!.toFixed(1)} chunks/s (dim ${embedder.dim})`);
			} catch (error) {
				context.log(`  ${device}: could not run (${error instanceof Error ? error.message : String(error)})`);
			} finally {
				await embedder?.dispose();
			}
		}
		let cpuFirst: Float32Array | undefined;
		if (args.includes('--browser') && !model) {
			const node = await loadTransformersEmbedder({ repo, source, devices: ['cpu'], dtype });
			[cpuFirst] = await node.embed([texts[0]!]);
			await node.dispose();
		}
		const cpu = rates.get('cpu');
		const gpu = rates.get('webgpu');
		if (cpu === undefined) throw new Error('The CPU backend could not run the model; nothing to compare against.');
		context.report({
			figure: 'cpu chunks/s (onnxruntime-node)',
			value: cpu,
			unit: 'chunks/s',
			baseline: 'cpu chunks/s (onnxruntime-node)',
			baseline_value: cpu
		});
		if (gpu !== undefined)
			context.report({
				figure: 'webgpu chunks/s (onnxruntime-node WebGPU)',
				value: gpu,
				unit: 'chunks/s',
				baseline: 'cpu chunks/s (onnxruntime-node)',
				baseline_value: cpu
			});
		if (args.includes('--browser')) {
			if (model)
				throw new Error('--browser measures the fixture model only (the built worker loads it from /models/).');
			const { measureInChromium } = await import('./embed-browser.ts');
			const [wasm, webgpu] = await measureInChromium(texts, batch);
			for (const run of [wasm, webgpu]) {
				if (!run) continue;
				const diff = cpuFirst ? Math.max(...run.first.map((x, i) => Math.abs(x - cpuFirst[i]!))) : NaN;
				context.log(
					`  chromium ${run.device}: ${run.chunksPerSecond.toFixed(1)} chunks/s on ${run.backend}; max |Δ| vs Node CPU ${diff.toExponential(1)}`
				);
			}
			if (wasm && webgpu)
				context.report({
					figure: 'chromium webgpu chunks/s',
					value: webgpu.chunksPerSecond,
					unit: 'chunks/s',
					baseline: 'chromium wasm chunks/s',
					baseline_value: wasm.chunksPerSecond
				});
		}
	}
};
