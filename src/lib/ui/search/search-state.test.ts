import { describe, expect, it } from 'vitest';
import { searchProtocol, type SearchCalls } from '../../search/protocol.ts';
import { connect, type CallMessage, type FromWorker, type ToWorker } from '../../worker/transport.ts';
import { SearchState, type QueryEmbedder } from './search-state.svelte.ts';

/** A search worker stand-in that records each request and answers with no results. */
function recordingClient() {
	const requests: CallMessage<SearchCalls>[] = [];
	let listener: ((message: FromWorker<SearchCalls, Record<never, never>>) => void) | undefined;
	const client = connect(searchProtocol, {
		postMessage(request: ToWorker<SearchCalls>) {
			if (request.type !== 'call') return;
			requests.push(request);
			queueMicrotask(() =>
				listener?.({ type: 'result', id: request.id, name: 'search', result: { query: '', results: [] } })
			);
		},
		listen(onMessage) {
			listener = onMessage;
			return () => (listener = undefined);
		}
	});
	return { client, requests };
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
