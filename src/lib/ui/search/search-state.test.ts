import { describe, expect, it } from 'vitest';
import type { SearchResponse } from '../../search/hybrid.ts';
import { searchProtocol, type SearchCalls } from '../../search/protocol.ts';
import { connect, type CallMessage, type FromWorker, type ToWorker } from '../../worker/transport.ts';
import { PAGE_SIZE, SearchState, type QueryEmbedder, type SearchParams } from './search-state.svelte.ts';

/** A search worker stand-in that records each request and answers with what `answer` gives for it. */
function standIn(answer: (request: CallMessage<SearchCalls>) => SearchResponse) {
	const requests: CallMessage<SearchCalls>[] = [];
	let listener: ((message: FromWorker<SearchCalls, Record<never, never>>) => void) | undefined;
	const client = connect(searchProtocol, {
		postMessage(request: ToWorker<SearchCalls>) {
			if (request.type !== 'call') return;
			requests.push(request);
			queueMicrotask(() => listener?.({ type: 'result', id: request.id, name: 'search', result: answer(request) }));
		},
		listen(onMessage) {
			listener = onMessage;
			return () => (listener = undefined);
		}
	});
	return { client, requests };
}

/** Records each request and answers with no results. */
function recordingClient() {
	return standIn(() => ({ query: '', results: [] }));
}

describe('SearchState modes', () => {
	it('searches lexically, with no vector, while no embedding model is ready, whatever mode was chosen', async () => {
		const { client, requests } = recordingClient();
		const state = new SearchState({ client: () => client, db: () => undefined, caseId: () => 'c' });
		state.mode = 'semantic';
		expect(state.semanticAvailable).toBe(false);
		await state.submit('rent');
		const sent = requests[0]!;
		expect(sent.name === 'search' && sent.params.mode).toBe('lexical');
		expect(sent.name === 'search' && sent.params.vector).toBeUndefined();
		state.stop();
	});

	it('embeds the query and sends the vector, under its model id, in semantic and hybrid modes', async () => {
		const { client, requests } = recordingClient();
		const embedded: string[] = [];
		const embed: QueryEmbedder = (text) => {
			embedded.push(text);
			return Promise.resolve({ modelId: 'arctic', values: new Float32Array([1, 0]) });
		};
		const state = new SearchState({ client: () => client, db: () => undefined, caseId: () => 'c', embed: () => embed });
		for (const mode of ['hybrid', 'semantic', 'lexical'] as const) {
			state.mode = mode;
			await state.submit('rent');
		}
		const modes = requests.map((r) => (r.name === 'search' ? [r.params.mode, r.params.vector?.modelId] : []));
		expect(modes).toEqual([
			['hybrid', 'arctic'],
			['semantic', 'arctic'],
			['lexical', undefined]
		]);
		expect(embedded).toEqual(['rent', 'rent']);
		state.stop();
	});
});

/** A worker stand-in with `total` matching passages, answering the first `k` of them. */
function pagingClient(total: number) {
	return standIn((request) => {
		const k = request.params.k;
		const results = Array.from({ length: Math.min(k, total) }, (_, i) => ({
			id: `c${i}`,
			documentId: i % 2 ? 'odd' : 'even',
			page: 1,
			start: 0,
			end: 4,
			text: 'rent',
			score: 1,
			highlights: [[0, 4]] as [number, number][]
		}));
		return { query: 'rent', results, total, perDocument: { even: Math.ceil(total / 2), odd: total >> 1 } };
	});
}

describe('SearchState paging and the URL', () => {
	it('loads every result, a page at a time, with the total and per-document counts', async () => {
		const { client, requests } = pagingClient(120);
		const state = new SearchState({ client: () => client, db: () => undefined, caseId: () => 'c' });
		await state.submit('rent');
		expect(state.results.length).toBe(PAGE_SIZE);
		expect(state.total).toBe(120);
		expect(state.perDocument).toEqual({ even: 60, odd: 60 });
		expect(state.hasMore).toBe(true);
		await state.loadMore();
		await state.loadMore();
		expect(state.results.length).toBe(120);
		expect(state.hasMore).toBe(false);
		await state.loadMore();
		expect(requests.map((r) => (r.name === 'search' ? r.params.k : 0))).toEqual([50, 100, 150]);
		state.stop();
	});

	it('reports each search for the URL, and restores one from it without searching twice', async () => {
		const { client, requests } = pagingClient(3);
		const seen: [string, string, string, boolean][] = [];
		const state = new SearchState({
			client: () => client,
			db: () => undefined,
			caseId: () => 'c',
			onSearched: (p, committed) => seen.push([p.query, p.mode, p.documentId, committed])
		});
		await state.restore({ query: 'rent', mode: 'lexical', documentId: 'even' });
		expect(state.query).toBe('rent');
		expect(state.documentId).toBe('even');
		expect(requests.length).toBe(1);
		expect(requests[0]!.name === 'search' && requests[0]!.params.documentIds).toEqual(['even']);
		// The URL written after that search names the same one: nothing more happens.
		await state.restore({ query: 'rent', mode: 'lexical', documentId: 'even' });
		expect(requests.length).toBe(1);
		expect(seen).toEqual([]);
		await state.submit('lease');
		expect(seen).toEqual([['lease', 'lexical', 'even', true]]);
		// Back: the earlier URL again.
		await state.restore({ query: 'rent', mode: 'lexical', documentId: 'even' });
		expect(requests.length).toBe(3);
		expect(state.query).toBe('rent');
		state.stop();
	});

	it('restores message filters from the URL, and reports them with each search', async () => {
		const { client, requests } = pagingClient(3);
		const seen: SearchParams[] = [];
		const state = new SearchState({
			client: () => client,
			db: () => undefined,
			caseId: () => 'c',
			onSearched: (p) => seen.push(p)
		});
		const filters = {
			sender: 'Ann@Smith.example',
			recipient: '',
			after: '2024-03-01',
			before: '',
			hasAttachment: true
		};
		// A link with filters and no words still searches: the filters alone narrow to messages.
		await state.restore({ query: '', mode: 'lexical', documentId: '', filters });
		expect(state.filters).toEqual(filters);
		expect(requests.length).toBe(1);
		const params = requests[0]!.name === 'search' ? requests[0]!.params : undefined;
		expect(params?.filter).toMatchObject({
			from: ['ann@smith.example'],
			after: Date.UTC(2024, 2, 1),
			hasAttachment: true
		});
		await state.restore({ query: '', mode: 'lexical', documentId: '', filters: { ...filters } });
		expect(requests.length).toBe(1);
		await state.submit('lease');
		expect(seen.at(-1)?.filters).toEqual(filters);
		// Back to a URL without filters clears them.
		await state.restore({ query: 'lease', mode: 'lexical', documentId: '' });
		expect(state.filters.sender).toBe('');
		expect(requests.length).toBe(3);
		state.stop();
	});
});
