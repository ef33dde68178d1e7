import type { DocketDatabase } from '../../db/database.ts';
import { toDocketError, type DocketError } from '../../errors.ts';
import type { GpuReport } from '../../gpu/capability.ts';
import { aiConnection, cachedModelIds, deleteCachedModel } from '../../ai/browser.ts';
import { MODELS, chooseDefaults, modelsFor, type Fit, type ModelEntry } from '../../ai/model-registry.ts';
import { machineProfile } from '../embeddings.svelte.ts';
import { chooseModel, readModelSettings, saveBaseUrl, type ModelSettings } from '../../ai/model-settings.ts';
import { sourceFromSetting } from '../../ai/model-source.ts';
import type { LoadProgress } from '../../ai/progress.ts';
import type { LoadParams } from '../../ai/protocol.ts';
import { buildAppConfig } from '../../ai/web-llm-config.ts';
import { storageUsage } from './storage-usage.svelte.ts';

export interface ModelRow {
	model: ModelEntry;
	fit: Fit;
	cached: boolean | undefined;
	chosen: boolean;
	recommended: boolean;
}

/** Settings › Models state: which models fit, which are downloaded, downloads in progress, the base URL. */
export class ModelsState {
	settings = $state.raw<ModelSettings>({});
	cached = $state.raw<Set<string> | undefined>(undefined);
	progress = $state.raw<LoadProgress | undefined>(undefined);
	busy = $state<string | undefined>(undefined);
	error = $state.raw<DocketError | undefined>(undefined);

	constructor(
		private readonly db: DocketDatabase,
		private readonly gpu: () => GpuReport | undefined
	) {}

	/** Reads the app's reactive GPU report, so rows follow it when detection finishes. */
	get profile() {
		return machineProfile(this.gpu());
	}

	get defaults() {
		return chooseDefaults(this.profile);
	}

	rows(kind: 'chat' | 'embedding'): ModelRow[] {
		const chosenId = kind === 'chat' ? this.settings.chatModelId : this.settings.embeddingModelId;
		const recommended = kind === 'chat' ? this.defaults.chat?.id : this.defaults.embedding?.id;
		return modelsFor(this.profile, kind).map(({ model, fit }) => ({
			model,
			fit,
			cached: this.cached === undefined ? undefined : this.cached.has(model.id),
			// A model is in use only once it is here: a chosen model whose download failed is not.
			chosen: model.id === chosenId && this.cached?.has(model.id) === true,
			recommended: model.id === recommended
		}));
	}

	private appConfig() {
		return buildAppConfig(sourceFromSetting(this.settings.baseUrl, location.origin));
	}

	async refresh(): Promise<void> {
		try {
			this.settings = await readModelSettings(this.db);
			this.cached = await cachedModelIds(
				MODELS.map((m) => m.id),
				this.appConfig()
			);
			// Settings › Storage shows the same figure: one reading for both.
			await storageUsage().refresh();
		} catch (error) {
			this.error = toDocketError(error);
		}
	}

	/** Chooses the model and downloads it into the shared engine, reporting bytes and percent. */
	async download(model: ModelEntry): Promise<void> {
		this.busy = model.id;
		this.error = undefined;
		this.progress = undefined;
		try {
			await chooseModel(this.db, model.kind, model.id);
			this.settings = await readModelSettings(this.db);
			const { client } = aiConnection();
			// A load sets the whole engine: keep the other kind's model if one is running.
			const status = await client.call('status', {});
			const params: LoadParams = {
				baseUrl: this.settings.baseUrl ? sourceUrl(this.settings.baseUrl) : '',
				fallbackEmbedding: true
			};
			if (model.kind === 'chat') params.chatModelId = model.id;
			else if (status.chat.state === 'ready') params.chatModelId = status.chat.modelId;
			if (model.kind === 'embedding') params.embedding = { engine: 'web-llm', modelId: model.id };
			else if (status.embedding.state === 'ready' && status.embedding.backend === 'web-llm')
				params.embedding = { engine: 'web-llm', modelId: status.embedding.modelId };
			await client.call('load', params, { onProgress: (p) => (this.progress = p) });
		} catch (error) {
			this.error = toDocketError(error);
		} finally {
			this.busy = undefined;
			this.progress = undefined;
			await this.refresh();
		}
	}

	async remove(model: ModelEntry): Promise<void> {
		this.busy = model.id;
		this.error = undefined;
		try {
			await deleteCachedModel(model.id, this.appConfig());
		} catch (error) {
			this.error = toDocketError(error);
		} finally {
			this.busy = undefined;
			await this.refresh();
		}
	}

	async setBaseUrl(input: string): Promise<boolean> {
		this.error = undefined;
		try {
			await saveBaseUrl(this.db, input, location.origin);
			await this.refresh();
			return true;
		} catch (error) {
			this.error = toDocketError(error);
			return false;
		}
	}

	/** One sentence while offline: what works without a connection, else undefined. */
	offlineMessage(online: boolean): string | undefined {
		if (online || this.cached === undefined) return undefined;
		if (this.cached.size === 0)
			return 'You are offline and no model has been downloaded on this device yet, so chat and meaning-based search wait for a connection; everything else works.';
		return 'You are offline: the models marked Downloaded work as usual, and the others can be downloaded once you are back online.';
	}
}

function sourceUrl(baseUrl: string): string {
	const source = sourceFromSetting(baseUrl, location.origin);
	return source.kind === 'base-url' ? source.url : '';
}
