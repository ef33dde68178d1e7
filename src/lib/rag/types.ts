/**
 * The boundary between retrieval-augmented answering and whatever runs the language model (web-llm in
 * the AI worker, a scripted engine in tests). The models module provides the real one.
 */
export interface ChatMessage {
	role: 'system' | 'user' | 'assistant';
	content: string;
}

export interface ChatEngine {
	readonly modelId: string;
	/** Tokens the model reads and writes in one request; prompts are built to fit within it. */
	readonly contextTokens: number;
	/** Streams the answer's text piece by piece. Aborting the signal ends the stream early. */
	stream(messages: readonly ChatMessage[], signal: AbortSignal): AsyncIterable<string>;
	/** Stops the generation in progress, if any (web-llm's interruptGenerate). */
	interrupt(): void;
}

/** A retrieved passage, as the prompt and the citations need it. */
export interface RetrievedPassage {
	chunkId: string;
	documentId: string;
	/** Display name of the document (text only). */
	documentName: string;
	page: number;
	/** The printed page label and Bates stamp, when known (`formatPage`). */
	label?: string;
	bates?: string;
	/** Email, Word and HTML: the header block or paragraphs (`formatPage` names them). */
	block?: 'headers';
	paragraph?: number;
	paragraphEnd?: number;
	start: number;
	end: number;
	text: string;
}

/** A rough token count (about four characters a token in English) where no tokenizer is at hand. */
export function estimateTokens(text: string): number {
	return Math.ceil(text.length / 4);
}
