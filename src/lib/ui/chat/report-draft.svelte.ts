import { SvelteSet } from 'svelte/reactivity';
import type { DocketDatabase } from '../../db/database.ts';
import type { ReportRow } from '../../db/schema.ts';
import { composeReport, reportToHtml, reportToMarkdown, type ChosenAnswer, type KeyPassage } from '../../rag/report.ts';

/** A passage chosen from the Search tab, remembered by its chunk. */
export interface ChosenPassage extends KeyPassage {
	chunkId: string;
}

/**
 * What the person has picked for a case's report: answers from Chat (by message id) and key passages from
 * Search. Kept for the tab's life per case, so moving between Search and Chat keeps the picks.
 */
export class ReportDraft {
	readonly answers = new SvelteSet<string>();
	passages = $state<ChosenPassage[]>([]);
	includeSummary = $state(true);

	toggleAnswer(messageId: string): void {
		if (this.answers.has(messageId)) this.answers.delete(messageId);
		else this.answers.add(messageId);
	}

	hasPassage(chunkId: string): boolean {
		return this.passages.some((p) => p.chunkId === chunkId);
	}

	togglePassage(passage: ChosenPassage): void {
		this.passages = this.hasPassage(passage.chunkId) ? this.passages.filter((p) => p.chunkId !== passage.chunkId) : [...this.passages, passage];
	}

	/** The report as stored and exported: case summary, key passages, chosen answers with their sources. */
	async compose(db: DocketDatabase, caseId: string, title: string): Promise<ReportRow> {
		const summary = this.includeSummary ? (await db.summaries.get(`case:${caseId}`))?.text : undefined;
		const names: Record<string, string> = Object.fromEntries((await db.documents.where('caseId').equals(caseId).toArray()).map((d) => [d.id, d.name]));
		const answers: ChosenAnswer[] = [];
		const chosen = (await db.messages.bulkGet([...this.answers])).filter((m) => m !== undefined && m.caseId === caseId).sort((a, b) => a!.createdAt - b!.createdAt);
		for (const message of chosen) {
			if (!message) continue;
			const thread = await db.messages.where('threadId').equals(message.threadId).sortBy('createdAt');
			const question = thread.filter((m) => m.role === 'user' && m.createdAt <= message.createdAt).at(-1)?.content ?? 'Answer';
			answers.push({ question, answer: message.content, citations: message.citations.map((c) => ({ ...c, documentName: names[c.documentId] ?? 'Document' })) });
		}
		const report = composeReport(caseId, { title, ...(summary ? { caseSummary: summary } : {}), passages: this.passages, answers });
		await db.reports.put(report);
		return report;
	}
}

// Not reactive on purpose: drafts are created while a component derives its draft, where writing reactive state is not allowed.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const drafts = new Map<string, ReportDraft>();

export function reportDraft(caseId: string): ReportDraft {
	let draft = drafts.get(caseId);
	if (!draft) drafts.set(caseId, (draft = new ReportDraft()));
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
	const base = title.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'report';
	return `${base}.${extension}`;
}

export { reportToHtml, reportToMarkdown };
