import { SvelteSet } from 'svelte/reactivity';
import type { DocketDatabase } from '../../db/database.ts';
import type { MessageRow, ReportRow } from '../../db/schema.ts';
import { casePassages } from '../../quotes/case-passages.ts';
import { citedPassages } from '../../quotes/marks.ts';
import { MODEL_NOT_LOADED, NOTHING_FOUND } from '../../rag/answer.machine.ts';
import { composeReport, reportToHtml, reportToMarkdown, type ChosenAnswer, type KeyPassage } from '../../rag/report.ts';
import {
	chronologyReportBody,
	filterChronology,
	readChronology,
	type ChronologyFilter
} from '../../timeline/chronology.ts';
import type { PeriodSummary } from '../../timeline/period-summary.ts';

/** The chronology picked for the report: the Timeline tab's filter, and the period's summary if one was written. */
export interface ChosenChronology {
	title: string;
	filter: ChronologyFilter;
	summary?: PeriodSummary;
}

/** Reports refuse to export flagged quotations unless this setting is off (issue 17: on by default). */
export const REFUSE_FLAGGED_KEY = 'report.refuseFlaggedQuotations';

export async function readRefuseFlagged(db: DocketDatabase): Promise<boolean> {
	return (await db.settings.get(REFUSE_FLAGGED_KEY))?.value !== false;
}

export async function saveRefuseFlagged(db: DocketDatabase, refuse: boolean): Promise<void> {
	await db.settings.put({ key: REFUSE_FLAGGED_KEY, value: refuse });
}

/** A passage chosen from the Search tab, remembered by its chunk. */
export interface ChosenPassage extends KeyPassage {
	chunkId: string;
}

/** The picks as kept in `settings`, so a reload or a closed laptop loses none of them. */
interface StoredDraft {
	answers: string[];
	passages: ChosenPassage[];
	includeSummary: boolean;
	chronology?: ChosenChronology;
}

const draftKey = (caseId: string) => `reportDraft:${caseId}`;

/**
 * Whether a chat message is something other than a model's finished answer: the "no model is loaded" or
 * "nothing found" notice, or an answer stopped or failed. Such a message is never put in a report.
 */
export function isPlaceholderAnswer(message: Pick<MessageRow, 'role' | 'content' | 'status' | 'modelId'>): boolean {
	return (
		message.role !== 'assistant' ||
		message.status !== 'done' ||
		message.modelId === undefined ||
		message.content.startsWith(MODEL_NOT_LOADED) ||
		message.content.startsWith(NOTHING_FOUND)
	);
}

/**
 * What the person has picked for a case's report: answers from Chat (by message id) and key passages from
 * Search. Shared by the case's tabs and saved on every change, so a reload keeps the picks.
 */
export class ReportDraft {
	readonly answers = new SvelteSet<string>();
	passages = $state<ChosenPassage[]>([]);
	#chronology = $state.raw<ChosenChronology | undefined>(undefined);
	#includeSummary = $state(true);
	/** Resolves when the picks saved earlier are back (at once without a database). */
	readonly loaded: Promise<void>;
	#touched = false;

	constructor(private readonly store?: { db: DocketDatabase; caseId: string }) {
		this.loaded = store ? this.#load(store.db, store.caseId) : Promise.resolve();
	}

	get includeSummary(): boolean {
		return this.#includeSummary;
	}

	set includeSummary(value: boolean) {
		this.#includeSummary = value;
		this.#changed();
	}

	get chronology(): ChosenChronology | undefined {
		return this.#chronology;
	}

	/** Puts the chronology (as filtered, with its period summary) in the report, or takes it out. */
	set chronology(value: ChosenChronology | undefined) {
		this.#chronology = value;
		this.#changed();
	}

	toggleAnswer(messageId: string): void {
		if (this.answers.has(messageId)) this.answers.delete(messageId);
		else this.answers.add(messageId);
		this.#changed();
	}

	hasPassage(chunkId: string): boolean {
		return this.passages.some((p) => p.chunkId === chunkId);
	}

	togglePassage(passage: ChosenPassage): void {
		this.passages = this.hasPassage(passage.chunkId)
			? this.passages.filter((p) => p.chunkId !== passage.chunkId)
			: [...this.passages, passage];
		this.#changed();
	}

	async #load(db: DocketDatabase, caseId: string): Promise<void> {
		try {
			const row = await db.settings.get(draftKey(caseId));
			const stored = row?.value as StoredDraft | undefined;
			// A pick made while loading wins over the saved draft; it is saved in full right after.
			if (!stored || this.#touched) return;
			for (const id of stored.answers) this.answers.add(id);
			this.passages = stored.passages;
			this.#includeSummary = stored.includeSummary;
			this.#chronology = stored.chronology;
		} catch (error) {
			console.warn('could not read the saved report picks', error);
		}
	}

	#changed(): void {
		this.#touched = true;
		if (!this.store) return;
		const value: StoredDraft = {
			answers: [...this.answers],
			passages: $state.snapshot(this.passages),
			includeSummary: this.#includeSummary,
			...(this.#chronology ? { chronology: this.#chronology } : {})
		};
		this.store.db.settings
			.put({ key: draftKey(this.store.caseId), value })
			.catch((error: unknown) => console.warn('could not save the report picks', error));
	}

	/** The report as stored and exported: case summary, key passages, chosen answers with their sources. */
	async compose(db: DocketDatabase, caseId: string, title: string): Promise<ReportRow> {
		const summary = this.includeSummary ? (await db.summaries.get(`case:${caseId}`))?.text : undefined;
		const names: Record<string, string> = Object.fromEntries(
			(await db.documents.where('caseId').equals(caseId).toArray()).map((d) => [d.id, d.name])
		);
		const answers: ChosenAnswer[] = [];
		const chosen = (await db.messages.bulkGet([...this.answers]))
			.filter((m) => m !== undefined && m.caseId === caseId && !isPlaceholderAnswer(m))
			.sort((a, b) => a!.createdAt - b!.createdAt);
		// Local to one compose call, not reactive state.
		// eslint-disable-next-line svelte/prefer-svelte-reactivity
		const cited = await db.chunks.bulkGet([...new Set(chosen.flatMap((m) => m!.citations.map((c) => c.chunkId)))]);
		// eslint-disable-next-line svelte/prefer-svelte-reactivity
		const chunkText = new Map(cited.flatMap((c) => (c && c.caseId === caseId ? [[c.id, c.text] as const] : [])));
		for (const message of chosen) {
			if (!message) continue;
			const thread = await db.messages.where('threadId').equals(message.threadId).sortBy('createdAt');
			const question =
				thread.filter((m) => m.role === 'user' && m.createdAt <= message.createdAt).at(-1)?.content ?? 'Answer';
			answers.push({
				question,
				answer: message.content,
				citations: message.citations.map((c) => ({ ...c, documentName: names[c.documentId] ?? 'Document' })),
				passages: citedPassages(message.citations, (c) => chunkText.get(c.chunkId))
			});
		}
		const report = composeReport(caseId, {
			title,
			...(summary ? { caseSummary: summary, casePassages: await casePassages(db, caseId) } : {}),
			passages: await withContext(db, this.passages),
			answers,
			...(this.#chronology ? { chronology: await chronologySection(db, caseId, this.#chronology) } : {})
		});
		await db.reports.put(report);
		return report;
	}
}

/** The chronology as it stands now (edits made since it was picked included), with its period summary. */
async function chronologySection(db: DocketDatabase, caseId: string, chosen: ChosenChronology) {
	const entries = filterChronology(await readChronology(db, caseId), chosen.filter);
	return {
		title: chosen.title,
		body: chronologyReportBody(entries),
		...(chosen.summary ? { summary: { text: chosen.summary.text, passages: chosen.summary.passages } } : {})
	};
}

/**
 * Each passage with the page text around it, so its quote can be extended to whole sentences; a passage
 * whose chunk or page is gone (or was pulled from a teammate, whose pages stay with them) is quoted as is.
 */
async function withContext(db: DocketDatabase, passages: readonly ChosenPassage[]): Promise<KeyPassage[]> {
	const chunks = await db.chunks.bulkGet(passages.map((p) => p.chunkId));
	return Promise.all(
		passages.map(async (passage, i) => {
			const chunk = chunks[i];
			const page = chunk ? await db.pages.get([chunk.documentId, chunk.page]) : undefined;
			if (!chunk || !page) return passage;
			return { ...passage, before: page.text.slice(0, chunk.start), after: page.text.slice(chunk.end) };
		})
	);
}

// Not reactive on purpose: drafts are created while a component derives its draft, where writing reactive state is not allowed.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const drafts = new Map<string, ReportDraft>();

/**
 * The case's one draft in this tab, read back from the database the first time it is asked for. Before
 * the database is open (nothing can be picked yet) a throwaway draft stands in.
 */
export function reportDraft(db: DocketDatabase | undefined, caseId: string): ReportDraft {
	if (!db) return new ReportDraft();
	let draft = drafts.get(caseId);
	if (!draft) drafts.set(caseId, (draft = new ReportDraft({ db, caseId })));
	return draft;
}

/** Saves text as a file through the browser's download. */
export function download(name: string, text: string, type: string): void {
	const url = URL.createObjectURL(new Blob([text], { type }));
	const a = document.createElement('a');
	a.href = url;
	a.download = name;
	a.click();
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function fileName(title: string, extension: string): string {
	const base =
		title
			.replace(/[^\p{L}\p{N}]+/gu, '-')
			.replace(/^-+|-+$/g, '')
			.slice(0, 60) || 'report';
	return `${base}.${extension}`;
}

export { reportToHtml, reportToMarkdown };
