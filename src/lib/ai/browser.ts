/**
 * The page's one connection to the AI engine. With Web Locks and BroadcastChannel (every current
 * browser), tabs share one engine (shared-engine.ts); without them this tab runs its own worker.
 */
import type { AppConfig } from '@mlc-ai/web-llm';
import { connect, workerEndpoint } from '../worker/transport.ts';
import { spawnAiWorker } from './ai-worker.browser.ts';
import { aiProtocol, type AiCalls, type AiClient, type AiEvents } from './protocol.ts';
import { browserSharedEngine, type SharedEngine } from './shared-engine.ts';

let connection: { client: AiClient; shared: SharedEngine | undefined } | undefined;

export function aiConnection(): { client: AiClient; shared: SharedEngine | undefined } {
	if (connection) return connection;
	if (typeof navigator !== 'undefined' && 'locks' in navigator && typeof BroadcastChannel !== 'undefined') {
		const shared = browserSharedEngine(spawnAiWorker);
		connection = { client: connect(aiProtocol, shared.endpoint), shared };
	} else {
		connection = {
			client: connect(aiProtocol, () => workerEndpoint<AiCalls, AiEvents>(spawnAiWorker())),
			shared: undefined
		};
	}
	return connection;
}

/** What web-llm has in this browser's cache, by model id (main thread: no GPU needed). */
export async function cachedModelIds(ids: readonly string[], appConfig: AppConfig): Promise<Set<string>> {
	const { hasModelInCache } = await import('@mlc-ai/web-llm');
	const found = await Promise.all(ids.map((id) => hasModelInCache(id, appConfig).catch(() => false)));
	return new Set(ids.filter((_, i) => found[i]));
}

export async function deleteCachedModel(id: string, appConfig: AppConfig): Promise<void> {
	const { deleteModelAllInfoInCache } = await import('@mlc-ai/web-llm');
	await deleteModelAllInfoInCache(id, appConfig);
}
