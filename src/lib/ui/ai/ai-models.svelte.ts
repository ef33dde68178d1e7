import { aiConnection } from '../../ai/browser.ts';
import { FALLBACK_EMBEDDING, findModel } from '../../ai/model-registry.ts';
import type { AiClient, AiStatus } from '../../ai/protocol.ts';
import { AiChatEngine, chatClient } from '../../rag/ai-chat-engine.ts';
import type { ChatEngine } from '../../rag/types.ts';

/** What a search query is prefixed with for this embedding model (Arctic Embed is trained with one). */
export function queryPrefixFor(modelId: string): string {
	return findModel(modelId)?.queryPrefix ?? (modelId === FALLBACK_EMBEDDING.id ? FALLBACK_EMBEDDING.queryPrefix : '');
}

/**
 * Which models the AI worker has ready, as the Chat and Search tabs need it: a ChatEngine when a chat
 * model is loaded, and query embeddings when an embedding model is. Follows the worker's status events,
 * so a model loaded in Settings (or by another tab) shows up here without a reload.
 */
export class AiModels {
	status = $state.raw<AiStatus | undefined>(undefined);
	readonly client: AiClient;
	#engine: { id: string; engine: ChatEngine } | undefined;

	constructor(client: AiClient) {
		this.client = client;
		client.onEvent((event) => {
			if (event.name === 'status') this.status = event.data;
		});
		void this.refresh();
	}

	async refresh(): Promise<void> {
		try {
			this.status = await this.client.call('status', {});
		} catch {
			this.status = { chat: { state: 'none' }, embedding: { state: 'none' } };
		}
	}

	get chatEngine(): ChatEngine | undefined {
		const chat = this.status?.chat;
		if (chat?.state !== 'ready') return undefined;
		if (this.#engine?.id !== chat.modelId)
			this.#engine = {
				id: chat.modelId,
				engine: new AiChatEngine(chatClient(this.client), chat.modelId, findModel(chat.modelId)?.contextWindow)
			};
		return this.#engine.engine;
	}

	/** The embedding model's id when it is ready (vectors of other ids never meet its queries). */
	get embeddingModelId(): string | undefined {
		const embedding = this.status?.embedding;
		return embedding?.state === 'ready' ? embedding.modelId : undefined;
	}

	async embedQuery(text: string): Promise<{ modelId: string; values: Float32Array }> {
		const modelId = this.embeddingModelId ?? '';
		const result = await this.client.call('embed', { texts: [`${queryPrefixFor(modelId)}${text}`] });
		const values = result.vectors[0];
		if (!values) throw new Error('The embedding model returned no vector.');
		return { modelId: result.modelId, values };
	}
}

let models: AiModels | undefined;

/** The page's one view of the AI worker's models. */
export function aiModels(): AiModels {
	models ??= new AiModels(aiConnection().client);
	return models;
}
