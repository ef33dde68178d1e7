import type { ChatEngine, ChatMessage } from './types.ts';

/**
 * A deterministic stand-in for a language model: streams a scripted answer token by token. `gate`
 * lets a test hold the stream mid-answer; `fail` makes it throw after some tokens.
 */
export class ScriptedEngine implements ChatEngine {
	readonly modelId = 'test/scripted';
	readonly contextTokens: number;
	readonly requests: ChatMessage[][] = [];
	interrupted = 0;
	#release: (() => void) | undefined;

	constructor(
		readonly script: (messages: readonly ChatMessage[]) => string,
		options: { contextTokens?: number; pauseAfter?: number; failAfter?: number } = {}
	) {
		this.contextTokens = options.contextTokens ?? 4096;
		this.pauseAfter = options.pauseAfter;
		this.failAfter = options.failAfter;
	}
	readonly pauseAfter: number | undefined;
	readonly failAfter: number | undefined;

	/** Lets a paused stream go on. */
	resume(): void {
		this.#release?.();
	}

	interrupt(): void {
		this.interrupted++;
		this.#release?.();
	}

	async *stream(messages: readonly ChatMessage[], signal: AbortSignal): AsyncIterable<string> {
		this.requests.push([...messages]);
		const tokens = this.script(messages).match(/\S+\s*|\s+/g) ?? [];
		for (let i = 0; i < tokens.length; i++) {
			if (signal.aborted) return;
			if (this.failAfter !== undefined && i === this.failAfter) throw new Error('The model crashed.');
			if (this.pauseAfter !== undefined && i === this.pauseAfter)
				await new Promise<void>((resolve) => (this.#release = resolve));
			if (signal.aborted) return;
			await Promise.resolve();
			yield tokens[i]!;
		}
	}
}
