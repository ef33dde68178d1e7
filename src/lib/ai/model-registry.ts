/**
 * The models Docket offers, smallest first. Each entry names a web-llm 0.2.86 prebuilt (model folder and
 * compiled library) and what it needs from the machine, so Settings can say which ones this machine can run
 * and the app can pick a default from the GPU adapter alone.
 *
 * VRAM figures are web-llm's own (`vram_required_MB` in its prebuiltAppConfig for 0.2.86). Download sizes are
 * estimates from parameter count and quantisation (real totals arrive with the first progress report); the UI
 * shows them with "about".
 */

export type ModelKind = 'chat' | 'embedding';
/** How fast answers come on a mid-range laptop GPU: a hint for choosing, not a measurement. */
export type SpeedClass = 'fastest' | 'fast' | 'moderate' | 'slow';

export interface ModelEntry {
	/** web-llm's model_id; also the id vectors and messages are stored under. */
	id: string;
	kind: ModelKind;
	/** What a person reads. */
	label: string;
	/** Repository in the hub layout (`{base}{repo}/resolve/main/`). */
	repo: string;
	/** Compiled model library file for web-llm 0.2.86. */
	lib: string;
	/** Approximate bytes downloaded once. */
	downloadBytes: number;
	/** GPU memory while loaded, in MB (web-llm's figure). */
	vramMB: number;
	/** WebGPU features the model needs (`shader-f16` for f16 weights). */
	requiredFeatures: readonly string[];
	precision: 'f16' | 'f32';
	/** Runs within WebGPU's default 128 MiB storage-buffer binding (web-llm's low_resource_required). */
	lowResource: boolean;
	speed: SpeedClass;
	/** Chat: tokens of context. Embedding: texts per GPU batch. */
	contextWindow?: number;
	batchSize?: number;
	/** Embedding: what a search query is prefixed with (Arctic Embed is trained with one; passages get none). */
	queryPrefix?: string;
}

const MB = 1024 * 1024;
export const ARCTIC_QUERY_PREFIX = 'Represent this sentence for searching relevant passages: ';

function chat(
	id: string,
	label: string,
	repo: string,
	lib: string,
	downloadMB: number,
	vramMB: number,
	precision: 'f16' | 'f32',
	speed: SpeedClass
): ModelEntry {
	return {
		id,
		kind: 'chat',
		label,
		repo,
		lib,
		downloadBytes: downloadMB * MB,
		vramMB,
		requiredFeatures: precision === 'f16' ? ['shader-f16'] : [],
		precision,
		lowResource: true,
		speed,
		contextWindow: 4096
	};
}

function embedding(
	id: string,
	label: string,
	repo: string,
	lib: string,
	downloadMB: number,
	vramMB: number,
	batchSize: number
): ModelEntry {
	return {
		id,
		kind: 'embedding',
		label,
		repo,
		lib,
		downloadBytes: downloadMB * MB,
		vramMB,
		requiredFeatures: [],
		precision: 'f32',
		lowResource: true,
		speed: batchSize >= 32 ? 'fast' : 'moderate',
		batchSize,
		queryPrefix: ARCTIC_QUERY_PREFIX
	};
}

export const MODELS: readonly ModelEntry[] = [
	chat(
		'SmolLM2-360M-Instruct-q4f16_1-MLC',
		'SmolLM2 360M',
		'mlc-ai/SmolLM2-360M-Instruct-q4f16_1-MLC',
		'SmolLM2-360M-Instruct-q4f16_1_cs1k-webgpu.wasm',
		270,
		376.06,
		'f16',
		'fastest'
	),
	chat(
		'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
		'Qwen2.5 0.5B',
		'mlc-ai/Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
		'Qwen2-0.5B-Instruct-q4f16_1_cs1k-webgpu.wasm',
		280,
		944.62,
		'f16',
		'fast'
	),
	chat(
		'SmolLM2-360M-Instruct-q4f32_1-MLC',
		'SmolLM2 360M (f32)',
		'mlc-ai/SmolLM2-360M-Instruct-q4f32_1-MLC',
		'SmolLM2-360M-Instruct-q4f32_1_cs1k-webgpu.wasm',
		290,
		579.61,
		'f32',
		'fastest'
	),
	chat(
		'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
		'Qwen2.5 0.5B (f32)',
		'mlc-ai/Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
		'Qwen2-0.5B-Instruct-q4f32_1_cs1k-webgpu.wasm',
		300,
		1060.2,
		'f32',
		'fast'
	),
	chat(
		'Llama-3.2-1B-Instruct-q4f16_1-MLC',
		'Llama 3.2 1B',
		'mlc-ai/Llama-3.2-1B-Instruct-q4f16_1-MLC',
		'Llama-3.2-1B-Instruct-q4f16_1_cs1k-webgpu.wasm',
		700,
		879.04,
		'f16',
		'moderate'
	),
	chat(
		'Llama-3.2-1B-Instruct-q4f32_1-MLC',
		'Llama 3.2 1B (f32)',
		'mlc-ai/Llama-3.2-1B-Instruct-q4f32_1-MLC',
		'Llama-3.2-1B-Instruct-q4f32_1_cs1k-webgpu.wasm',
		720,
		1128.82,
		'f32',
		'moderate'
	),
	chat(
		'Llama-3.2-3B-Instruct-q4f16_1-MLC',
		'Llama 3.2 3B',
		'mlc-ai/Llama-3.2-3B-Instruct-q4f16_1-MLC',
		'Llama-3.2-3B-Instruct-q4f16_1_cs1k-webgpu.wasm',
		1800,
		2263.69,
		'f16',
		'slow'
	),
	chat(
		'Llama-3.2-3B-Instruct-q4f32_1-MLC',
		'Llama 3.2 3B (f32)',
		'mlc-ai/Llama-3.2-3B-Instruct-q4f32_1-MLC',
		'Llama-3.2-3B-Instruct-q4f32_1_cs1k-webgpu.wasm',
		1850,
		2951.51,
		'f32',
		'slow'
	),
	embedding(
		'snowflake-arctic-embed-s-q0f32-MLC-b4',
		'Arctic Embed S (batch 4)',
		'mlc-ai/snowflake-arctic-embed-s-q0f32-MLC',
		'snowflake-arctic-embed-s-q0f32-ctx512_cs512_batch4-webgpu.wasm',
		130,
		238.71,
		4
	),
	embedding(
		'snowflake-arctic-embed-s-q0f32-MLC-b32',
		'Arctic Embed S (batch 32)',
		'mlc-ai/snowflake-arctic-embed-s-q0f32-MLC',
		'snowflake-arctic-embed-s-q0f32-ctx512_cs512_batch32-webgpu.wasm',
		130,
		1022.82,
		32
	),
	embedding(
		'snowflake-arctic-embed-m-q0f32-MLC-b4',
		'Arctic Embed M (batch 4)',
		'mlc-ai/snowflake-arctic-embed-m-q0f32-MLC',
		'snowflake-arctic-embed-m-q0f32-ctx512_cs512_batch4-webgpu.wasm',
		440,
		539.4,
		4
	),
	embedding(
		'snowflake-arctic-embed-m-q0f32-MLC-b32',
		'Arctic Embed M (batch 32)',
		'mlc-ai/snowflake-arctic-embed-m-q0f32-MLC',
		'snowflake-arctic-embed-m-q0f32-ctx512_cs512_batch32-webgpu.wasm',
		440,
		1407.51,
		32
	)
];

/**
 * The transformers.js fallback embedder (ONNX export of the same model family), used where web-llm cannot
 * run. Its vectors are stored under its own id: they never mix with web-llm's.
 */
export const FALLBACK_EMBEDDING = {
	id: 'Snowflake/snowflake-arctic-embed-s',
	repo: 'Snowflake/snowflake-arctic-embed-s',
	label: 'Arctic Embed S (WebGPU/WASM fallback)',
	dtype: 'q8',
	// Arctic Embed is trained with the [CLS] vector, not the mean.
	pooling: 'cls',
	queryPrefix: ARCTIC_QUERY_PREFIX
} as const;

export function findModel(id: string): ModelEntry | undefined {
	return MODELS.find((m) => m.id === id);
}

/** What the chooser needs to know about this machine. */
export interface MachineProfile {
	/** False when there is no usable WebGPU adapter. */
	webgpu: boolean;
	features: readonly string[];
	/** Adapter limits (bytes); WebGPU's defaults are 128 MiB binding / 256 MiB buffer. */
	maxStorageBufferBindingSize: number;
	maxBufferSize: number;
	/** navigator.deviceMemory (GB, capped at 8 by browsers), when known. */
	deviceMemoryGB?: number;
	/** Software adapters (SwiftShader) run everything, slowly. */
	isFallbackAdapter: boolean;
}

export type Fit = { ok: true } | { ok: false; reason: string };

const GiB = 1024 * MB;

/** GPU memory budget in MB: browsers hide VRAM, so system memory stands in (half of it, for the rest of the machine). */
export function memoryBudgetMB(profile: MachineProfile): number {
	const gb = profile.deviceMemoryGB ?? 4;
	return (gb * 1024) / 2;
}

export function canRun(model: ModelEntry, profile: MachineProfile): Fit {
	if (!profile.webgpu) return { ok: false, reason: 'needs WebGPU, which this browser does not offer' };
	const missing = model.requiredFeatures.filter((f) => !profile.features.includes(f));
	if (missing.length > 0)
		return { ok: false, reason: `needs ${missing.join(', ')}, which this GPU does not offer: use the f32 variant` };
	if (!model.lowResource && profile.maxStorageBufferBindingSize < GiB)
		return { ok: false, reason: 'needs larger GPU buffers than this adapter allows' };
	if (model.vramMB > memoryBudgetMB(profile))
		return {
			ok: false,
			reason: `needs about ${Math.ceil(model.vramMB)} MB of GPU memory, more than this machine can spare`
		};
	return { ok: true };
}

/** The models this machine can run, smallest first, each with why not when it cannot. */
export function modelsFor(profile: MachineProfile, kind?: ModelKind): { model: ModelEntry; fit: Fit }[] {
	return MODELS.filter((m) => kind === undefined || m.kind === kind).map((model) => ({
		model,
		fit: canRun(model, profile)
	}));
}

/**
 * The default choice for this machine: f32 builds when `shader-f16` is missing; a small model when memory
 * or limits are small or the adapter is software; the 3B model is never a default (opt in).
 * `embedding: undefined` means web-llm cannot run here and the transformers.js fallback embeds.
 */
export function chooseDefaults(profile: MachineProfile): {
	chat: ModelEntry | undefined;
	embedding: ModelEntry | undefined;
} {
	const precision = profile.features.includes('shader-f16') ? 'f16' : 'f32';
	const budget = memoryBudgetMB(profile);
	const small = profile.isFallbackAdapter || profile.maxStorageBufferBindingSize < GiB || budget < 1536;
	const chatOrder = small
		? ['SmolLM2-360M-Instruct', 'Qwen2.5-0.5B-Instruct']
		: budget >= 3072
			? ['Llama-3.2-1B-Instruct', 'Qwen2.5-0.5B-Instruct', 'SmolLM2-360M-Instruct']
			: ['Qwen2.5-0.5B-Instruct', 'SmolLM2-360M-Instruct'];
	const runnable = (m: ModelEntry) => canRun(m, profile).ok;
	let chatModel: ModelEntry | undefined;
	for (const family of chatOrder) {
		chatModel = MODELS.find(
			(m) => m.kind === 'chat' && m.id.startsWith(family) && m.precision === precision && runnable(m)
		);
		if (chatModel) break;
	}
	const embeddingOrder = small
		? ['snowflake-arctic-embed-s-q0f32-MLC-b4']
		: ['snowflake-arctic-embed-s-q0f32-MLC-b32', 'snowflake-arctic-embed-s-q0f32-MLC-b4'];
	const embeddingModel = embeddingOrder.map(findModel).find((m): m is ModelEntry => m !== undefined && runnable(m));
	return { chat: chatModel, embedding: embeddingModel };
}

/** A profile from the app's GPU report (src/lib/gpu/capability.ts) and navigator.deviceMemory. */
export function profileFromReport(
	report:
		| { available: true; features: string[]; limits: Record<string, number>; isFallbackAdapter: boolean }
		| { available: false },
	deviceMemoryGB?: number
): MachineProfile {
	const base: MachineProfile = report.available
		? {
				webgpu: true,
				features: report.features,
				maxStorageBufferBindingSize: report.limits['maxStorageBufferBindingSize'] ?? 128 * MB,
				maxBufferSize: report.limits['maxBufferSize'] ?? 256 * MB,
				isFallbackAdapter: report.isFallbackAdapter
			}
		: { webgpu: false, features: [], maxStorageBufferBindingSize: 0, maxBufferSize: 0, isFallbackAdapter: false };
	return deviceMemoryGB === undefined ? base : { ...base, deviceMemoryGB };
}
