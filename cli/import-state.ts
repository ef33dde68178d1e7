import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

/**
 * The resumable state of one `docket ingest --server` run: an append-only JSON-lines log, one event per
 * line, written (synchronously) before the step it names is sent. A run killed mid-write leaves at most a
 * torn last line, which is ignored; every id a run sends is fixed here first, so a second run sends the
 * same ids and the server's answers (rows it holds, files it has) say what is left to do.
 */
const Event = z.discriminatedUnion('type', [
	z.object({ type: z.literal('case'), caseId: z.string(), clientId: z.string() }),
	/** A file's identity on the server, chosen before anything about it is sent. */
	z.object({
		type: z.literal('file'),
		path: z.string(),
		size: z.number(),
		mtimeMs: z.number(),
		sha256: z.string(),
		documentId: z.string()
	}),
	/** Its document row and every chunk were acknowledged by the server. */
	z.object({ type: z.literal('pushed'), documentId: z.string() }),
	/** The tus upload it resumes from. */
	z.object({ type: z.literal('upload-url'), documentId: z.string(), url: z.string() }),
	/** The server has the original (the upload finished and its SHA-256 matched). */
	z.object({ type: z.literal('uploaded'), documentId: z.string() }),
	/** Every file inside it (a mailbox's messages, a message's attachments, theirs in turn) is pushed and uploaded. */
	z.object({ type: z.literal('family-done'), documentId: z.string() })
]);
export type ImportEvent = z.infer<typeof Event>;

export interface PlannedFile {
	path: string;
	size: number;
	mtimeMs: number;
	sha256: string;
	documentId: string;
}

export class ImportState {
	case: { caseId: string; clientId: string } | undefined;
	readonly files = new Map<string, PlannedFile>();
	/** The id fixed for each SHA-256 (a file's, or one found inside a file), the first one recorded. */
	readonly idBySha = new Map<string, string>();
	/** Every id this import fixed, so a row of the case with one of them is known to be its own. */
	readonly ids = new Set<string>();
	readonly pushed = new Set<string>();
	readonly uploaded = new Set<string>();
	readonly uploadUrls = new Map<string, string>();
	readonly familyDone = new Set<string>();

	private constructor(readonly path: string) {}

	static load(path: string): ImportState {
		const state = new ImportState(path);
		let text = '';
		try {
			text = readFileSync(path, 'utf8');
		} catch (error) {
			if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
		}
		for (const line of text.split('\n')) {
			if (!line.trim()) continue;
			let json: unknown;
			try {
				json = JSON.parse(line);
			} catch {
				continue; // a line torn by a kill mid-write
			}
			const event = Event.safeParse(json);
			if (event.success) state.apply(event.data);
		}
		return state;
	}

	private apply(event: ImportEvent): void {
		switch (event.type) {
			case 'case':
				this.case = { caseId: event.caseId, clientId: event.clientId };
				break;
			case 'file': {
				const { type: _type, ...file } = event;
				this.files.set(event.path, file);
				if (!this.idBySha.has(file.sha256)) this.idBySha.set(file.sha256, file.documentId);
				this.ids.add(file.documentId);
				break;
			}
			case 'pushed':
				this.pushed.add(event.documentId);
				break;
			case 'upload-url':
				this.uploadUrls.set(event.documentId, event.url);
				break;
			case 'uploaded':
				this.uploaded.add(event.documentId);
				break;
			case 'family-done':
				this.familyDone.add(event.documentId);
				break;
		}
	}

	/** Records an event durably enough for a kill: the line is in the file before this returns. */
	record(event: ImportEvent): void {
		mkdirSync(dirname(this.path), { recursive: true });
		appendFileSync(this.path, `${JSON.stringify(event)}\n`);
		this.apply(event);
	}
}
