import { createActor, fromPromise, type Actor } from 'xstate';
import type { DocketDatabase } from '../db/database.ts';
import { storeOriginal, type FileStore } from '../db/file-store.ts';
import { createDocument, updateDocumentState } from '../db/documents.ts';
import { write } from '../db/writes.ts';
import type { DocumentRow, DocumentStatus, JobRow } from '../db/schema.ts';
import { MissingRecordError, OriginalMissingError, toDocketError } from '../errors.ts';
import { ScanLane, type ScanPhase } from '../ocr/scan-lane.ts';
import type { ChunkOptions } from './chunker.ts';
import type { ClaimMessage, JobClaims } from './job-claims.ts';
import {
	ACTIVE_STATES,
	ingestJobMachine,
	jobStateOf,
	type ExtractInput,
	type IngestJobInput,
	type ReadInput,
	type StoreInput
} from './ingest-job.machine.ts';
import { extensionOf } from './sniff.ts';
import { storeExtraction, storesItself, type ExtractionOutcome } from './store-extraction.ts';
import type { Extractor } from './types.ts';

/**
 * Where `done` leads when embeddings exist (the models issue builds the embedder). While `ready()` is
 * false, documents end `indexed` and are searchable by keyword; when it is true, they end `embedding`
 * and an `embed` job (kind 'embed', state 'queued') is written in the same transaction as the chunks, for
 * the embedding runner to pick up through the jobs table's [kind+state] index.
 */
export interface EmbeddingHook {
	ready(): boolean;
}

export interface IngestRunnerOptions {
	db: DocketDatabase;
	files: FileStore;
	/**
	 * A `StoringExtractor` (the browser's worker) also chunks and stores what it extracts, so the page's
	 * thread never handles the text; any other extractor's results are stored here.
	 */
	extractor: Extractor;
	/** Files extracted at once. Two keeps one file's reading overlapped with another's extraction. */
	concurrency?: number;
	chunk?: ChunkOptions;
	embedding?: EmbeddingHook;
	/** Called after a document's pages and chunks are committed (indexed or handed on to embedding). */
	onDocumentIndexed?: (document: DocumentRow) => void;
	/** Reads pages without a text layer by OCR, where the extractor stores itself (default true; `ocr/job.ts`). */
	ocr?: boolean;
	/** Shares the jobs with other tabs, one tab working each (`job-claims.ts`); omitted in Node. */
	claims?: JobClaims;
}

/** One file to add: a browser `File`, or any blob with a name. */
export interface IncomingFile {
	name: string;
	blob: Blob;
	/** Defaults to the blob's own type. */
	mimeType?: string;
}

export interface AddResult {
	/** New documents, each with its job. */
	added: { documentId: string; jobId: string; name: string }[];
	/** Files whose bytes the case already has: recognised, not stored or indexed twice. */
	duplicates: { name: string; documentId: string }[];
	/** Files refused before storing (zero bytes), or that could not be stored (storage full). */
	refused: { name: string; error: string }[];
}

export interface JobProgress {
	jobId: string;
	documentId: string;
	caseId: string;
	state: JobRow['state'];
	pagesDone: number;
	/** 0 until pdf.js has opened the file. */
	pageCount: number;
	/** Over the time this job has been extracting. */
	pagesPerSecond: number;
	/** Undefined until there is a rate to estimate from. */
	secondsLeft: number | undefined;
	passwordReason: 'required' | 'incorrect' | undefined;
	error: string | undefined;
	/** A scan's turn for OCR: `waiting` behind other work, then `reading`; undefined for other files. */
	scan: ScanPhase | undefined;
	/** While pages are read by OCR: "OCR page `done` of `total`". */
	ocr: { done: number; total: number } | undefined;
}

type JobActor = Actor<typeof ingestJobMachine>;

interface Tracked {
	actor: JobActor;
	caseId: string;
	documentId: string;
	/** Persisted writes for this job, in order. */
	writes: Promise<void>;
	lastState: string;
	lastProgressWrite: number;
	extractStartedAt: number | undefined;
	scan: ScanPhase | undefined;
	/** A password submitted while an earlier one was being tried. */
	pendingPassword?: string;
}

const TERMINAL_DOCUMENT: ReadonlySet<DocumentStatus> = new Set([
	'indexed',
	'embedding',
	'no-text',
	'damaged',
	'unsupported'
]);
const PROGRESS_WRITE_MS = 500;
/** How often a tab tells the others of its jobs' progress. */
const PROGRESS_SHARE_MS = 250;

/**
 * The document status the runner writes when a job enters a state in which none of its actors runs.
 * While actors run (reading → chunking) they write the status themselves, in order with their own work,
 * so a late write can never cover the final status the store step commits with the chunks.
 */
function documentStatusOf(state: string): DocumentStatus | undefined {
	if (state === 'queued') return 'queued';
	if (state === 'waiting-password') return 'needs-password';
	if (state === 'failed' || state === 'cancelled') return 'failed';
	return undefined; // done: the store step wrote the final status with the chunks.
}

function mimeTypeFor(name: string, given: string): string {
	if (given) return given;
	const ext = extensionOf(name);
	if (ext === 'pdf') return 'application/pdf';
	if (ext === 'md' || ext === 'markdown') return 'text/markdown';
	if (ext === 'txt') return 'text/plain';
	return 'application/octet-stream';
}

/**
 * Runs ingestion jobs for every case: stores originals first, then one XState actor per file, at most
 * `concurrency` at work, each transition persisted to the `jobs` table so `resume()` after a reload picks
 * up where the last tab stopped. The UI reads documents and jobs through liveQuery, and live progress
 * (pages per second, time left) through `subscribe`/`progress`.
 */
export class IngestRunner {
	readonly #db: DocketDatabase;
	readonly #files: FileStore;
	readonly #extractor: Extractor;
	readonly #concurrency: number;
	readonly #chunk: ChunkOptions;
	readonly #embedding: EmbeddingHook | undefined;
	readonly #onDocumentIndexed: ((document: DocumentRow) => void) | undefined;
	readonly #ocr: boolean;
	readonly #claims: JobClaims | undefined;
	readonly #jobs = new Map<string, Tracked>();
	/** Jobs another tab holds: shown with that tab's progress, the person's actions forwarded to it. */
	readonly #elsewhere = new Map<string, { documentId: string; caseId: string; progress?: JobProgress }>();
	readonly #claiming = new Set<string>();
	#broadcast: ReturnType<typeof setTimeout> | undefined;
	#resuming = 0;
	/** The case of every "cancel all" so far (undefined: every case), for files still being added then. */
	readonly #cancelsAll: (string | undefined)[] = [];
	readonly #scans = new ScanLane<Tracked>();
	readonly #listeners = new Set<() => void>();
	#idleWaiters: (() => void)[] = [];
	#disposed = false;
	#pumping = false;

	constructor(options: IngestRunnerOptions) {
		this.#db = options.db;
		this.#files = options.files;
		this.#extractor = options.extractor;
		this.#concurrency = Math.max(1, options.concurrency ?? 2);
		this.#chunk = options.chunk ?? {};
		this.#embedding = options.embedding;
		this.#onDocumentIndexed = options.onDocumentIndexed;
		this.#ocr = options.ocr ?? true;
		this.#claims = options.claims;
		this.#claims?.onMessage((message) => this.#heard(message));
	}

	/**
	 * Adds files to a case. Each file's bytes are stored (content-addressed) before anything else, so a
	 * failed extraction loses nothing; the same bytes already in the case are recognised, not added twice.
	 * One file that cannot be stored never stops the others.
	 */
	async addFiles(caseId: string, incoming: Iterable<IncomingFile>): Promise<AddResult> {
		const result: AddResult = { added: [], duplicates: [], refused: [] };
		const cancelsBefore = this.#cancelsAll.length;
		for (const file of incoming) {
			if (file.blob.size === 0) {
				result.refused.push({
					name: file.name,
					error:
						'This file is empty (0 bytes), so there is nothing to add. Check that it was saved or copied completely.'
				});
				continue;
			}
			try {
				const mimeType = mimeTypeFor(file.name, file.mimeType ?? file.blob.type);
				const stored = await storeOriginal(this.#db, this.#files, file.blob, mimeType);
				const added = await createDocument(this.#db, {
					caseId,
					name: file.name,
					sha256: stored.sha256,
					size: stored.size,
					mimeType
				});
				if (added.duplicate) {
					result.duplicates.push({ name: file.name, documentId: added.duplicate.id });
					continue;
				}
				const target = { jobId: added.job.id, documentId: added.document.id, caseId };
				// A new job is this tab's, unless another tab's resume saw its row first.
				if (await this.#claim(target)) {
					this.#track(target);
					// "Cancel all" pressed while this file was still being stored covers it too.
					if (this.#cancelsAll.slice(cancelsBefore).some((c) => c === undefined || c === caseId))
						this.cancel(target.jobId);
				}
				result.added.push({ documentId: added.document.id, jobId: added.job.id, name: file.name });
			} catch (error) {
				result.refused.push({ name: file.name, error: toDocketError(error).userMessage });
			}
		}
		this.#pump();
		return result;
	}

	/** Picks up every unfinished ingest job in the database (after a reload, or in a new tab). */
	async resume(): Promise<number> {
		// Busy until the jobs found are tracked: `idle()` must not resolve between a mailbox's store and
		// the pick-up of the messages it queued.
		this.#resuming++;
		try {
			return await this.#resume();
		} finally {
			this.#resuming--;
			this.#notify(false);
		}
	}

	async #resume(): Promise<number> {
		const rows = await this.#db.jobs
			.where('[kind+state]')
			.anyOf(
				(['queued', 'reading', 'extracting', 'chunking', 'waiting-password', 'failed', 'cancelled'] as const).map(
					(s) => ['ingest', s]
				)
			)
			.toArray();
		let resumed = 0;
		for (const found of rows.sort((a, b) => a.createdAt - b.createdAt)) {
			if (this.#jobs.has(found.id) || this.#elsewhere.has(found.id) || this.#claiming.has(found.id)) continue;
			if (!(await this.#claim({ jobId: found.id, documentId: found.documentId, caseId: found.caseId }))) continue;
			// Read again now that it is ours: the tab that held it may have finished it meanwhile.
			const row = this.#claims ? await this.#db.jobs.get(found.id) : found;
			if (this.#disposed) return resumed;
			// A resume running beside this one may have taken it up while the row was read.
			if (this.#jobs.has(found.id)) continue;
			if (!row || row.state === 'done') {
				this.#claims?.release(found.id);
				continue;
			}
			const resumeFrom: IngestJobInput['resumeFrom'] =
				row.state === 'waiting-password' || row.state === 'failed' || row.state === 'cancelled' ? row.state : 'queued';
			this.#track({
				jobId: row.id,
				documentId: row.documentId,
				caseId: row.caseId,
				resumeFrom,
				attempts: row.attempts,
				...(row.error === undefined ? {} : { error: row.error })
			});
			if (resumeFrom === 'queued') resumed++;
		}
		this.#pump();
		return resumed;
	}

	cancel(jobId: string): void {
		if (this.#elsewhere.has(jobId)) this.#claims?.post({ type: 'cancel', jobId });
		this.#jobs.get(jobId)?.actor.send({ type: 'CANCEL' });
	}

	retry(jobId: string): void {
		if (this.#elsewhere.has(jobId)) this.#claims?.post({ type: 'retry', jobId });
		this.#jobs.get(jobId)?.actor.send({ type: 'RETRY' });
		this.#pump();
	}

	/** Cancels every unfinished job (of one case, when given), in every tab. */
	cancelAll(caseId?: string): void {
		this.#claims?.post({ type: 'cancel-all', caseId });
		this.#cancelOwn(caseId);
	}

	/** Retries every failed or cancelled job (of one case, when given), in every tab. */
	retryAll(caseId?: string): void {
		this.#claims?.post({ type: 'retry-all', caseId });
		this.#retryOwn(caseId);
	}

	#cancelOwn(caseId: string | undefined): void {
		this.#cancelsAll.push(caseId);
		for (const job of this.#jobs.values())
			if (caseId === undefined || job.caseId === caseId) job.actor.send({ type: 'CANCEL' });
	}

	#retryOwn(caseId: string | undefined): void {
		for (const job of this.#jobs.values())
			if (caseId === undefined || job.caseId === caseId) job.actor.send({ type: 'RETRY' });
		this.#pump();
	}

	/** Gives a waiting job its password; a wrong one brings it back to waiting, with reason `incorrect`. */
	/**
	 * Tries a password. One typed while an earlier try is still being checked is kept and tried when that
	 * one fails, so a quick second attempt is never dropped (the job takes passwords only while it waits).
	 */
	submitPassword(jobId: string, password: string): void {
		if (this.#elsewhere.has(jobId)) this.#claims?.post({ type: 'password', jobId, password });
		const job = this.#jobs.get(jobId);
		if (!job) return;
		if (String(job.actor.getSnapshot().value) === 'waiting-password') job.actor.send({ type: 'PASSWORD', password });
		else job.pendingPassword = password;
		this.#pump();
	}

	/** The job of a document, if this runner holds one. */
	jobOf(documentId: string): string | undefined {
		for (const [id, job] of this.#jobs) if (job.documentId === documentId) return id;
		for (const [id, job] of this.#elsewhere) if (job.documentId === documentId) return id;
		return undefined;
	}

	progress(jobId: string): JobProgress | undefined {
		const remote = this.#elsewhere.get(jobId);
		if (remote) return remote.progress;
		const job = this.#jobs.get(jobId);
		if (!job) return undefined;
		const snapshot = job.actor.getSnapshot();
		const pagesDone = snapshot.context.progress?.pagesDone ?? 0;
		const pageCount = snapshot.context.progress?.pageCount ?? 0;
		const seconds = job.extractStartedAt === undefined ? 0 : (Date.now() - job.extractStartedAt) / 1000;
		const pagesPerSecond = seconds > 0 ? pagesDone / seconds : 0;
		return {
			jobId,
			documentId: job.documentId,
			caseId: job.caseId,
			state: jobStateOf(String(snapshot.value)),
			pagesDone,
			pageCount,
			pagesPerSecond,
			secondsLeft: pagesPerSecond > 0 && pageCount > 0 ? (pageCount - pagesDone) / pagesPerSecond : undefined,
			passwordReason: snapshot.context.passwordReason,
			error: snapshot.context.error,
			scan: job.scan,
			ocr: job.scan === 'reading' ? snapshot.context.progress?.ocr : undefined
		};
	}

	/** Every job this runner holds (of one case, when given). */
	allProgress(caseId?: string): JobProgress[] {
		return [...this.#jobs.keys(), ...this.#elsewhere.keys()].flatMap((id) => {
			const p = this.progress(id);
			return p && (caseId === undefined || p.caseId === caseId) ? [p] : [];
		});
	}

	/** Called on every change of any job (state or page progress). Returns the unsubscribe function. */
	subscribe(listener: () => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** Resolves when no job is queued or at work, and every state change has been written. */
	async idle(): Promise<void> {
		for (;;) {
			if (!this.#busy()) {
				await Promise.all([...this.#jobs.values()].map((j) => j.writes));
				if (!this.#busy()) return;
			}
			await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
		}
	}

	/** Stops every actor (work in progress is cancelled in memory; the database keeps it for `resume`). */
	async dispose(): Promise<void> {
		this.#disposed = true;
		clearTimeout(this.#broadcast);
		const writes = [...this.#jobs.values()].map((j) => j.writes);
		for (const job of this.#jobs.values()) job.actor.stop();
		this.#jobs.clear();
		await Promise.all(writes);
		// Only once the last states are written: a tab taking the jobs over reads them.
		this.#claims?.close();
	}

	/**
	 * Claims a job for this tab. One another tab holds is left to it, and taken over (by `resume`) once
	 * that tab finishes it or closes.
	 */
	async #claim(target: { jobId: string; documentId: string; caseId: string }): Promise<boolean> {
		const claims = this.#claims;
		if (!claims) return true;
		this.#claiming.add(target.jobId);
		try {
			if (await claims.claim(target.jobId)) return true;
		} finally {
			this.#claiming.delete(target.jobId);
		}
		this.#elsewhere.set(target.jobId, { documentId: target.documentId, caseId: target.caseId });
		void claims
			.whenFree(target.jobId)
			.then(async () => {
				this.#elsewhere.delete(target.jobId);
				this.#notify(false);
				// Most jobs are finished by the tab that held them: look for work only when one was left undone.
				const row = await this.#db.jobs.get(target.jobId);
				if (!this.#disposed && row && row.state !== 'done') await this.resume();
			})
			.catch((error: unknown) => console.warn('could not take over an ingest job from another tab', error));
		return false;
	}

	#heard(message: ClaimMessage): void {
		if (this.#disposed) return;
		switch (message.type) {
			case 'progress': {
				let changed = false;
				for (const job of message.jobs) {
					const remote = this.#elsewhere.get(job.jobId);
					if (remote) {
						remote.progress = job;
						changed = true;
					}
				}
				if (changed) this.#notify(false);
				return;
			}
			case 'cancel':
				this.#jobs.get(message.jobId)?.actor.send({ type: 'CANCEL' });
				return;
			case 'retry':
				if (this.#jobs.has(message.jobId)) this.retry(message.jobId);
				return;
			case 'password':
				if (this.#jobs.has(message.jobId)) this.submitPassword(message.jobId, message.password);
				return;
			case 'cancel-all':
				this.#cancelOwn(message.caseId);
				return;
			case 'retry-all':
				this.#retryOwn(message.caseId);
				return;
		}
	}

	/** Tells the other tabs how this tab's jobs are going, a few times a second at most. */
	#share(): void {
		const claims = this.#claims;
		if (!claims || this.#broadcast !== undefined || this.#jobs.size === 0) return;
		this.#broadcast = setTimeout(() => {
			this.#broadcast = undefined;
			if (this.#disposed) return;
			claims.post({ type: 'progress', jobs: [...this.#jobs.keys()].flatMap((id) => this.progress(id) ?? []) });
		}, PROGRESS_SHARE_MS);
	}

	#busy(): boolean {
		if (this.#resuming > 0) return true;
		for (const job of this.#jobs.values()) {
			const state = String(job.actor.getSnapshot().value);
			if (state === 'queued' || ACTIVE_STATES.includes(state)) return true;
		}
		return false;
	}

	#pump(): void {
		// Starting a job notifies its subscriber, which pumps again: one pump at a time keeps the count true.
		if (this.#disposed || this.#pumping) return;
		this.#pumping = true;
		try {
			for (;;) {
				const jobs = [...this.#jobs.values()];
				// A scan waiting for OCR, or being read, holds no slot: text files go ahead of it.
				const active = jobs.filter(
					(j) => !j.scan && ACTIVE_STATES.includes(String(j.actor.getSnapshot().value))
				).length;
				const next = jobs.find(
					(j) => j.actor.getSnapshot().status === 'active' && j.actor.getSnapshot().value === 'queued'
				);
				if (active >= this.#concurrency || !next) break;
				next.actor.send({ type: 'START' });
				// An actor that did not move (stopped, or broken) must not spin this loop forever.
				if (next.actor.getSnapshot().value === 'queued') break;
			}
			this.#admitScans();
		} finally {
			this.#pumping = false;
		}
	}

	/** Lets the next scans read by OCR once no text file is queued or at work: OCR runs at lower priority. */
	#admitScans(): void {
		const jobs = [...this.#jobs.values()];
		const textWork = jobs.some((j) => {
			const snapshot = j.actor.getSnapshot();
			const state = String(snapshot.value);
			return !j.scan && ((snapshot.status === 'active' && state === 'queued') || ACTIVE_STATES.includes(state));
		});
		this.#scans.admit(jobs, textWork);
	}

	/** Tells the listeners, and (for a change of this tab's own jobs) the other tabs. */
	#notify(own = true): void {
		if (own) this.#share();
		for (const listener of this.#listeners) listener();
		if (!this.#busy()) {
			const waiters = this.#idleWaiters;
			this.#idleWaiters = [];
			for (const resolve of waiters) resolve();
		}
	}

	#track(input: IngestJobInput): void {
		const machine = ingestJobMachine.provide({
			actors: {
				readOriginal: fromPromise<Uint8Array, ReadInput>(({ input: { documentId } }) =>
					this.#read(input.jobId, documentId)
				),
				extract: fromPromise<ExtractionOutcome, ExtractInput>(({ input: work, signal }) =>
					this.#extract(work, signal, tracked)
				),
				store: fromPromise<void, StoreInput>(({ input: work, signal }) => this.#store(work, signal))
			}
		});
		const actor = createActor(machine, { input });
		const tracked: Tracked = {
			actor,
			caseId: input.caseId,
			documentId: input.documentId,
			writes: Promise.resolve(),
			lastState: input.resumeFrom ?? 'queued',
			lastProgressWrite: 0,
			extractStartedAt: undefined,
			scan: undefined
		};
		this.#jobs.set(input.jobId, tracked);
		actor.subscribe({
			next: (snapshot) => {
				const state = String(snapshot.value);
				const changed = state !== tracked.lastState;
				if (changed && state === 'extracting') tracked.extractStartedAt = Date.now();
				if (changed && state === 'restoring') return;
				const now = Date.now();
				if (changed || now - tracked.lastProgressWrite >= PROGRESS_WRITE_MS) {
					tracked.lastProgressWrite = now;
					const previous = tracked.lastState;
					tracked.lastState = state;
					const progress = snapshot.context.progress;
					const fraction =
						state === 'done'
							? 1
							: progress?.ocr && progress.ocr.total > 0
								? progress.ocr.done / progress.ocr.total
								: progress && progress.pageCount > 0
									? progress.pagesDone / progress.pageCount
									: 0;
					const persist = () =>
						this.#persist(input.jobId, tracked, state, changed ? previous : undefined, fraction, snapshot.context);
					tracked.writes = tracked.writes.then(persist, persist).catch(() => undefined);
				}
				if (changed && state === 'waiting-password' && tracked.pendingPassword !== undefined) {
					const password = tracked.pendingPassword;
					tracked.pendingPassword = undefined;
					queueMicrotask(() => tracked.actor.send({ type: 'PASSWORD', password }));
				}
				if (changed && state === 'done') void tracked.writes.then(() => this.#claims?.release(input.jobId));
				if (changed) this.#pump();
				this.#notify();
				if (changed && !this.#busy()) void tracked.writes.then(() => this.#notify());
			},
			error: () => this.#notify()
		});
		actor.start();
	}

	async #persist(
		jobId: string,
		tracked: Tracked,
		state: string,
		changedFrom: string | undefined,
		progress: number,
		context: { attempts: number; error: string | undefined; passwordReason: 'required' | 'incorrect' | undefined }
	): Promise<void> {
		const now = Date.now();
		const jobChanges: Partial<JobRow> = {
			state: jobStateOf(state),
			progress,
			attempts: context.attempts,
			updatedAt: now
		};
		await write(this.#db, [this.#db.jobs, this.#db.documents], async () => {
			await this.#db.jobs.update(
				jobId,
				context.error === undefined ? { ...jobChanges, error: undefined } : { ...jobChanges, error: context.error }
			);
			if (changedFrom === undefined) return;
			const status = documentStatusOf(state);
			if (status === undefined) return;
			// A cancel that raced a finished store keeps the stored result rather than hiding it.
			const keep = (document: DocumentRow) =>
				state !== 'cancelled' ||
				!TERMINAL_DOCUMENT.has(document.status) ||
				document.updatedAt < (tracked.extractStartedAt ?? 0);
			const error =
				state === 'waiting-password'
					? context.passwordReason === 'incorrect'
						? 'That password did not open the PDF. Check it (including capitals and accents) and try again.'
						: 'This PDF is protected by a password. Enter its password to index it.'
					: state === 'cancelled'
						? 'Indexing was cancelled. Retry to index it.'
						: state === 'failed'
							? (context.error ?? 'Indexing failed.')
							: undefined;
			await updateDocumentState(
				this.#db,
				tracked.documentId,
				error === undefined ? { status, error: undefined, updatedAt: now } : { status, error, updatedAt: now },
				keep
			);
		});
	}

	async #read(jobId: string, documentId: string): Promise<Uint8Array> {
		await this.#jobs.get(jobId)?.writes;
		const document = await this.#db.documents.get(documentId);
		if (!document) throw new MissingRecordError('The document');
		await updateDocumentState(this.#db, documentId, { status: 'extracting', error: undefined, updatedAt: Date.now() });
		const blob = await this.#files.get(document.sha256);
		if (!blob) {
			throw new OriginalMissingError(document.name);
		}
		return new Uint8Array(await blob.arrayBuffer());
	}

	async #extract(work: ExtractInput, signal: AbortSignal, tracked: Tracked): Promise<ExtractionOutcome> {
		const document = await this.#db.documents.get(work.documentId);
		if (!document) throw new MissingRecordError('The document');
		const input = { name: document.name, bytes: work.bytes, mimeType: document.mimeType };
		const options = {
			signal,
			onProgress: work.onProgress,
			...(work.password === undefined ? {} : { password: work.password })
		};
		if (!storesItself(this.#extractor)) return this.#extractor.extract(input, options);
		const target = {
			documentId: document.id,
			caseId: document.caseId,
			embed: this.#embedding?.ready() ?? false,
			chunk: this.#chunk,
			fileStore: this.#files.kind
		};
		const first = await this.#extractor.extractAndStore(
			input,
			this.#db.name,
			this.#ocr ? { ...target, ocr: 'later' } : target,
			options
		);
		if (first.status !== 'needs-ocr') return first;
		// A scan: its turn at OCR comes after the text files (the slot it held is free meanwhile).
		try {
			const turn = this.#scans.turn(tracked, signal);
			this.#pump();
			this.#notify();
			await turn;
			this.#notify();
			const blob = await this.#files.get(document.sha256);
			if (!blob) throw new OriginalMissingError(document.name);
			const bytes = new Uint8Array(await blob.arrayBuffer());
			const read = await this.#extractor.extractAndStore(
				{ ...input, bytes },
				this.#db.name,
				{ ...target, ocr: 'now' },
				options
			);
			if (read.status === 'needs-ocr') throw new Error('The OCR worker handed the scan back unread.');
			return read;
		} finally {
			tracked.scan = undefined;
			this.#pump();
			this.#notify();
		}
	}

	async #store({ jobId, documentId, caseId, extraction }: StoreInput, signal: AbortSignal): Promise<void> {
		let document: DocumentRow;
		let indexed: boolean;
		if (extraction.status === 'stored') {
			// Stored where it was extracted (the worker); only the news is left to pass on.
			document = extraction.document;
			indexed = extraction.extractionStatus === 'indexed';
		} else {
			// The job's own status writes (e.g. "extracting") go first, so none lands after the final status.
			await this.#jobs.get(jobId)?.writes;
			const embed = this.#embedding?.ready() ?? false;
			document = await storeExtraction(
				this.#db,
				{ documentId, caseId, embed, chunk: this.#chunk },
				extraction,
				signal,
				this.#files
			);
			indexed = extraction.status === 'indexed';
		}
		if (indexed) this.#onDocumentIndexed?.(document);
		// A message's attachments and a mailbox's messages were queued as documents of their own.
		if (document.kind === 'mbox' || (document.email?.attachments.length ?? 0) > 0) void this.resume();
	}
}
