import { createActor, fromPromise, type Actor } from 'xstate';
import { createTypingMachine } from '../../activity/typing.machine.ts';
import { activitySummary, logActivity } from '../../activity/log.ts';
import type { DocketDatabase } from '../../db/database.ts';
import { toDocketError } from '../../errors.ts';
import type { Passage, SearchMode, SearchResponse } from '../../search/hybrid.ts';
import type { SearchCalls, SearchClient } from '../../search/protocol.ts';
import { dayStart, emptyFilter, isEmptyFilter, parseOperators, type MetadataFilter } from '../../search/operators.ts';

/** The Search tab's message filters, as typed (dates as YYYY-MM-DD from date inputs). */
export interface MessageFilters {
	sender: string;
	recipient: string;
	after: string;
	before: string;
	hasAttachment: boolean;
}

export function noMessageFilters(): MessageFilters {
	return { sender: '', recipient: '', after: '', before: '', hasAttachment: false };
}

/** The filters as the search worker takes them; `before` includes its day, as a person means it. */
export function metadataFilter(f: MessageFilters): MetadataFilter | undefined {
	const filter = emptyFilter();
	if (f.sender.trim()) filter.from.push(f.sender.trim().toLowerCase());
	if (f.recipient.trim()) filter.to.push(f.recipient.trim().toLowerCase());
	const after = dayStart(f.after);
	const before = dayStart(f.before);
	if (after !== undefined) filter.after = after;
	if (before !== undefined) filter.before = before + 86_400_000;
	if (f.hasAttachment) filter.hasAttachment = true;
	return isEmptyFilter(filter) ? undefined : filter;
}

export type QueryEmbedder = (text: string) => Promise<{ modelId: string; values: Float32Array }>;

/** Results are loaded this many at a time, as the person scrolls or asks for more. */
export const PAGE_SIZE = 50;

/** What a search is: restorable from the URL (query, mode, document filter, message filters). */
export interface SearchParams {
	query: string;
	mode: SearchMode;
	documentId: string;
	filters: MessageFilters;
}

function sameFilters(a: MessageFilters, b: MessageFilters): boolean {
	return (
		a.sender === b.sender &&
		a.recipient === b.recipient &&
		a.after === b.after &&
		a.before === b.before &&
		a.hasAttachment === b.hasAttachment
	);
}

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
	/** How many passages match in all, and per document id (the first `results.length` are loaded). */
	total = $state<number | undefined>(undefined);
	perDocument = $state.raw<Record<string, number>>({});
	searching = $state(false);
	error = $state<string | undefined>(undefined);
	/** The mode the person chose; semantic and hybrid apply only while an embedding model is ready. */
	mode = $state<SearchMode>('hybrid');
	/** Sender, recipient, date range and "has attachment" (documents that are messages). */
	filters = $state<MessageFilters>(noMessageFilters());
	/** Operators in the query that could not be read. */
	problems = $state.raw<string[]>([]);

	readonly #client: () => SearchClient;
	readonly #db: () => DocketDatabase | undefined;
	readonly #caseId: () => string;
	readonly #embed: () => QueryEmbedder | undefined;
	readonly #typing: Actor<ReturnType<typeof createTypingMachine<Passage>>>;
	#generation = 0;
	#limit = PAGE_SIZE;
	/** The mode and filter of the search shown, so a restore knows whether anything changed. */
	#shown: SearchParams | undefined;
	readonly #onSearched: (params: SearchParams, committed: boolean) => void;

	constructor(options: {
		client: () => SearchClient;
		db: () => DocketDatabase | undefined;
		caseId: () => string;
		embed?: () => QueryEmbedder | undefined;
		/**
		 * A search finished and is shown: the tab writes it into the URL. `committed` (Enter, a filter, a
		 * suggestion) makes a history entry; searches made while typing replace the current one.
		 */
		onSearched?: (params: SearchParams, committed: boolean) => void;
	}) {
		this.#onSearched = options.onSearched ?? (() => undefined);
		this.#client = options.client;
		this.#embed = options.embed ?? (() => undefined);
		this.#db = options.db;
		this.#caseId = options.caseId;
		const machine = createTypingMachine<Passage>().provide({
			actors: {
				related: fromPromise<Passage[], { text: string }>(async ({ input }) => {
					this.#limit = PAGE_SIZE;
					return (await this.#run(input.text, false)).results;
				})
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
		this.#limit = PAGE_SIZE;
		await this.#run(text, true);
	}

	/** Whether more results exist than are loaded. */
	get hasMore(): boolean {
		return this.total !== undefined && this.results.length < this.total && this.results.length >= this.#limit;
	}

	/** Loads the next page of results of the search shown (scrolling near the end, or "Show more"). */
	async loadMore(): Promise<void> {
		if (!this.hasMore || this.searching || this.searched === undefined) return;
		this.#limit += PAGE_SIZE;
		await this.#run(this.searched, false, false);
	}

	/**
	 * Shows the search a URL names (a reload, Back, a shared link); nothing happens when it is the one
	 * shown already, so writing the URL after a search does not search again.
	 */
	async restore(params: Omit<SearchParams, 'filters'> & { filters?: MessageFilters }): Promise<void> {
		const shown = this.#shown;
		const filters = params.filters ?? noMessageFilters();
		if (
			shown &&
			shown.query === params.query.trim() &&
			shown.mode === params.mode &&
			shown.documentId === params.documentId &&
			sameFilters(shown.filters, filters)
		)
			return;
		this.filters = { ...filters };
		this.mode = params.mode;
		this.documentId = params.documentId;
		this.query = params.query;
		this.#typing.send({ type: 'CLEAR' });
		this.#limit = PAGE_SIZE;
		await this.#run(params.query, false, false);
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

	async #run(text: string, log: boolean, announce = true): Promise<SearchResponse> {
		const generation = ++this.#generation;
		const query = text.trim();
		const empty: SearchResponse = { query, results: [] };
		const filter = metadataFilter(this.filters);
		if (!query && !filter) {
			this.results = [];
			this.suggestion = undefined;
			this.searched = undefined;
			this.total = undefined;
			this.perDocument = {};
			this.#shown = { query: '', mode: this.mode, documentId: this.documentId, filters: { ...this.filters } };
			if (announce) this.#onSearched(this.#shown, log);
			return empty;
		}
		this.searching = true;
		this.error = undefined;
		try {
			const mode = this.effectiveMode;
			const params: SearchCalls['search']['params'] = { caseId: this.#caseId(), query, k: this.#limit, mode };
			if (this.documentId) params.documentIds = [this.documentId];
			if (filter) params.filter = filter;
			const embed = this.#embed();
			// Operators narrow by metadata; only the words are embedded.
			const words = parseOperators(query).text;
			if (mode !== 'lexical' && embed && words) params.vector = await embed(words);
			const response = await this.#client().call('search', params);
			if (generation !== this.#generation) return response;
			this.results = response.results;
			this.suggestion = response.suggestion;
			this.searched = query;
			this.total = response.total ?? response.results.length;
			this.perDocument = response.perDocument ?? {};
			this.problems = response.problems ?? [];
			this.#shown = { query, mode: this.mode, documentId: this.documentId, filters: { ...this.filters } };
			if (announce) this.#onSearched(this.#shown, log);
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
