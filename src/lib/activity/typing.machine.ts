import { assign, fromPromise, setup } from 'xstate';
import { serializeError, type SerializedError } from '../errors.ts';

/** How long a person must pause before related passages are looked up. */
export const IDLE_MS = 600;
/** Shorter input says too little to look anything up. */
export const MIN_CHARS = 3;

export interface TypingContext<T> {
	text: string;
	related: T[];
	error: SerializedError | undefined;
}

export type TypingEvent = { type: 'INPUT'; text: string } | { type: 'CLEAR' };

/**
 * Typing-aware help on the search and chat boxes: while the person types nothing happens; after a pause
 * of IDLE_MS the `related` actor looks up passages for what is typed; typing again cancels that lookup
 * (leaving the state stops the actor) and starts the wait over. States: idle → typing → looking →
 * showing, with INPUT from anywhere going back to typing and CLEAR (or too-short input) to idle.
 */
export function createTypingMachine<T>() {
	return setup({
		types: {
			context: {} as TypingContext<T>,
			events: {} as TypingEvent
		},
		actors: {
			related: fromPromise<T[], { text: string }>(() => Promise.resolve([]))
		},
		guards: {
			tooShort: ({ event }) => event.type === 'INPUT' && event.text.trim().length < MIN_CHARS
		},
		delays: { idle: IDLE_MS }
	}).createMachine({
		id: 'typing',
		context: { text: '', related: [], error: undefined },
		initial: 'idle',
		on: {
			INPUT: [
				{
					guard: 'tooShort',
					target: '.idle',
					actions: assign({ text: ({ event }) => event.text, related: [], error: undefined })
				},
				{ target: '.typing', reenter: true, actions: assign({ text: ({ event }) => event.text }) }
			],
			CLEAR: { target: '.idle', actions: assign({ text: '', related: [], error: undefined }) }
		},
		states: {
			idle: {},
			typing: { after: { idle: 'looking' } },
			looking: {
				invoke: {
					src: 'related',
					input: ({ context }) => ({ text: context.text }),
					onDone: { target: 'showing', actions: assign({ related: ({ event }) => event.output, error: undefined }) },
					onError: {
						target: 'idle',
						actions: assign({ error: ({ event }) => serializeError(event.error), related: [] })
					}
				}
			},
			showing: {}
		}
	});
}
