import { deserializeError, DocketError, serializeError, type SerializedError } from '../errors.ts';
import type { SearchMode, SearchResponse } from './hybrid.ts';

/**
 * The search worker's protocol: every request name with its params and result. The page and the
 * worker both import this file, so a call is type-checked like a function call.
 */
export interface SearchRequests {
	search: {
		params: {
			caseId: string;
			query: string;
			k: number;
			mode: SearchMode;
			documentIds?: string[];
			/** The query's embedding, made by the AI worker; required for semantic and hybrid modes. */
			vector?: { modelId: string; values: Float32Array };
		};
		result: SearchResponse;
	};
	/** A document's chunks were stored: add them to the case's full-text index. */
	documentIndexed: { params: { caseId: string; documentId: string }; result: null };
	/** A document is about to be deleted: take it out (its chunks must still exist). */
	documentRemoved: { params: { caseId: string; documentId: string }; result: null };
	/** Vectors of these chunks were stored: add them to warm vector indexes. */
	vectorsStored: { params: { caseId: string; modelId: string; chunkIds: string[] }; result: null };
	/** Drop everything held for a case (deleted case). */
	forgetCase: { params: { caseId: string }; result: null };
}

export type SearchRequestName = keyof SearchRequests;

export type SearchRequest = {
	[N in SearchRequestName]: { id: string; name: N; params: SearchRequests[N]['params'] };
}[SearchRequestName];

export type SearchReply =
	| {
			[N in SearchRequestName]: { id: string; name: N; ok: true; result: SearchRequests[N]['result'] };
	  }[SearchRequestName]
	| { id: string; ok: false; error: SerializedError };

export interface MessagePort {
	postMessage(message: SearchRequest): void;
	addEventListener(type: 'message', listener: (event: MessageEvent<SearchReply>) => void): void;
	addEventListener(type: 'error', listener: (event: Event) => void): void;
}

export class SearchWorkerCrashedError extends DocketError {
	override name = 'SearchWorkerCrashedError';
	constructor() {
		super('worker-crashed', 'The search worker stopped.', { action: 'Reload the page to start it again.' });
	}
}

interface Pending {
	resolve: (reply: SearchReply) => void;
	reject: (error: DocketError) => void;
	timer: ReturnType<typeof setTimeout>;
}

/** A typed client with UUID request ids and a timeout; the worker dying rejects every pending call. */
export class SearchClient {
	readonly #port: MessagePort;
	readonly #pending = new Map<string, Pending>();
	readonly #timeoutMs: number;
	#dead = false;

	constructor(port: MessagePort, options: { timeoutMs?: number } = {}) {
		this.#port = port;
		this.#timeoutMs = options.timeoutMs ?? 60_000;
		port.addEventListener('message', (event) => {
			const pending = this.#pending.get(event.data.id);
			if (!pending) return;
			this.#pending.delete(event.data.id);
			clearTimeout(pending.timer);
			pending.resolve(event.data);
		});
		port.addEventListener('error', () => this.#fail(new SearchWorkerCrashedError()));
	}

	#fail(error: DocketError): void {
		this.#dead = true;
		for (const [id, pending] of this.#pending) {
			clearTimeout(pending.timer);
			pending.reject(error);
			this.#pending.delete(id);
		}
	}

	/** Sends one request; resolves with the worker's reply (rejects on timeout or a dead worker). */
	#send(request: SearchRequest): Promise<SearchReply & { ok: true }> {
		if (this.#dead) return Promise.reject(new SearchWorkerCrashedError());
		return new Promise<SearchReply>((resolve, reject) => {
			const timer = setTimeout(() => {
				this.#pending.delete(request.id);
				reject(new DocketError('timeout', 'Search took too long.', { action: 'Try a shorter query, or try again.' }));
			}, this.#timeoutMs);
			this.#pending.set(request.id, { resolve, reject, timer });
			this.#port.postMessage(request);
		}).then((reply) => {
			if (!reply.ok) throw deserializeError(reply.error);
			if (reply.name !== request.name)
				throw new DocketError('internal', `The search worker answered ${reply.name} to ${request.name}.`);
			return reply;
		});
	}

	// One typed method per request: TypeScript narrows each reply by its name, so no cast is needed.
	async search(params: SearchRequests['search']['params']): Promise<SearchResponse> {
		const reply = await this.#send({ id: crypto.randomUUID(), name: 'search', params });
		if (reply.name !== 'search') throw new DocketError('internal', 'Unexpected reply.');
		return reply.result;
	}

	async documentIndexed(params: SearchRequests['documentIndexed']['params']): Promise<void> {
		await this.#send({ id: crypto.randomUUID(), name: 'documentIndexed', params });
	}

	async documentRemoved(params: SearchRequests['documentRemoved']['params']): Promise<void> {
		await this.#send({ id: crypto.randomUUID(), name: 'documentRemoved', params });
	}

	async vectorsStored(params: SearchRequests['vectorsStored']['params']): Promise<void> {
		await this.#send({ id: crypto.randomUUID(), name: 'vectorsStored', params });
	}

	async forgetCase(params: SearchRequests['forgetCase']['params']): Promise<void> {
		await this.#send({ id: crypto.randomUUID(), name: 'forgetCase', params });
	}
}

/** The worker side: routes each request to its handler and posts back `ok` or the error as data. */
export type SearchHandlers = {
	[N in SearchRequestName]: (params: SearchRequests[N]['params']) => Promise<SearchRequests[N]['result']>;
};

export async function handleRequest(handlers: SearchHandlers, request: SearchRequest): Promise<SearchReply> {
	try {
		switch (request.name) {
			case 'search':
				return { id: request.id, name: request.name, ok: true, result: await handlers.search(request.params) };
			case 'documentIndexed':
				return { id: request.id, name: request.name, ok: true, result: await handlers.documentIndexed(request.params) };
			case 'documentRemoved':
				return { id: request.id, name: request.name, ok: true, result: await handlers.documentRemoved(request.params) };
			case 'vectorsStored':
				return { id: request.id, name: request.name, ok: true, result: await handlers.vectorsStored(request.params) };
			case 'forgetCase':
				return { id: request.id, name: request.name, ok: true, result: await handlers.forgetCase(request.params) };
		}
	} catch (error) {
		return { id: request.id, ok: false, error: serializeError(error) };
	}
}
