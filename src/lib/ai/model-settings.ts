/**
 * The model choices a person makes in Settings › Models, kept in Dexie `settings` so they survive reloads
 * and apply to every tab: chat model, embedding model, and the `Model base URL` (empty = public hub).
 */
import type { DocketDatabase } from '../db/database.ts';
import { findModel } from './model-registry.ts';
import { normaliseBaseUrl } from './model-source.ts';

export const MODEL_SETTING_KEYS = {
	chat: 'models.chat',
	embedding: 'models.embedding',
	baseUrl: 'models.baseUrl',
	downloadConsent: 'models.downloadConsent'
} as const;

export interface ModelSettings {
	chatModelId?: string;
	embeddingModelId?: string;
	/** As typed; empty or missing means the public hub. */
	baseUrl?: string;
	/**
	 * The person's answer to the one-time offer to download the default embedding model from the public
	 * hub; until it is 'accepted' (or a model is chosen, or a base URL set) nothing is fetched from a third party.
	 */
	downloadConsent?: 'accepted' | 'declined';
}

/**
 * Whether a model may be fetched without asking: the person chose one in Settings › Models, pointed
 * Docket at their own model server, or accepted the one-time offer. Otherwise documents wait, quietly.
 */
export function mayFetchModels(settings: ModelSettings): boolean {
	return (
		settings.embeddingModelId !== undefined || settings.baseUrl !== undefined || settings.downloadConsent === 'accepted'
	);
}

/** Remembers the answer to the one-time download offer. */
export async function answerDownloadOffer(db: DocketDatabase, answer: 'accepted' | 'declined'): Promise<void> {
	await db.settings.put({ key: MODEL_SETTING_KEYS.downloadConsent, value: answer });
}

function asString(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

export async function readModelSettings(db: DocketDatabase): Promise<ModelSettings> {
	const rows = await db.settings.bulkGet([
		MODEL_SETTING_KEYS.chat,
		MODEL_SETTING_KEYS.embedding,
		MODEL_SETTING_KEYS.baseUrl,
		MODEL_SETTING_KEYS.downloadConsent
	]);
	const out: ModelSettings = {};
	const [chat, embedding, baseUrl, consent] = rows.map((r) => asString(r?.value));
	if (consent === 'accepted' || consent === 'declined') out.downloadConsent = consent;
	// A model dropped from the registry by an update is forgotten rather than loaded and failing.
	if (chat !== undefined && findModel(chat)?.kind === 'chat') out.chatModelId = chat;
	if (embedding !== undefined && findModel(embedding)?.kind === 'embedding') out.embeddingModelId = embedding;
	if (baseUrl !== undefined) out.baseUrl = baseUrl;
	return out;
}

export async function chooseModel(db: DocketDatabase, kind: 'chat' | 'embedding', modelId: string): Promise<void> {
	const model = findModel(modelId);
	if (!model || model.kind !== kind) throw new Error(`${modelId} is not a ${kind} model.`);
	await db.settings.put({ key: MODEL_SETTING_KEYS[kind], value: modelId });
}

/** Saves the base URL after checking it (throws InvalidInputError with a next step); empty clears it. */
export async function saveBaseUrl(db: DocketDatabase, input: string, origin?: string): Promise<string> {
	if (input.trim() === '') {
		await db.settings.delete(MODEL_SETTING_KEYS.baseUrl);
		return '';
	}
	const url = normaliseBaseUrl(input, origin);
	await db.settings.put({ key: MODEL_SETTING_KEYS.baseUrl, value: url });
	return url;
}
