/**
 * web-llm's AppConfig for Docket's registry: absolute URLs (web-llm resolves nothing against the page) for
 * the public hub or a team's `Model base URL`, and the cache backend. hasModelInCache and
 * deleteModelAllInfoInCache must get the same appConfig the engine loads with, or they look in the wrong place.
 */
import type { AppConfig, ModelRecord } from '@mlc-ai/web-llm';

export type CacheBackend = NonNullable<AppConfig['cacheBackend']>;
import { MODELS, type ModelEntry } from './model-registry.ts';
import { modelFolder, modelLibUrl, type ModelSource } from './model-source.ts';

export const DEFAULT_CACHE_BACKEND: CacheBackend = 'cache';

/** web-llm's ModelType: 0 LLM, 1 embedding (a const enum in its typings). */
const MODEL_TYPE_EMBEDDING = 1;

export function modelRecord(model: ModelEntry, source: ModelSource): ModelRecord {
	const record: ModelRecord = {
		// Already ends in resolve/main/, so web-llm's cleanModelUrl leaves it alone.
		model: modelFolder(source, model.repo),
		model_id: model.id,
		model_lib: modelLibUrl(source, model.lib),
		vram_required_MB: model.vramMB,
		low_resource_required: model.lowResource
	};
	if (model.requiredFeatures.length > 0) record.required_features = [...model.requiredFeatures];
	if (model.kind === 'embedding') record.model_type = MODEL_TYPE_EMBEDDING;
	if (model.contextWindow !== undefined) record.overrides = { context_window_size: model.contextWindow };
	return record;
}

export function buildAppConfig(
	source: ModelSource,
	cacheBackend: CacheBackend = DEFAULT_CACHE_BACKEND,
	models: readonly ModelEntry[] = MODELS
): AppConfig {
	if (source.kind === 'local-dir') throw new Error('web-llm loads models over http(s) only.');
	return { model_list: models.map((m) => modelRecord(m, source)), cacheBackend };
}
