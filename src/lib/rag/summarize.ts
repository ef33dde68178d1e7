import { CancelledError } from '../errors.ts';
import { estimateTokens, type ChatEngine, type ChatMessage } from './types.ts';

export interface SummaryProgress {
	/** Model calls finished. */
	done: number;
	/** Model calls expected (grows if a reduce round needs more than estimated). */
	total: number;
	stage: 'map' | 'reduce';
}

export interface SummarizeOptions {
	signal?: AbortSignal;
	onProgress?: (progress: SummaryProgress) => void;
	countTokens?: (text: string) => number;
	/** Tokens kept for each summary the model writes. */
	answerTokens?: number;
}

const MAP_INSTRUCTION =
	'Summarise the following excerpt of a legal case document in a few sentences. Keep names, dates, amounts, obligations and claims. Do not add anything that is not in the text.';
const REDUCE_INSTRUCTION =
	'Combine the following partial summaries into one coherent summary of a few short paragraphs. Keep names, dates, amounts, obligations and claims; drop repetition. Do not add anything that is not in them.';

/** Runs one request and collects the streamed text. */
export async function complete(
	engine: ChatEngine,
	messages: readonly ChatMessage[],
	signal: AbortSignal | undefined
): Promise<string> {
	const controller = new AbortController();
	const abort = () => {
		controller.abort();
		engine.interrupt();
	};
	signal?.addEventListener('abort', abort, { once: true });
	try {
		let text = '';
		for await (const piece of engine.stream(messages, controller.signal)) text += piece;
		if (signal?.aborted) throw new CancelledError('The summary');
		return text.trim();
	} finally {
		signal?.removeEventListener('abort', abort);
	}
}

/**
 * Packs texts, in order, into groups whose tokens fit `budget`; a text larger than the budget is cut
 * into pieces at spaces first.
 */
export function packTexts(
	texts: readonly string[],
	budget: number,
	count: (text: string) => number = estimateTokens
): string[][] {
	const pieces: string[] = [];
	for (const text of texts) {
		if (count(text) <= budget) {
			pieces.push(text);
			continue;
		}
		const words = text.split(/(?<=\s)/);
		let current = '';
		for (const word of words) {
			if (current && count(current + word) > budget) {
				pieces.push(current);
				current = '';
			}
			current += word;
		}
		if (current) pieces.push(current);
	}
	const groups: string[][] = [];
	let group: string[] = [];
	let used = 0;
	for (const piece of pieces) {
		const cost = count(piece) + 2;
		if (group.length > 0 && used + cost > budget) {
			groups.push(group);
			group = [];
			used = 0;
		}
		group.push(piece);
		used += cost;
	}
	if (group.length > 0) groups.push(group);
	return groups;
}

/**
 * Map-reduce summary: each group of texts that fits the context is summarised (map), then the summaries
 * are combined, group by group, until one remains (reduce). Cancelling the signal interrupts the model.
 */
export async function summarize(
	engine: ChatEngine,
	texts: readonly string[],
	options: SummarizeOptions = {}
): Promise<string> {
	const count = options.countTokens ?? estimateTokens;
	const answerTokens = options.answerTokens ?? Math.min(512, Math.floor(engine.contextTokens / 4));
	const budget = engine.contextTokens - answerTokens - count(REDUCE_INSTRUCTION) - 32;
	if (budget < 64) throw new RangeError('The model’s context is too small to summarise in.');
	const nonEmpty = texts.map((t) => t.trim()).filter(Boolean);
	if (nonEmpty.length === 0) return '';
	let groups = packTexts(nonEmpty, budget, count);
	let done = 0;
	let total = groups.length + Math.max(0, Math.ceil(groups.length / 4));
	let stage: SummaryProgress['stage'] = 'map';
	const report = () => options.onProgress?.({ done, total: Math.max(total, done), stage });
	report();
	let summaries: string[] = [];
	for (const group of groups) {
		if (options.signal?.aborted) throw new CancelledError('The summary');
		summaries.push(
			await complete(
				engine,
				[
					{ role: 'system', content: MAP_INSTRUCTION },
					{ role: 'user', content: group.join('\n\n') }
				],
				options.signal
			)
		);
		done++;
		report();
	}
	stage = 'reduce';
	while (summaries.length > 1) {
		groups = packTexts(summaries, budget, count);
		// A round that cannot shrink (each summary alone fills the context) would loop forever: pair them up.
		if (groups.length === summaries.length)
			groups = summaries.reduce<string[][]>(
				(acc, s, i) => (i % 2 === 0 ? [...acc, [s]] : (acc.at(-1)!.push(s), acc)),
				[]
			);
		total = done + groups.length + (groups.length > 1 ? Math.ceil(groups.length / 4) : 0);
		report();
		const next: string[] = [];
		for (const group of groups) {
			if (options.signal?.aborted) throw new CancelledError('The summary');
			next.push(
				group.length === 1
					? group[0]!
					: await complete(
							engine,
							[
								{ role: 'system', content: REDUCE_INSTRUCTION },
								{ role: 'user', content: group.join('\n\n---\n\n') }
							],
							options.signal
						)
			);
			if (group.length > 1) done++;
			report();
		}
		summaries = next;
	}
	total = done;
	report();
	return summaries[0] ?? '';
}

/** Summary of one document from its chunks (in reading order). */
export function summarizeDocument(
	engine: ChatEngine,
	chunks: readonly { ordinal: number; text: string }[],
	options: SummarizeOptions = {}
): Promise<string> {
	return summarize(
		engine,
		[...chunks].sort((a, b) => a.ordinal - b.ordinal).map((c) => c.text),
		options
	);
}

/** Summary of a case from its documents' summaries, each introduced by the document's name. */
export function summarizeCase(
	engine: ChatEngine,
	documents: readonly { name: string; summary: string }[],
	options: SummarizeOptions = {}
): Promise<string> {
	return summarize(
		engine,
		documents.map((d) => `Document “${d.name}”: ${d.summary}`),
		options
	);
}
