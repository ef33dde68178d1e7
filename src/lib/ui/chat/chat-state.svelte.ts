import { createActor, fromPromise, type Actor } from 'xstate';
import { activitySummary, logActivity } from '../../activity/log.ts';
import type { DocketDatabase } from '../../db/database.ts';
import { toDocketError } from '../../errors.ts';
import { citationParts } from '../../ingest/email/citation.ts';
import { pageNameFields } from '../../ingest/page-label.ts';
import { answerMachine } from '../../rag/answer.machine.ts';
import type { NumberedPassage } from '../../rag/prompt.ts';
import { addMessage, createThread } from '../../rag/threads.ts';
import type { ChatEngine, RetrievedPassage } from '../../rag/types.ts';
import type { SearchCalls, SearchClient } from '../../search/protocol.ts';

/** Passages a question retrieves before the prompt builder keeps what fits the model's context. */
const PASSAGES = 8;

export interface ChatStateOptions {
	client: () => SearchClient;
	db: () => DocketDatabase | undefined;
	caseId: () => string;
	/** The loaded chat model, if any. */
	engine: () => ChatEngine | undefined;
	/** Embeds a question when an embedding model is ready (retrieval is then hybrid), else undefined. */
	embed?: () => ((text: string) => Promise<{ modelId: string; values: Float32Array }>) | undefined;
}

/**
 * The Chat tab's state: the selected thread and the answer in progress. The answer's life is the answer
 * machine's; this class only mirrors its snapshot for rendering and stores the finished message.
 */
export class ChatState {
	threadId = $state<string | undefined>(undefined);
	draft = $state('');
	/** The answer being written, while the machine runs. */
	streaming = $state.raw<
		{ question: string; text: string; phase: 'retrieving' | 'generating'; numbered: NumberedPassage[] } | undefined
	>(undefined);
	error = $state<string | undefined>(undefined);

	readonly #options: ChatStateOptions;
	#actor: Actor<typeof answerMachine> | undefined;

	constructor(options: ChatStateOptions) {
		this.#options = options;
	}

	get busy(): boolean {
		return this.streaming !== undefined;
	}

	async #retrieve(question: string): Promise<RetrievedPassage[]> {
		const db = this.#options.db();
		const caseId = this.#options.caseId();
		const embed = this.#options.embed?.();
		// Meaning-based retrieval is a bonus: if embedding fails, the words alone still find passages.
		const vector = embed ? await embed(question).catch(() => undefined) : undefined;
		const params: SearchCalls['search']['params'] = {
			caseId,
			query: question,
			k: PASSAGES,
			mode: vector ? 'hybrid' : 'lexical'
		};
		if (vector) params.vector = vector;
		const response = await this.#options.client().call('search', params);
		const ids = response.results.map((r) => r.documentId).filter((id, i, all) => all.indexOf(id) === i);
		const documents = db ? await db.documents.bulkGet(ids) : [];
		// A message is named as a lawyer cites it ("Email, Ann Smith to Bob Jones, 3 Mar 2024"), a file by its name.
		const nameOf = (id: string) => {
			const d = documents.find((row) => row?.id === id);
			return d ? citationParts(d, { page: 1 }).source : 'Document';
		};
		return response.results.map((r) => ({
			chunkId: r.id,
			documentId: r.documentId,
			documentName: nameOf(r.documentId),
			page: r.page,
			...pageNameFields(r),
			start: r.start,
			end: r.end,
			text: r.text
		}));
	}

	/** Asks `question` in the current thread (a new one if none is selected). */
	async ask(question = this.draft): Promise<void> {
		const db = this.#options.db();
		const text = question.trim();
		if (!db || !text || this.busy) return;
		const caseId = this.#options.caseId();
		this.error = undefined;
		try {
			this.threadId ??= (await createThread(db, caseId, text)).id;
			const threadId = this.threadId;
			await addMessage(db, { threadId, caseId, role: 'user', content: text, citations: [], status: 'done' });
			await logActivity(db, caseId, 'question', activitySummary.question(text));
			this.draft = '';
			const engine = this.#options.engine();
			const machine = answerMachine.provide({
				actors: {
					retrieve: fromPromise(({ input }: { input: { question: string } }) => this.#retrieve(input.question))
				}
			});
			const actor = createActor(machine, { input: { question: text, engine } });
			this.#actor = actor;
			this.streaming = { question: text, text: '', phase: 'retrieving', numbered: [] };
			actor.subscribe((snapshot) => {
				if (snapshot.status !== 'active') return;
				this.streaming = {
					question: text,
					text: snapshot.context.answer,
					phase: snapshot.matches('generating') ? 'generating' : 'retrieving',
					numbered: snapshot.context.numbered
				};
			});
			const final = await new Promise<ReturnType<typeof actor.getSnapshot>>((resolve) => {
				actor.subscribe({ complete: () => resolve(actor.getSnapshot()) });
				actor.start();
			});
			const c = final.context;
			const status = final.value === 'done' ? 'done' : final.value === 'cancelled' ? 'cancelled' : 'failed';
			// Without a model (or with nothing found) the message is the notice, and the passages are its citations.
			const content = c.notice
				? `${c.notice}${c.numbered.length ? `\n\n${c.numbered.map((p) => `[${p.n}]`).join(' ')}` : ''}`
				: c.answer || (c.error ? c.error.message : '');
			const citations = c.notice
				? c.numbered.map((p) => ({
						n: p.n,
						chunkId: p.chunkId,
						documentId: p.documentId,
						page: p.page,
						start: p.start,
						end: p.end
					}))
				: c.citations;
			await addMessage(db, {
				threadId,
				caseId,
				role: 'assistant',
				content,
				citations,
				status,
				...(engine ? { modelId: engine.modelId } : {})
			});
			if (c.error) this.error = c.error.action ? `${c.error.message} ${c.error.action}` : c.error.message;
		} catch (e) {
			this.error = toDocketError(e).userMessage;
		} finally {
			this.streaming = undefined;
			this.#actor = undefined;
		}
	}

	stop(): void {
		this.#actor?.send({ type: 'STOP' });
	}

	newThread(): void {
		this.threadId = undefined;
		this.draft = '';
	}
}
