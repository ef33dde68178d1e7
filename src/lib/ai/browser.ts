/**
 * The page's one connection to the AI engine. With Web Locks and BroadcastChannel (every current
 * browser), tabs share one engine (shared-engine.ts); without them this tab runs its own worker.
 */
import { AiClient } from './client.ts';
import type { AiReply, AiRequest } from './protocol.ts';
import { workerEndpoint } from './rpc.ts';
import { browserSharedEngine, type SharedEngine } from './shared-engine.ts';
import type { AppConfig } from '@mlc-ai/web-llm';

let connection: { client: AiClient; shared: SharedEngine | undefined } | undefined;

function spawnAiWorker(): Worker {
	return new Worker(new URL('./ai.worker.ts', import.meta.url), { type: 'module', name: 'docket-ai' });
}

export function aiConnection(): { client: AiClient; shared: SharedEngine | undefined } {
	if (connection) return connection;
	if (typeof navigator !== 'undefined' && 'locks' in navigator && typeof BroadcastChannel !== 'undefined') {
		const shared = browserSharedEngine(spawnAiWorker, (w) => workerEndpoint<AiRequest, AiReply>(w));
		connection = { client: new AiClient(shared.endpoint), shared };
	} else {
		const worker = spawnAiWorker();
		connection = { client: new AiClient(workerEndpoint<AiRequest, AiReply>(worker)), shared: undefined };
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
