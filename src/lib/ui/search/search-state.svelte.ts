import { createActor, fromPromise, type Actor } from 'xstate';
import { createTypingMachine } from '../../activity/typing.machine.ts';
import { activitySummary, logActivity } from '../../activity/log.ts';
import type { DocketDatabase } from '../../db/database.ts';
import { toDocketError } from '../../errors.ts';
import type { Passage, SearchMode, SearchResponse } from '../../search/hybrid.ts';
import type { SearchCalls, SearchClient } from '../../search/protocol.ts';

export type QueryEmbedder = (text: string) => Promise<{ modelId: string; values: Float32Array }>;

/**
 * The Search tab's state: what is typed, the results, "did you mean". Searching happens when the person
 * pauses typing (the typing/idle machine) or presses Enter; a newer search supersedes an older one.
 */
export class SearchState {
	query = $state('');
	documentId = $state('');
	results = $state.raw<Passage[]>([]);
	suggestion = $state<string | undefined>(undefined);
	searched = $state<string | undefined>(undefined);
	searching = $state(false);
	error = $state<string | undefined>(undefined);
	/** The mode the person chose; semantic and hybrid apply only while an embedding model is ready. */
	mode = $state<SearchMode>('hybrid');

	readonly #client: () => SearchClient;
	readonly #db: () => DocketDatabase | undefined;
	readonly #caseId: () => string;
	readonly #embed: () => QueryEmbedder | undefined;
	readonly #typing: Actor<ReturnType<typeof createTypingMachine<Passage>>>;
	#generation = 0;

	constructor(options: {
		client: () => SearchClient;
		db: () => DocketDatabase | undefined;
		caseId: () => string;
		embed?: () => QueryEmbedder | undefined;
	}) {
		this.#client = options.client;
		this.#embed = options.embed ?? (() => undefined);
		this.#db = options.db;
		this.#caseId = options.caseId;
		const machine = createTypingMachine<Passage>().provide({
			actors: {
				related: fromPromise<Passage[], { text: string }>(
					async ({ input }) => (await this.#run(input.text, false)).results
				)
			}
		});
		this.#typing = createActor(machine);
		this.#typing.start();
	}

	/** Called on every keystroke in the search box. */
	input(text: string): void {
		this.query = text;
		this.#typing.send({ type: 'INPUT', text });
	}

	/** Enter, "Did you mean", or the document filter: search now. */
	async submit(text = this.query): Promise<void> {
		this.query = text;
		this.#typing.send({ type: 'CLEAR' });
		await this.#run(text, true);
	}

	/** Whether meaning-based modes can run now (an embedding model is ready). */
	get semanticAvailable(): boolean {
		return this.#embed() !== undefined;
	}

	/** The mode a search runs in: lexical whenever no embedding model is ready. */
	get effectiveMode(): SearchMode {
		return this.semanticAvailable ? this.mode : 'lexical';
	}

	stop(): void {
		this.#typing.stop();
	}

	async #run(text: string, log: boolean): Promise<SearchResponse> {
		const generation = ++this.#generation;
		const query = text.trim();
		const empty: SearchResponse = { query, results: [] };
		if (!query) {
			this.results = [];
			this.suggestion = undefined;
			this.searched = undefined;
			return empty;
		}
		this.searching = true;
		this.error = undefined;
		try {
			const mode = this.effectiveMode;
			const params: SearchCalls['search']['params'] = { caseId: this.#caseId(), query, k: 20, mode };
			if (this.documentId) params.documentIds = [this.documentId];
			const embed = this.#embed();
			if (mode !== 'lexical' && embed) params.vector = await embed(query);
			const response = await this.#client().call('search', params);
			if (generation !== this.#generation) return response;
			this.results = response.results;
			this.suggestion = response.suggestion;
			this.searched = query;
			const db = this.#db();
			if (log && db)
				await logActivity(db, this.#caseId(), 'search', activitySummary.search(query, response.results.length), {
					query
				});
			return response;
		} catch (e) {
			if (generation === this.#generation) this.error = toDocketError(e).userMessage;
			return empty;
		} finally {
			if (generation === this.#generation) this.searching = false;
		}
	}
}
