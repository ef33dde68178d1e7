import { enqueueEmbedding } from '../../ai/embed-jobs.ts';
import type { DocketDatabase } from '../../db/database.ts';
import type { FileStore } from '../../db/file-store.ts';
import { IngestRunner, type IncomingFile, type JobProgress } from '../../ingest/ingest-runner.ts';
import { browserJobClaims } from '../../ingest/job-claims.ts';
import type { Extractor } from '../../ingest/types.ts';
import { embeddingsFor } from '../embeddings.svelte.ts';

const PROGRESS_REFRESH_MS = 250;

/**
 * Ingestion as the UI sees it: one runner per tab (it resumes unfinished jobs when created, leaving those
 * another tab works to that tab), and the live progress of its jobs as rune state, refreshed a few times a
 * second however fast pages come.
 */
export class IngestState {
	readonly runner: IngestRunner;
	progress = $state.raw<JobProgress[]>([]);
	#scheduled = false;
	#lastRun = 0;

	/** The tab's extraction workers (the viewer lays a teammate's message out in one of them). */
	readonly extractor: Extractor;

	constructor(db: DocketDatabase, files: FileStore, extractor: Extractor) {
		this.extractor = extractor;
		const claims = browserJobClaims();
		this.runner = new IngestRunner({
			db,
			files,
			extractor,
			// As many files at once as the extractor has workers (the browser's pool: one per core).
			...('size' in extractor && typeof extractor.size === 'number' ? { concurrency: extractor.size } : {}),
			// Two open tabs share the unfinished jobs, one tab working each, instead of both reading every file.
			...(claims ? { claims } : {}),
			onDocumentIndexed: (document) => {
				// Search hears of the stored text from the change feed. Its passages are then embedded in the
				// background (`Embedding` → `Indexed`); the job survives a reload.
				const embeddings = embeddingsFor(db)?.background;
				if (embeddings) void embeddings.documentIndexed(document.id);
				else
					void enqueueEmbedding(db, document.id).catch((error: unknown) =>
						console.warn('could not queue the document for embedding', error)
					);
			}
		});
		this.runner.subscribe(() => this.#schedule());
		void this.runner.resume().then(() => this.#schedule());
	}

	add(caseId: string, files: IncomingFile[]) {
		return this.runner.addFiles(caseId, files);
	}

	of(documentId: string): JobProgress | undefined {
		return this.progress.find((p) => p.documentId === documentId);
	}

	/** Pages done and known, and a rate, over the case's jobs still at work. */
	overall(caseId: string): {
		pagesDone: number;
		pageCount: number;
		pagesPerSecond: number;
		secondsLeft: number | undefined;
		active: number;
	} {
		const jobs = this.progress.filter(
			(p) =>
				p.caseId === caseId &&
				(p.state === 'queued' || p.state === 'reading' || p.state === 'extracting' || p.state === 'chunking')
		);
		const pagesDone = jobs.reduce((s, j) => s + j.pagesDone, 0);
		const pageCount = jobs.reduce((s, j) => s + j.pageCount, 0);
		const pagesPerSecond = jobs.reduce((s, j) => s + j.pagesPerSecond, 0);
		return {
			pagesDone,
			pageCount,
			pagesPerSecond,
			secondsLeft: pagesPerSecond > 0 && pageCount > 0 ? (pageCount - pagesDone) / pagesPerSecond : undefined,
			active: jobs.length
		};
	}

	#schedule(): void {
		if (this.#scheduled) return;
		this.#scheduled = true;
		const run = () => {
			this.#scheduled = false;
			this.#lastRun = Date.now();
			this.progress = this.runner.allProgress();
		};
		// Every refresh re-renders each row in progress: a few a second read as live, and leave the
		// main thread to the rest of the page while hundreds of files are at work.
		const wait = Math.max(0, this.#lastRun + PROGRESS_REFRESH_MS - Date.now());
		setTimeout(() => {
			if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
			else run();
		}, wait);
	}
}

let shared: { db: DocketDatabase; state: IngestState } | undefined;

/** The tab's one IngestState for this database; the extractor is made only when first needed. */
export function ingestState(db: DocketDatabase, files: FileStore, makeExtractor: () => Extractor): IngestState {
	if (shared?.db !== db) shared = { db, state: new IngestState(db, files, makeExtractor()) };
	return shared.state;
}

/**
 * The files of a drop, with the files under dropped folders (drag and drop gives entries, not files, for
 * folders). Items are read before the first await: the browser empties the list once the event is over.
 */
export async function filesFromDrop(items: DataTransferItemList): Promise<File[]> {
	const entries: FileSystemEntry[] = [];
	const out: File[] = [];
	for (const item of items) {
		if (item.kind !== 'file') continue;
		const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
		if (entry) entries.push(entry);
		else {
			// No entry (a browser without the entries API, or a drop a script made): the file itself.
			const file = item.getAsFile();
			if (file) out.push(file);
		}
	}
	async function walk(entry: FileSystemEntry): Promise<void> {
		if (isFile(entry)) out.push(await new Promise<File>((resolve, reject) => entry.file(resolve, reject)));
		else if (isDirectory(entry)) {
			const reader = entry.createReader();
			// readEntries returns a batch at a time; an empty batch means the folder is done.
			for (;;) {
				const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
				if (batch.length === 0) break;
				for (const child of batch) if (!child.name.startsWith('.')) await walk(child);
			}
		}
	}
	for (const entry of entries) await walk(entry);
	return out;
}

function isFile(entry: FileSystemEntry): entry is FileSystemFileEntry {
	return entry.isFile;
}
function isDirectory(entry: FileSystemEntry): entry is FileSystemDirectoryEntry {
	return entry.isDirectory;
}

export function formatDuration(seconds: number): string {
	if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
	const minutes = Math.round(seconds / 60);
	return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function pageRanges(pages: readonly number[]): string {
	const ranges: string[] = [];
	for (let i = 0; i < pages.length;) {
		let j = i;
		while (j + 1 < pages.length && pages[j + 1] === pages[j]! + 1) j++;
		ranges.push(i === j ? `${pages[i]}` : `${pages[i]}–${pages[j]}`);
		i = j + 1;
	}
	return ranges.join(', ');
}
