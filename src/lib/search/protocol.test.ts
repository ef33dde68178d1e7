import { describe, expect, it } from 'vitest';
import type { ChunkRow } from '../db/schema.ts';
import { freshDatabase } from '../testing/db.ts';
import {
	handleRequest,
	SearchClient,
	SearchWorkerCrashedError,
	type MessagePort,
	type SearchReply,
	type SearchRequest
} from './protocol.ts';
import { createSearchHandlers } from './search-handlers.ts';
import { HashingEmbedder } from './testing.ts';

/** A worker stand-in: the real handlers behind an in-process message port. */
function loopback(handlers: ReturnType<typeof createSearchHandlers>) {
	const listeners: { message: ((e: MessageEvent<SearchReply>) => void)[]; error: ((e: Event) => void)[] } = {
		message: [],
		error: []
	};
	const port: MessagePort & { crash(): void } = {
		postMessage(request: SearchRequest) {
			void handleRequest(handlers, request).then((reply) => {
				for (const l of listeners.message) l(new MessageEvent('message', { data: reply }));
			});
		},
		addEventListener(type: 'message' | 'error', listener: never) {
			listeners[type].push(listener);
		},
		crash() {
			for (const l of listeners.error) l(new Event('error'));
		}
	};
	return port;
}

describe('search worker protocol', () => {
	it('indexes documents, searches lexically and with a query vector, and returns errors as typed data', async () => {
		const db = await freshDatabase();
		const texts = ['The tenant pays rent monthly.', 'Airplanes flew over the Causby farm.'];
		const chunks: ChunkRow[] = texts.map((text, i) => ({
			id: `c${i}`,
			caseId: 'k',
			documentId: `d${i}`,
			ordinal: 0,
			page: 1,
			start: 0,
			end: text.length,
			text,
			rev: 0
		}));
		await db.chunks.bulkPut(chunks);
		const embedder = new HashingEmbedder(16);
		const vectors = await embedder.embed(texts);
		await db.vectors.bulkPut(
			chunks.map((c, i) => ({
				id: `${c.id}:${embedder.modelId}`,
				chunkId: c.id,
				caseId: 'k',
				documentId: c.documentId,
				modelId: embedder.modelId,
				dim: 16,
				vector: vectors[i]!
			}))
		);
		const client = new SearchClient(loopback(createSearchHandlers(db)));
		await client.documentIndexed({ caseId: 'k', documentId: 'd0' });
		await client.documentIndexed({ caseId: 'k', documentId: 'd1' });
		const lexical = await client.search({ caseId: 'k', query: 'Causbey farm', k: 5, mode: 'lexical' });
		expect(lexical.suggestion).toBe('Causby farm');
		expect(lexical.results.map((r) => r.id)).toEqual(['c1']);
		const [query] = await embedder.embed(['tenant rent']);
		const semantic = await client.search({
			caseId: 'k',
			query: 'tenant rent',
			k: 1,
			mode: 'semantic',
			vector: { modelId: embedder.modelId, values: query! }
		});
		expect(semantic.results.map((r) => r.id)).toEqual(['c0']);
		await expect(client.search({ caseId: 'k', query: 'x', k: 1, mode: 'hybrid' })).rejects.toMatchObject({
			name: 'ModelNeededError',
			code: 'invalid-input'
		});
		await client.documentRemoved({ caseId: 'k', documentId: 'd1' });
		expect((await client.search({ caseId: 'k', query: 'farm', k: 5, mode: 'lexical' })).results).toEqual([]);
		await db.delete();
	});

	it('rejects pending and later calls when the worker dies, and times out', async () => {
		const db = await freshDatabase();
		const never = { ...createSearchHandlers(db), search: () => new Promise<never>(() => {}) };
		const port = loopback(never);
		const client = new SearchClient(port);
		const pending = client.search({ caseId: 'k', query: 'x', k: 1, mode: 'lexical' });
		port.crash();
		await expect(pending).rejects.toBeInstanceOf(SearchWorkerCrashedError);
		await expect(client.forgetCase({ caseId: 'k' })).rejects.toBeInstanceOf(SearchWorkerCrashedError);
		const slow = new SearchClient(loopback(never), { timeoutMs: 20 });
		await expect(slow.search({ caseId: 'k', query: 'x', k: 1, mode: 'lexical' })).rejects.toMatchObject({
			code: 'timeout'
		});
		await db.delete();
	});
});
