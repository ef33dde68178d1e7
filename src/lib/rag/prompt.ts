import { formatPage } from '../ingest/page-label.ts';
import { estimateTokens, type ChatMessage, type RetrievedPassage } from './types.ts';

export interface NumberedPassage extends RetrievedPassage {
	/** The [n] the answer cites it by, from 1. */
	n: number;
}

export interface PromptBudget {
	contextTokens: number;
	/** Tokens kept free for the answer. */
	answerTokens?: number;
	countTokens?: (text: string) => number;
}

export const SYSTEM_PROMPT =
	'You answer questions about a legal case using only the numbered passages from its documents. ' +
	'Cite every statement with the passage numbers in square brackets, like [1] or [2][3]. ' +
	'If the passages do not contain the answer, say so plainly. Do not invent facts, names or citations.';

export function passageLabel(p: NumberedPassage): string {
	return `[${p.n}] ${p.documentName}, ${formatPage(p)}`;
}

/**
 * The messages for one question: the system instructions, then as many retrieved passages as fit in the
 * context (in retrieval order, numbered from 1, each labelled with document and page), then the
 * question. A passage that does not fit whole is cut at a word boundary if at least a third of it fits;
 * otherwise numbering stops there, so every [n] the model sees refers to text it was given.
 */
export function buildPrompt(
	question: string,
	passages: readonly RetrievedPassage[],
	budget: PromptBudget
): { messages: ChatMessage[]; numbered: NumberedPassage[] } {
	const count = budget.countTokens ?? estimateTokens;
	const answerTokens = budget.answerTokens ?? Math.min(1024, Math.floor(budget.contextTokens / 4));
	const framing = `Question: ${question}\n\nPassages:\n`;
	let left = budget.contextTokens - answerTokens - count(SYSTEM_PROMPT) - count(framing) - 16;
	const numbered: NumberedPassage[] = [];
	const blocks: string[] = [];
	for (const passage of passages) {
		if (left <= 0) break;
		const item: NumberedPassage = { ...passage, n: numbered.length + 1 };
		const header = `${passageLabel(item)}\n`;
		let body = passage.text.trim();
		let cost = count(header + body) + 2;
		if (cost > left) {
			const room = left - count(header) - 2;
			// Cut proportionally, then at the last space, if a meaningful part fits.
			const cut = Math.floor((body.length * room) / Math.max(1, count(body)));
			if (cut < body.length / 3) break;
			body = `${body.slice(0, Math.max(0, body.lastIndexOf(' ', cut)))} …`;
			cost = count(header + body) + 2;
			if (cost > left) break;
		}
		numbered.push(item);
		blocks.push(header + body);
		left -= cost;
	}
	const user = `${blocks.join('\n\n')}\n\nQuestion: ${question}\nAnswer with citations:`;
	return {
		messages: [
			{ role: 'system', content: SYSTEM_PROMPT },
			{ role: 'user', content: user }
		],
		numbered
	};
}
