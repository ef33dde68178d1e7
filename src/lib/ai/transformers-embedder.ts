/**
 * The fallback embedder: transformers.js `feature-extraction` (mean pooling, normalised), on WebGPU first and
 * WASM after in a browser, on onnxruntime-node's CPU backend in Node. It runs where web-llm cannot, and it is
 * what tests and the CLI use with the fixture model.
 *
 * transformers.js keeps its settings in one global `env`: one embedder per worker, configured before load.
 */
import type { FeatureExtractionPipeline } from '@huggingface/transformers';
import { normalise, splitRows, type Embedder, type EmbeddingBackend } from './embedder.ts';
import { toModelError } from './model-errors.ts';
import { HUB_URL, type ModelSource } from './model-source.ts';
import { TransformersProgress, type LoadProgress, type TransformersProgressEvent } from './progress.ts';

export type TransformersDevice = 'webgpu' | 'wasm' | 'cpu';

export interface TransformersEmbedderOptions {
	/** Repository id in the hub layout, e.g. `Snowflake/snowflake-arctic-embed-s` or `docket/tiny-embed`. */
	repo: string;
	/** The id stored with vectors; defaults to `repo`. */
	modelId?: string;
	source: ModelSource;
	/** Tried in order; the first that loads wins. Default: WebGPU then WASM in a browser, CPU in Node. */
	devices?: readonly TransformersDevice[];
	dtype?: 'fp32' | 'fp16' | 'q8';
	/** How token vectors become one vector: the model card says which (default mean). */
	pooling?: 'mean' | 'cls';
	/** Where the app serves onnxruntime-web's wasm files (browser only). */
	wasmPaths?: { mjs: string; wasm: string };
	onProgress?: (progress: LoadProgress) => void;
	/** Node only: where downloaded model files are kept (default: transformers.js's own cache folder). */
	nodeCacheDir?: string;
}

export function isNode(): boolean {
	return (
		typeof process !== 'undefined' &&
		typeof process.versions?.node === 'string' &&
		typeof window === 'undefined' &&
		typeof WorkerGlobalScope === 'undefined'
	);
}

declare const WorkerGlobalScope: unknown;

export function defaultDevices(): TransformersDevice[] {
	if (isNode()) return ['cpu'];
	const hasWebGpu = typeof navigator !== 'undefined' && 'gpu' in navigator;
	return hasWebGpu ? ['webgpu', 'wasm'] : ['wasm'];
}

function isProgressEvent(value: unknown): value is TransformersProgressEvent {
	return typeof value === 'object' && value !== null && 'status' in value;
}

export async function loadTransformersEmbedder(options: TransformersEmbedderOptions): Promise<Embedder> {
	const { env, pipeline } = await import('@huggingface/transformers');
	const modelId = options.modelId ?? options.repo;
	let model = options.repo;
	switch (options.source.kind) {
		case 'local-dir': {
			// A path (not a hub id) is read as-is, so the hub layout's resolve/main/ is spelled out here.
			const dir = options.source.dir.endsWith('/') ? options.source.dir : `${options.source.dir}/`;
			model = `${dir}${options.repo}/resolve/main`;
			env.allowLocalModels = true;
			env.allowRemoteModels = false;
			env.useFSCache = false;
			break;
		}
		case 'base-url':
		case 'hub':
			env.allowLocalModels = false;
			env.allowRemoteModels = true;
			env.remoteHost = options.source.kind === 'hub' ? HUB_URL : options.source.url;
			env.remotePathTemplate = '{model}/resolve/{revision}/';
			// onnxruntime-node opens the model from a file, so Node needs the file-system cache.
			if (isNode() && options.nodeCacheDir !== undefined) env.cacheDir = options.nodeCacheDir;
			env.useFSCache = isNode();
			break;
	}
	const wasm = env.backends.onnx.wasm;
	if (options.wasmPaths && wasm) wasm.wasmPaths = { ...options.wasmPaths };

	const progress = new TransformersProgress(modelId);
	const errors: unknown[] = [];
	for (const device of options.devices ?? defaultDevices()) {
		try {
			const extractor = await pipeline('feature-extraction', model, {
				device,
				dtype: options.dtype ?? 'fp32',
				progress_callback: (info: unknown) => {
					if (!isProgressEvent(info)) return;
					const p = progress.update(info);
					if (p && options.onProgress) options.onProgress(p);
				}
			});
			return await TransformersEmbedder.create(extractor, modelId, device, options.pooling ?? 'mean');
		} catch (error) {
			errors.push(error);
		}
	}
	throw toModelError(errors.at(-1) ?? new Error('No device to run the model on.'), {
		modelName: modelId,
		online: typeof navigator === 'undefined' ? true : navigator.onLine
	});
}

class TransformersEmbedder implements Embedder {
	private constructor(
		private readonly extractor: FeatureExtractionPipeline,
		readonly modelId: string,
		readonly dim: number,
		readonly backend: EmbeddingBackend,
		private readonly pooling: 'mean' | 'cls'
	) {}

	static async create(
		extractor: FeatureExtractionPipeline,
		modelId: string,
		device: TransformersDevice,
		pooling: 'mean' | 'cls'
	): Promise<TransformersEmbedder> {
		// The width comes from running the model, not from config.json, so a mislabelled config cannot store
		// vectors of the wrong size.
		const probe = await extractor(['dimension probe'], { pooling, normalize: true });
		const dim = probe.dims.at(-1);
		if (dim === undefined || dim < 1) throw new Error('The embedding model returned no vector.');
		return new TransformersEmbedder(extractor, modelId, dim, device, pooling);
	}

	async embed(texts: readonly string[]): Promise<Float32Array[]> {
		if (texts.length === 0) return [];
		const output = await this.extractor([...texts], { pooling: this.pooling, normalize: true });
		const data = output.data;
		if (!(data instanceof Float32Array))
			throw new Error(`The embedding model returned ${output.type} values, not float32.`);
		// Normalised again in float32: the pipeline's result is unit length up to rounding, and search relies on it.
		return splitRows(data, texts.length, this.dim).map(normalise);
	}

	async dispose(): Promise<void> {
		await this.extractor.dispose();
	}
}
