import type { DocketDatabase } from '../../db/database.ts';
import type { SummaryRow } from '../../db/schema.ts';
import { toDocketError } from '../../errors.ts';
import { summarizeCase, summarizeDocument, type SummaryProgress } from '../../rag/summarize.ts';
import type { ChatEngine } from '../../rag/types.ts';

export const NO_MODEL_TO_SUMMARISE = 'Summaries need a language model: load a chat model in Settings › Models.';

export interface SummaryRun {
	/** What is being summarised, in words. */
	label: string;
	done: number;
	total: number;
}

/**
 * Summarising a document or the whole case (map-reduce in rag/summarize.ts) with progress and cancel.
 * Summaries are kept in the `summaries` table under `doc:ID` and `case:ID`, with the model that wrote them.
 */
export class SummaryState {
	running = $state<SummaryRun | undefined>(undefined);
	error = $state<string | undefined>(undefined);
	#controller: AbortController | undefined;

	constructor(
		private readonly db: () => DocketDatabase | undefined,
		private readonly caseId: () => string,
		private readonly engine: () => ChatEngine | undefined
	) {}

	cancel(): void {
		this.#controller?.abort();
	}

	async #run(
		label: string,
		work: (engine: ChatEngine, db: DocketDatabase, signal: AbortSignal) => Promise<void>
	): Promise<void> {
		const db = this.db();
		const engine = this.engine();
		if (!db || this.running) return;
		this.error = undefined;
		if (!engine) {
			this.error = NO_MODEL_TO_SUMMARISE;
			return;
		}
		const controller = new AbortController();
		this.#controller = controller;
		this.running = { label, done: 0, total: 1 };
		try {
			await work(engine, db, controller.signal);
		} catch (e) {
			const error = toDocketError(e);
			this.error = error.code === 'cancelled' ? 'Summary cancelled.' : error.userMessage;
		} finally {
			this.running = undefined;
			this.#controller = undefined;
		}
	}

	async #document(
		engine: ChatEngine,
		db: DocketDatabase,
		documentId: string,
		signal: AbortSignal,
		onProgress: (p: SummaryProgress) => void
	): Promise<SummaryRow> {
		const chunks = await db.chunks
			.where('[documentId+ordinal]')
			.between([documentId, -Infinity], [documentId, Infinity])
			.toArray();
		const text = await summarizeDocument(engine, chunks, { signal, onProgress });
		const row: SummaryRow = {
			id: `doc:${documentId}`,
			caseId: this.caseId(),
			documentId,
			modelId: engine.modelId,
			text,
			createdAt: Date.now()
		};
		await db.summaries.put(row);
		return row;
	}

	summariseDocument(documentId: string, name: string): Promise<void> {
		return this.#run(`Summarising ${name}`, async (engine, db, signal) => {
			await this.#document(
				engine,
				db,
				documentId,
				signal,
				(p) => (this.running = { label: `Summarising ${name}`, done: p.done, total: p.total })
			);
		});
	}

	/** Each indexed document (reusing a summary the same model already wrote), then the case from those. */
	summariseCase(): Promise<void> {
		return this.#run('Summarising the case', async (engine, db, signal) => {
			const caseId = this.caseId();
			const documents = (await db.documents.where('caseId').equals(caseId).toArray())
				.filter((d) => d.status === 'indexed' || d.status === 'embedding')
				.sort((a, b) => a.name.localeCompare(b.name));
			const total = documents.length + 1;
			const parts: { name: string; summary: string }[] = [];
			for (const [i, d] of documents.entries()) {
				this.running = { label: `Summarising the case: ${d.name}`, done: i, total };
				const existing = await db.summaries.get(`doc:${d.id}`);
				const row =
					existing?.modelId === engine.modelId
						? existing
						: await this.#document(engine, db, d.id, signal, () => undefined);
				if (row.text) parts.push({ name: d.name, summary: row.text });
			}
			this.running = { label: 'Summarising the case', done: documents.length, total };
			const text = await summarizeCase(engine, parts, { signal });
			await db.summaries.put({ id: `case:${caseId}`, caseId, modelId: engine.modelId, text, createdAt: Date.now() });
		});
	}
}
