/**
 * "Summarise this period": a paragraph about the chronology's events in a date range, written by the chat
 * model from the events numbered as passages, so its [n] citations open the event's page and its
 * quotations are checked against the event's sentence like any answer's.
 */
import type { DocketDatabase } from '../db/database.ts';
import type { QuotablePassage } from '../quotes/quotations.ts';
import { complete } from '../rag/summarize.ts';
import { estimateTokens, type ChatEngine, type ChatMessage } from '../rag/types.ts';
import { dateText, type ChronologyEntry } from './chronology.ts';

export const PERIOD_INSTRUCTION =
	'You summarise a period of a legal case from its dated events. Write one paragraph, in date order, that says what happened and who was involved. ' +
	'Cite every statement with the event numbers in square brackets, like [1] or [2][3]. Quote only words that appear in the events. Do not add anything that is not in them.';

/** An event the summary may cite, by its [n]: where it is, so the citation opens the page. */
export interface PeriodEvent {
	n: number;
	eventId: string;
	documentId: string;
	documentName: string;
	page: number;
	where: string;
	start: number;
	end: number;
}

export interface PeriodSummary {
	text: string;
	events: PeriodEvent[];
	/** The events' sentences by [n]: what the summary's quotations are checked against. */
	passages: QuotablePassage[];
	/** Events of the period that did not fit in the model's context (the oldest are kept). */
	leftOut: number;
	modelId: string;
	createdAt: number;
}

/** The prompt: as many of the period's events as fit, numbered from 1, each labelled with document and page. */
export function periodPrompt(
	entries: readonly ChronologyEntry[],
	contextTokens: number,
	count: (text: string) => number = estimateTokens
): { messages: ChatMessage[]; events: PeriodEvent[]; passages: QuotablePassage[]; leftOut: number } {
	let left = contextTokens - Math.min(1024, Math.floor(contextTokens / 4)) - count(PERIOD_INSTRUCTION) - 32;
	const blocks: string[] = [];
	const events: PeriodEvent[] = [];
	const passages: QuotablePassage[] = [];
	for (const e of entries) {
		const n = events.length + 1;
		const block = `[${n}] ${e.documentName}, ${e.where}\n${dateText(e)}: ${e.sentence.replace(/\s+/g, ' ')}${e.note ? `\nNote: ${e.note}` : ''}`;
		const cost = count(block) + 2;
		if (cost > left) break;
		left -= cost;
		blocks.push(block);
		events.push({
			n,
			eventId: e.id,
			documentId: e.documentId,
			documentName: e.documentName,
			page: e.page,
			where: e.where,
			start: e.start,
			end: e.end
		});
		passages.push({ n, text: e.sentence });
	}
	const user = `${blocks.join('\n\n')}\n\nSummarise this period with citations:`;
	return {
		messages: [
			{ role: 'system', content: PERIOD_INSTRUCTION },
			{ role: 'user', content: user }
		],
		events,
		passages,
		leftOut: entries.length - events.length
	};
}

export async function summarisePeriod(
	engine: ChatEngine,
	entries: readonly ChronologyEntry[],
	signal?: AbortSignal
): Promise<PeriodSummary> {
	const prompt = periodPrompt(entries, engine.contextTokens);
	const text = await complete(engine, prompt.messages, signal);
	return {
		text,
		events: prompt.events,
		passages: prompt.passages,
		leftOut: prompt.leftOut,
		modelId: engine.modelId,
		createdAt: Date.now()
	};
}

/** The case's last period summary, kept on this device so leaving the tab or reloading loses no model work. */
export interface StoredPeriodSummary {
	/** The filter in words when it was written ("Chronology, Jane Doe, 2024-01-01 to 2024-03-31"). */
	title: string;
	summary: PeriodSummary;
}

export const periodSummaryKey = (caseId: string) => `timeline.periodSummary:${caseId}`;

function isStored(value: unknown): value is StoredPeriodSummary {
	if (typeof value !== 'object' || value === null) return false;
	const { title, summary } = value as Partial<StoredPeriodSummary>;
	return (
		typeof title === 'string' &&
		typeof summary?.text === 'string' &&
		Array.isArray(summary.events) &&
		Array.isArray(summary.passages)
	);
}

export async function readPeriodSummary(db: DocketDatabase, caseId: string): Promise<StoredPeriodSummary | undefined> {
	const value = (await db.settings.get(periodSummaryKey(caseId)))?.value;
	return isStored(value) ? value : undefined;
}

export async function savePeriodSummary(
	db: DocketDatabase,
	caseId: string,
	stored: StoredPeriodSummary
): Promise<void> {
	await db.settings.put({ key: periodSummaryKey(caseId), value: stored });
}
