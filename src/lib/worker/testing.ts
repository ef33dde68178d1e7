/**
 * A small protocol and its handlers for the transport's own tests: served over a MessageChannel in the
 * test process, and inside a Node worker thread (testing-thread.ts).
 */
import { GpuOutOfMemoryError, InvalidInputError } from '../errors.ts';
import { defineProtocol, type Handlers } from './transport.ts';

export type TestCalls = {
	echo: { params: { text: string }; result: { text: string } };
	/** Reports `steps` progress ticks `everyMs` apart; stops when cancelled. */
	count: { params: { steps: number; everyMs: number }; result: { done: number }; progress: { step: number } };
	/** Throws the named error class. */
	fail: { params: { kind: 'invalid' | 'gpu' | 'plain' }; result: null };
	/** Sums bytes it was handed (moved), and hands a new buffer back (moved too). */
	bytes: { params: { data: ArrayBuffer }; result: { sum: number; back: ArrayBuffer } };
	/** Never answers. */
	hang: { params: Record<string, never>; result: null };
	/** Kills the thread (Node) or throws out of the message loop. */
	crash: { params: Record<string, never>; result: null };
};
export type TestEvents = { hello: { from: string } };

export const testProtocol = defineProtocol<TestCalls, TestEvents>({
	worker: 'test',
	defaultTimeoutMs: 5_000,
	transfer: { bytes: { params: (p) => [p.data], result: (r) => [r.back] } }
});

function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(resolve, ms);
		signal.addEventListener(
			'abort',
			() => {
				clearTimeout(timer);
				reject(signal.reason);
			},
			{ once: true }
		);
	});
}

export function testHandlers(crash: () => void): Handlers<TestCalls> {
	return {
		echo: ({ text }) => ({ text }),
		async count({ steps, everyMs }, { progress, signal }) {
			for (let step = 1; step <= steps; step++) {
				await sleep(everyMs, signal);
				progress({ step });
			}
			return { done: steps };
		},
		fail({ kind }) {
			if (kind === 'invalid') throw new InvalidInputError('That is not a number.', 'Type digits only.');
			if (kind === 'gpu') throw new GpuOutOfMemoryError('Tiny model');
			throw new Error('plain failure');
		},
		bytes({ data }) {
			const sum = new Uint8Array(data).reduce((a, b) => a + b, 0);
			return { sum, back: Uint8Array.of(7, 8, 9).buffer };
		},
		hang: () => new Promise<null>(() => undefined),
		crash() {
			crash();
			return null;
		}
	};
}
