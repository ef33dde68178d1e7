import { assign, fromCallback, fromPromise, setup } from 'xstate';
import type { CitationRef } from '../db/schema.ts';
import { serializeError, type SerializedError } from '../errors.ts';
import { citationsOf } from './citations.ts';
import { buildPrompt, type NumberedPassage } from './prompt.ts';
import type { ChatEngine, ChatMessage, RetrievedPassage } from './types.ts';

/** Shown beside the passages when no language model is loaded. */
export const MODEL_NOT_LOADED =
	'The language model is not loaded, so here are the passages that match; load a model in Settings › Models to get a written answer.';
/** The answer when retrieval finds nothing: the model is not asked to answer from nothing. */
export const NOTHING_FOUND =
	'No passage in this case matches the question, so there is nothing to answer from. Try other words, or add documents.';

export interface AnswerInput {
	question: string;
	/** Undefined when no model is loaded. */
	engine: ChatEngine | undefined;
}

export interface AnswerContext {
	question: string;
	engine: ChatEngine | undefined;
	passages: RetrievedPassage[];
	numbered: NumberedPassage[];
	messages: ChatMessage[];
	answer: string;
	citations: CitationRef[];
	/** One sentence for the person when there is no model answer (no model, nothing found). */
	notice: string | undefined;
	error: SerializedError | undefined;
}

export type AnswerEvent =
	| { type: 'STOP' }
	| { type: 'TOKEN'; text: string }
	| { type: 'GENERATED' }
	| { type: 'GENERATION_FAILED'; error: SerializedError };

/**
 * One answer's life: retrieving → generating → done | cancelled | failed. Retrieval and the model are
 * actors (`retrieve`, `generate`) so the worker-backed ones can be swapped for test doubles. Stopping
 * while generating stops the generate actor, which aborts the stream and interrupts the engine; the
 * text so far is kept.
 */
export const answerMachine = setup({
	types: {
		input: {} as AnswerInput,
		context: {} as AnswerContext,
		events: {} as AnswerEvent
	},
	actors: {
		retrieve: fromPromise<RetrievedPassage[], { question: string }>(() =>
			Promise.reject(new Error('No retrieval provided.'))
		),
		generate: fromCallback<AnswerEvent, { engine: ChatEngine; messages: ChatMessage[] }>(({ sendBack, input }) => {
			const controller = new AbortController();
			void (async () => {
				try {
					for await (const text of input.engine.stream(input.messages, controller.signal)) {
						if (controller.signal.aborted) return;
						sendBack({ type: 'TOKEN', text });
					}
					if (!controller.signal.aborted) sendBack({ type: 'GENERATED' });
				} catch (error) {
					if (!controller.signal.aborted) sendBack({ type: 'GENERATION_FAILED', error: serializeError(error) });
				}
			})();
			return () => {
				if (controller.signal.aborted) return;
				controller.abort();
				input.engine.interrupt();
			};
		})
	},
	guards: {
		nothingFound: ({ event }) => 'output' in event && Array.isArray(event.output) && event.output.length === 0,
		noModel: ({ context }) => context.engine === undefined
	}
}).createMachine({
	id: 'answer',
	context: ({ input }) => ({
		question: input.question,
		engine: input.engine,
		passages: [],
		numbered: [],
		messages: [],
		answer: '',
		citations: [],
		notice: undefined,
		error: undefined
	}),
	initial: 'retrieving',
	states: {
		retrieving: {
			invoke: {
				src: 'retrieve',
				input: ({ context }) => ({ question: context.question }),
				onDone: [
					{ guard: 'nothingFound', target: 'done', actions: assign({ notice: NOTHING_FOUND }) },
					{
						guard: 'noModel',
						target: 'done',
						actions: assign(({ event }) => ({
							passages: event.output,
							numbered: event.output.map((p, i) => ({ ...p, n: i + 1 })),
							notice: MODEL_NOT_LOADED
						}))
					},
					{
						target: 'generating',
						actions: assign(({ context, event }) => {
							const { messages, numbered } = buildPrompt(context.question, event.output, {
								contextTokens: context.engine!.contextTokens
							});
							return { passages: event.output, numbered, messages };
						})
					}
				],
				onError: { target: 'failed', actions: assign({ error: ({ event }) => serializeError(event.error) }) }
			},
			on: { STOP: 'cancelled' }
		},
		generating: {
			invoke: {
				src: 'generate',
				input: ({ context }) => ({ engine: context.engine!, messages: context.messages })
			},
			on: {
				TOKEN: { actions: assign({ answer: ({ context, event }) => context.answer + event.text }) },
				GENERATED: { target: 'done' },
				GENERATION_FAILED: { target: 'failed', actions: assign({ error: ({ event }) => event.error }) },
				STOP: { target: 'cancelled' }
			},
			exit: assign({ citations: ({ context }) => citationsOf(context.answer, context.numbered) })
		},
		done: { type: 'final' },
		cancelled: { type: 'final' },
		failed: { type: 'final' }
	},
	output: ({ context }) => context
});
