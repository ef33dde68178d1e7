import { describe, expect, it } from 'vitest';
import type { ChunkRow } from '../db/schema.ts';
import { freshDatabase } from '../testing/db.ts';
import { ModelNeededError, WorkerCrashedError } from '../errors.ts';
import { connect, memoryChannel, serve, type Handlers } from '../worker/transport.ts';
import { searchProtocol, type SearchCalls } from './protocol.ts';
import { createSearchHandlers } from './search-handlers.ts';
import { HashingEmbedder } from './testing.ts';

/** A worker stand-in: the real handlers served over an in-memory channel (structured clones). */
function loopback(handlers: Handlers<SearchCalls>, timeoutMs?: number) {
	const channel = memoryChannel<SearchCalls>();
	serve(searchProtocol, channel.server, handlers);
	const protocol = timeoutMs === undefined ? searchProtocol : { ...searchProtocol, defaultTimeoutMs: timeoutMs };
	return { client: connect(protocol, channel.client), crash: () => channel.kill('it crashed') };
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
		const { client } = loopback(createSearchHandlers(db));
		const lexical = await client.call('search', { caseId: 'k', query: 'Causbey farm', k: 5, mode: 'lexical' });
		expect(lexical.suggestion).toBe('Causby farm');
		expect(lexical.results.map((r) => r.id)).toEqual(['c1']);
		const [query] = await embedder.embed(['tenant rent']);
		const semantic = await client.call('search', {
			caseId: 'k',
			query: 'tenant rent',
			k: 1,
			mode: 'semantic',
			vector: { modelId: embedder.modelId, values: query! }
		});
		expect(semantic.results.map((r) => r.id)).toEqual(['c0']);
		const error = await client
			.call('search', { caseId: 'k', query: 'x', k: 1, mode: 'hybrid' })
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(ModelNeededError);
		expect(error).toMatchObject({ name: 'ModelNeededError', code: 'invalid-input' });
		await db.delete();
	});

	it('rejects pending and later calls when the worker dies, and times out', async () => {
		const db = await freshDatabase();
		const never = { ...createSearchHandlers(db), search: () => new Promise<never>(() => {}) };
		const { client, crash } = loopback(never);
		const pending = client.call('search', { caseId: 'k', query: 'x', k: 1, mode: 'lexical' });
		crash();
		await expect(pending).rejects.toBeInstanceOf(WorkerCrashedError);
		await expect(client.call('search', { caseId: 'k', query: 'y', k: 1, mode: 'lexical' })).rejects.toBeInstanceOf(
			WorkerCrashedError
		);
		const slow = loopback(never, 20).client;
		await expect(slow.call('search', { caseId: 'k', query: 'x', k: 1, mode: 'lexical' })).rejects.toMatchObject({
			code: 'timeout'
		});
		await db.delete();
	});
});
