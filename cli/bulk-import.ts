import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Upload } from 'tus-js-client';
import { z } from 'zod';
import { DOCUMENT_STATUSES, type DocumentKind, type DocumentStatus } from '../src/lib/db/schema.ts';
import { DocketError } from '../src/lib/errors.ts';
import { expandPaths, ingestBytes, type IngestedFile } from '../src/lib/ingest/ingest-file.node.ts';
import { nodeExtractionPool } from '../src/lib/ingest/pool.node.ts';
import { hasPages, type FamilyExtraction } from '../src/lib/ingest/types.ts';
import { childLabel } from '../src/lib/ingest/ingest-family.node.ts';
import { sniffFamily } from '../src/lib/ingest/email/sniff-family.ts';
import { FAMILY_LIMITS, type ChildFile, type MessageMeta } from '../src/lib/ingest/email/types.ts';
import { layerOf } from '../src/lib/db/ocr-layers.ts';
import { locationFields } from '../src/lib/ingest/location.ts';
import { pageNameFields } from '../src/lib/ingest/page-label.ts';
import { SyncServerError } from '../src/lib/errors.ts';
import { normaliseServerUrl, SyncApi } from '../src/lib/sync/api-client.ts';
import { patientFetch, patientHttpStack } from '../src/lib/sync/rate-limit.ts';
import { LIMITS, TUS_PATH, fileUrl, type Mutation, type ServerRow } from '../src/lib/sync/protocol.ts';
import type { CommandIo } from './command.ts';
import { ImportState, type PlannedFile } from './import-state.ts';
import { Progress } from './progress.ts';

/**
 * `docket ingest FOLDER --server URL --case NAME`: extracts a folder locally with the worker pool and
 * sends it to the team server the way the app would have: document rows and chunks through the sync
 * protocol (so teammates pull them and search at once, without extracting), originals through tus.
 */
export interface BulkImportOptions {
	paths: readonly string[];
	server: string;
	caseName: string;
	token?: string;
	email?: string;
	statePath?: string;
	passwords: readonly string[];
	json: boolean;
	/** Uploads at a time. */
	uploads?: number;
	env?: NodeJS.ProcessEnv;
}

/** The line `--json` prints per file: `docket ingest`'s, plus what the server got. */
export interface ImportReport {
	file: string;
	sha256: string;
	status: DocumentStatus;
	pages: number;
	chunks: number;
	error?: string;
	/** `sent`: something of this file went up in this run; `skipped`: the server had all of it already. */
	server: 'sent' | 'skipped';
	documentId: string;
	/** For a file found inside another (a mailbox's message, a message's attachment): that file's label. */
	parent?: string;
}

/** `POST /api/v1/auth/login`'s contract (DESIGN.md). */
const LoginResponse = z.object({ token: z.string().min(1) });

/** A stable UUID from a name, so a resumed run sends the ids (and mutation ids) it sent before. */
export function nameUuid(name: string): string {
	const hex = createHash('sha256').update(name).digest('hex');
	const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function defaultStatePath(server: string, caseName: string, paths: readonly string[]): string {
	const key = createHash('sha256')
		.update(JSON.stringify([server, caseName, paths.map((p) => resolve(p))]))
		.digest('hex')
		.slice(0, 16);
	const base = process.env['XDG_STATE_HOME'] || join(homedir(), '.local', 'state');
	return join(base, 'docket', `import-${key}.jsonl`);
}

async function promptPassword(email: string): Promise<string> {
	if (!process.stdin.isTTY)
		throw new DocketError('invalid-input', `No password for ${email}: set DOCKET_PASSWORD or run in a terminal.`);
	const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
	// Typed characters are not echoed: readline writes through this, and we print only the prompt.
	const write = Reflect.get(rl, '_writeToOutput');
	Reflect.set(rl, '_writeToOutput', (text: string) => {
		if (text.startsWith('Password')) Reflect.apply(write, rl, [text]);
	});
	try {
		return await new Promise<string>((done) => rl.question(`Password for ${email}: `, done));
	} finally {
		rl.close();
		process.stderr.write('\n');
	}
}

/** Signs in with email and password (`POST /api/v1/auth/login`) and returns the device's token. */
export async function signIn(url: string, email: string, password: string): Promise<string> {
	let response: Response;
	try {
		response = await fetch(`${url}/api/v1/auth/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ email, password, deviceName: `docket ingest on ${hostname()}` })
		});
	} catch (error) {
		throw new DocketError('network', `${url} could not be reached.`, { cause: error });
	}
	if (response.status === 404)
		throw new DocketError('invalid-input', 'This server does not offer sign-in by email.', {
			action: 'Use --team-token with a token from `docket server user add`.'
		});
	if (response.status === 401 || response.status === 403)
		throw new DocketError('unauthorized', `The server did not accept the password for ${email}.`);
	if (!response.ok)
		throw new SyncServerError(`Sign-in failed: the server answered ${response.status}.`, response.status);
	const body = LoginResponse.safeParse(await response.json().catch(() => undefined));
	if (!body.success) throw new SyncServerError('Sign-in answered without a token.', response.status);
	return body.data.token;
}

interface ServerView {
	cases: ServerRow[];
	/** Live documents by id. */
	documents: Map<string, ServerRow>;
	/** Live chunk ids by document id. */
	chunks: Map<string, Set<string>>;
}

async function pullEverything(api: SyncApi): Promise<ServerView> {
	const view: ServerView = { cases: [], documents: new Map(), chunks: new Map() };
	const latest = new Map<string, ServerRow>();
	for (let since = 0; ;) {
		const page = await api.pull(since, LIMITS.maxPullLimit);
		for (const row of page.changes) latest.set(`${row.table}:${row.id}`, row);
		since = page.checkpoint;
		if (!page.hasMore) break;
	}
	for (const row of latest.values()) {
		if (row.deleted) continue;
		if (row.table === 'cases') view.cases.push(row);
		else if (row.table === 'documents') view.documents.set(row.id, row);
		else if (row.table === 'chunks') {
			const documentId = String(row.fields['documentId'] ?? '');
			const set = view.chunks.get(documentId) ?? new Set<string>();
			set.add(row.id);
			view.chunks.set(documentId, set);
		}
	}
	return view;
}

const MIME_TYPES: Partial<Record<DocumentKind, string>> = {
	pdf: 'application/pdf',
	markdown: 'text/markdown',
	text: 'text/plain',
	email: 'message/rfc822',
	mbox: 'application/mbox',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	html: 'text/html'
};

function mimeTypeOf(kind: DocumentKind): string {
	return MIME_TYPES[kind] ?? 'application/octet-stream';
}

/** What a document of a family carries besides its extraction (`db/family.ts` sets the same in the app). */
export interface FamilyFields {
	/** The document's name when it is not the file's (a child's own name, not its label). */
	name?: string;
	mimeType?: string;
	parentId?: string;
	threadId?: string;
	email?: MessageMeta;
	mailbox?: { messages: number };
}

/**
 * The mutations that put one extracted file on the server: its text first (chunks, with the printed page
 * names and the map back to the page, and each OCR page's layer), then its document row.
 */
export function fileMutations(
	caseId: string,
	planned: PlannedFile,
	ingested: IngestedFile,
	now: number,
	family: FamilyFields = {}
): { chunks: Mutation[]; document: Mutation } {
	const { extraction, chunks } = ingested;
	const documentId = planned.documentId;
	const chunkMutations = chunks.map((c): Mutation => {
		const id = nameUuid(`${documentId}:chunk:${c.ordinal}`);
		return {
			mutationId: nameUuid(`${id}:put`),
			table: 'chunks',
			id,
			baseRev: 0,
			op: 'put',
			fields: {
				caseId,
				documentId,
				ordinal: c.ordinal,
				page: c.page,
				start: c.start,
				end: c.end,
				text: c.text,
				...(c.shifts ? { shifts: c.shifts } : {}),
				...pageNameFields(c),
				...locationFields(c)
			}
		};
	});
	const layerMutations = hasPages(extraction)
		? extraction.pages.flatMap((p): Mutation[] => {
				const id = nameUuid(`${documentId}:ocr:${p.page}`);
				const layer = p.ocr ? layerOf({ documentId, page: p.page, caseId, text: p.text, ocr: p.ocr }, id) : undefined;
				if (!layer) return [];
				const { rev: _rev, id: _id, ...fields } = layer;
				return [{ mutationId: nameUuid(`${id}:put`), table: 'ocrLayers', id, baseRev: 0, op: 'put', fields }];
			})
		: [];
	const kind: DocumentKind = extraction.status === 'unsupported' ? 'unknown' : extraction.kind;
	const fields: Record<string, unknown> = {
		caseId,
		name: family.name ?? basename(planned.path),
		sha256: planned.sha256,
		size: planned.size,
		mimeType: family.mimeType ?? mimeTypeOf(kind),
		kind,
		status: extraction.status,
		createdAt: now,
		updatedAt: now
	};
	if (hasPages(extraction)) {
		fields['pages'] = extraction.pageCount;
		fields['pagesWithoutText'] = extraction.pagesWithoutText;
		if (extraction.ocr) fields['ocr'] = extraction.ocr;
		if (extraction.ocrSkipped) fields['ocrSkipped'] = extraction.ocrSkipped;
	}
	if ('error' in extraction) fields['error'] = extraction.error;
	for (const key of ['parentId', 'threadId', 'email', 'mailbox'] as const)
		if (family[key] !== undefined) fields[key] = family[key];
	return {
		chunks: [...chunkMutations, ...layerMutations],
		document: {
			mutationId: nameUuid(`${documentId}:put`),
			table: 'documents',
			id: documentId,
			baseRev: 0,
			op: 'put',
			fields
		}
	};
}

/** Pushes in batches within the protocol's limits; any refusal stops the import with the server's reason. */
async function pushAll(api: SyncApi, clientId: string, mutations: readonly Mutation[]): Promise<void> {
	let batch: Mutation[] = [];
	let bytes = 0;
	const flush = async () => {
		if (batch.length === 0) return;
		const { results } = await api.push(clientId, batch);
		const bad = results.find((r) => r.status === 'rejected' || r.status === 'conflict');
		if (bad)
			throw new DocketError(
				'internal',
				`The server refused a row (${bad.status}): ${bad.reason ?? 'no reason given'}.`
			);
		batch = [];
		bytes = 0;
	};
	for (const mutation of mutations) {
		const size = JSON.stringify(mutation).length;
		if (batch.length >= LIMITS.maxMutationsPerPush || bytes + size > LIMITS.maxJsonBodyBytes / 2) await flush();
		batch.push(mutation);
		bytes += size;
	}
	await flush();
}

/** Runs `work` over `items` with at most `limit` at once. */
async function eachLimited<T>(items: AsyncIterable<T>, limit: number, work: (item: T) => Promise<void>): Promise<void> {
	const running = new Set<Promise<void>>();
	let failure: unknown;
	for await (const item of items) {
		if (failure !== undefined) break;
		const task = work(item).catch((error: unknown) => {
			failure ??= error;
		});
		running.add(task);
		void task.finally(() => running.delete(task));
		if (running.size >= limit) await Promise.race(running);
	}
	await Promise.all(running);
	if (failure !== undefined) throw failure;
}

interface Uploadable {
	planned: PlannedFile;
	bytes: Uint8Array;
	/** The name the server keeps, when not the path's (a child's own name). */
	name?: string;
}

function upload(
	url: string,
	token: string,
	caseId: string,
	item: Uploadable,
	state: ImportState,
	signal: AbortSignal
): Promise<void> {
	const { planned } = item;
	const previous = state.uploadUrls.get(planned.documentId);
	return new Promise<void>((done, fail) => {
		const task = new Upload(Buffer.from(item.bytes.buffer, item.bytes.byteOffset, item.bytes.byteLength), {
			endpoint: `${url}${TUS_PATH}`,
			...(previous ? { uploadUrl: previous } : {}),
			headers: { authorization: `Bearer ${token}` },
			metadata: {
				caseId,
				documentId: planned.documentId,
				sha256: planned.sha256,
				filename: item.name ?? basename(planned.path)
			},
			uploadSize: item.bytes.byteLength,
			chunkSize: 8 * 1024 * 1024,
			storeFingerprintForResuming: false,
			retryDelays: [0, 1000, 3000, 5000],
			httpStack: patientHttpStack(),
			onUploadUrlAvailable: () => {
				if (task.url && task.url !== previous)
					state.record({ type: 'upload-url', documentId: planned.documentId, url: task.url });
			},
			onSuccess: () => settle(done),
			onError: (error) => settle(() => fail(error))
		});
		const cancel = () => void task.abort().then(() => fail(new DocketError('cancelled', 'Cancelled.')));
		// The listener holds the upload and its bytes: it goes when the upload ends, or a big share's files
		// would all stay in memory until the import ends.
		const settle = (end: () => void) => {
			signal.removeEventListener('abort', cancel);
			end();
		};
		signal.addEventListener('abort', cancel, { once: true });
		task.start();
	});
}

async function serverHasFile(url: string, token: string, documentId: string): Promise<boolean> {
	const response = await patientFetch(fetch)(`${url}${fileUrl(documentId)}`, {
		method: 'HEAD',
		headers: { authorization: `Bearer ${token}` }
	});
	return response.ok;
}

export async function bulkImport(options: BulkImportOptions, io: CommandIo): Promise<number> {
	const env = options.env ?? process.env;
	const url = normaliseServerUrl(options.server);
	let token = options.token ?? env['DOCKET_TOKEN'];
	if (!token) {
		if (!options.email) throw new DocketError('invalid-input', 'Give --team-token T (or DOCKET_TOKEN), or --email E.');
		const password = env['DOCKET_PASSWORD'] ?? (await promptPassword(options.email));
		token = await signIn(url, options.email, password);
	}
	const api = new SyncApi({ url, token });
	await api.check();

	const statePath = options.statePath ?? defaultStatePath(url, options.caseName, options.paths);
	const state = ImportState.load(statePath);
	const view = await pullEverything(api);

	// The case: the one this import made before, else the server's case of that title, else a new one.
	let caseId = state.case && view.cases.some((c) => c.id === state.case!.caseId) ? state.case.caseId : undefined;
	caseId ??= view.cases.filter((c) => c.fields['title'] === options.caseName).sort((a, b) => a.seq - b.seq)[0]?.id;
	const clientId = state.case?.clientId ?? crypto.randomUUID();
	if (!caseId) {
		caseId = state.case?.caseId ?? crypto.randomUUID();
		state.record({ type: 'case', caseId, clientId });
		const now = Date.now();
		await pushAll(api, clientId, [
			{
				mutationId: nameUuid(`${caseId}:put`),
				table: 'cases',
				id: caseId,
				baseRev: 0,
				op: 'put',
				fields: { title: options.caseName, createdAt: now, updatedAt: now, lastActivityAt: now }
			}
		]);
		io.progress?.write(`docket ingest: created case “${options.caseName}” on ${url}\n`);
	} else if (state.case?.caseId !== caseId) state.record({ type: 'case', caseId, clientId });

	// What the case already holds, by SHA-256 (documents with an original on the server count once found).
	const bySha = new Map<string, ServerRow>();
	for (const doc of view.documents.values())
		if (doc.fields['caseId'] === caseId && typeof doc.fields['sha256'] === 'string')
			bySha.set(doc.fields['sha256'], doc);

	let unreadable = 0;
	let files: string[] = [];
	for (const path of options.paths) {
		try {
			files.push(
				...(await expandPaths([path], (skipped, why) => {
					unreadable++;
					io.stderr(`docket ingest: ${skipped}: ${why}`);
				}))
			);
		} catch (error) {
			unreadable++;
			io.stderr(`docket ingest: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
		}
	}
	// Never the state log itself, when it lives inside the folder being imported.
	files = [...new Set(files.map((f) => resolve(f)))].filter((f) => f !== resolve(statePath));
	const sizes = new Map<string, { size: number; mtimeMs: number }>();
	for (const file of files) {
		const s = await stat(file);
		sizes.set(file, { size: s.size, mtimeMs: s.mtimeMs });
	}
	const progress = io.progress
		? new Progress(io.progress, 'docket ingest', {
				files: files.length,
				bytes: [...sizes.values()].reduce((a, b) => a + b.size, 0)
			})
		: undefined;

	const pool = nodeExtractionPool();
	const controller = new AbortController();
	let interrupted = false;
	const onSignal = () => {
		interrupted = true;
		controller.abort();
	};
	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);
	const report = (line: ImportReport) => {
		if (options.json) io.stdout(JSON.stringify(line));
		else
			io.stdout(
				`${line.server.padEnd(7)} ${line.status.padEnd(14)} ${String(line.pages).padStart(5)} pages ${String(line.chunks).padStart(6)} chunks  ${line.file}${line.error ? `  — ${line.error}` : ''}`
			);
	};
	/** Files of this run by SHA-256, so two copies in the folder go up once. */
	const thisRun = new Map<string, string>();

	// Stage 1 (pool-wide): read, hash, extract, push rows. Stage 2 (4 at a time): upload originals.
	const uploads: Promise<void>[] = [];
	const uploading = new Set<Promise<void>>();
	const maxUploads = options.uploads ?? 4;
	let failure: unknown;
	const queueUpload = async (item: Uploadable, done: () => void) => {
		while (uploading.size >= maxUploads) await Promise.race(uploading);
		const task = upload(url, token, caseId, item, state, controller.signal).then(() => {
			state.record({ type: 'uploaded', documentId: item.planned.documentId });
			done();
		});
		const tracked = task.catch((error: unknown) => {
			failure ??= error;
			controller.abort();
		});
		uploading.add(tracked);
		void tracked.finally(() => uploading.delete(tracked));
		uploads.push(tracked);
	};

	// Threads as the app forms them (`threadOf` in db/family.ts): a message joins the thread of one it
	// answers or cites, among the case's messages on the server and those sent before it in this run.
	const threads = new Map<string, string>();
	for (const doc of view.documents.values()) {
		const email = doc.fields['email'] as Partial<MessageMeta> | undefined;
		if (doc.fields['caseId'] === caseId && email?.messageId && typeof doc.fields['threadId'] === 'string')
			threads.set(email.messageId, doc.fields['threadId']);
	}
	const threadOf = (meta: MessageMeta): string => {
		for (const id of [meta.inReplyTo, ...[...meta.references].reverse()]) {
			const found = id ? threads.get(id) : undefined;
			if (found) return found;
		}
		return meta.threadKey;
	};
	/**
	 * The id a file found inside another goes up under: the case's document of those bytes, else the one
	 * this import fixed for them (in this run or one before), else a new one, recorded before anything
	 * names it. One id per SHA-256, so every message carrying an attachment lists the same document; and
	 * fresh, not derived from the bytes, so a document a teammate has since deleted is not written again.
	 */
	const idFor = (sha256: string, label: string, size: number): string => {
		const known = bySha.get(sha256)?.id ?? thisRun.get(sha256) ?? state.idBySha.get(sha256);
		if (known) return known;
		const documentId = crypto.randomUUID();
		state.record({ type: 'file', path: label, size, mtimeMs: 0, sha256, documentId });
		return documentId;
	};
	const familyOf = (ingested: IngestedFile | undefined): FamilyExtraction | undefined =>
		ingested && hasPages(ingested.extraction) ? ingested.extraction.family : undefined;
	/** Which children become documents (and under which id), and why any may not: the depth limit. */
	const planChildren = (children: readonly ChildFile[], depth: number, parentLabel: string) => {
		const ids = new Map<string, string>();
		const skipped = new Map<string, string>();
		for (const child of children) {
			if (depth + 1 > FAMILY_LIMITS.maxDepth)
				skipped.set(
					child.sha256,
					`Not opened: it is nested more than ${FAMILY_LIMITS.maxDepth} levels deep in other messages. Its bytes stay inside this message's original file.`
				);
			else ids.set(child.sha256, idFor(child.sha256, childLabel(parentLabel, child.name), child.bytes.byteLength));
		}
		return { ids, skipped };
	};
	/** The fields `linkFamily` gives a document in the app: its message (attachments by document), thread, mailbox. */
	const familyFields = (
		family: FamilyExtraction | undefined,
		plan: ReturnType<typeof planChildren>,
		own: FamilyFields
	): FamilyFields => {
		const fields: FamilyFields = { ...own };
		if (family?.messages !== undefined) fields.mailbox = { messages: family.messages };
		const meta = family?.message;
		if (meta) {
			fields.email = {
				...meta,
				attachments: meta.attachments.map((a) => {
					const documentId = plan.ids.get(a.sha256);
					const skipped = a.skipped ?? plan.skipped.get(a.sha256);
					return { ...a, ...(documentId ? { documentId } : {}), ...(skipped && !documentId ? { skipped } : {}) };
				})
			};
			fields.threadId = threadOf(meta);
			if (meta.messageId) threads.set(meta.messageId, fields.threadId);
		}
		return fields;
	};
	const isContainer = (bytes: Uint8Array, name: string) => {
		const kind = sniffFamily(bytes, name);
		return kind === 'email' || kind === 'mbox';
	};

	/**
	 * Sends the files inside `parent` (a mailbox's messages, a message's attachments), depth first, as local
	 * ingestion splits them: each its own document with `parentId`, extracted, pushed and uploaded once per
	 * SHA-256 in the case. Returns once all of them (and theirs) are on the server, so the caller may record
	 * its family done; a kill before that makes the next run walk the family again, skipping what is there.
	 */
	const sendChildren = async (
		parent: { id: string; label: string; depth: number },
		family: FamilyExtraction | undefined,
		plan: ReturnType<typeof planChildren>
	): Promise<void> => {
		const children = family?.children ?? [];
		// The bytes go as each child is sent: memory holds one branch of the family at a time.
		if (family) delete family.children;
		for (const child of children) {
			if (controller.signal.aborted) throw new DocketError('cancelled', 'Cancelled.');
			const label = childLabel(parent.label, child.name);
			const documentId = plan.ids.get(child.sha256);
			const onServer = bySha.get(child.sha256);
			const twin = thisRun.get(child.sha256);
			if (documentId === undefined || (onServer && !state.ids.has(onServer.id)) || twin !== undefined) {
				// Stored once: another message of this run, or the case on the server, has these bytes already.
				const fields = onServer?.fields ?? {};
				const skippedReason = plan.skipped.get(child.sha256);
				report({
					file: label,
					sha256: child.sha256,
					status: skippedReason ? 'unsupported' : statusOf(fields['status']),
					pages: typeof fields['pages'] === 'number' ? fields['pages'] : 0,
					chunks: view.chunks.get(onServer?.id ?? twin ?? '')?.size ?? 0,
					...(skippedReason ? { error: skippedReason } : {}),
					server: 'skipped',
					documentId: onServer?.id ?? twin ?? documentId ?? '',
					parent: parent.label
				});
				continue;
			}
			const mine = documentId;
			thisRun.set(child.sha256, mine);
			const planned: PlannedFile = {
				path: label,
				size: child.bytes.byteLength,
				mtimeMs: 0,
				sha256: child.sha256,
				documentId: mine
			};
			const ours = onServer?.id === mine;
			const rowsThere = ours || state.pushed.has(mine);
			const familyPending = isContainer(child.bytes, child.name) && !state.familyDone.has(mine);
			let ingested: IngestedFile | undefined;
			if (!rowsThere || familyPending)
				ingested = await ingestBytes(label, child.bytes, child.sha256, {
					extractor: pool,
					passwords: options.passwords,
					signal: controller.signal
				});
			const own = familyOf(ingested);
			const ownPlan = planChildren(own?.children ?? [], parent.depth + 1, label);
			let sent = false;
			if (!rowsThere && ingested) {
				const { chunks, document } = fileMutations(
					caseId,
					planned,
					ingested,
					Date.now(),
					familyFields(own, ownPlan, { name: child.name, mimeType: child.mimeType, parentId: parent.id })
				);
				const there = view.chunks.get(mine) ?? new Set<string>();
				await pushAll(api, clientId, [...chunks.filter((m) => !there.has(m.id)), document]);
				state.record({ type: 'pushed', documentId: mine });
				sent = true;
			} else if (own?.message?.messageId) threads.set(own.message.messageId, threadOf(own.message));
			if (!state.uploaded.has(mine) && !(ours && (await serverHasFile(url, token, mine)))) {
				await upload(url, token, caseId, { planned, bytes: child.bytes, name: child.name }, state, controller.signal);
				state.record({ type: 'uploaded', documentId: mine });
				sent = true;
			}
			const line: ImportReport = {
				file: label,
				sha256: child.sha256,
				status: ingested ? ingested.extraction.status : statusOf(onServer?.fields['status']),
				pages: ingested && hasPages(ingested.extraction) ? ingested.extraction.pageCount : 0,
				chunks: ingested ? ingested.chunks.length : (view.chunks.get(mine)?.size ?? 0),
				server: sent ? 'sent' : 'skipped',
				documentId: mine,
				parent: parent.label
			};
			if (ingested && 'error' in ingested.extraction) line.error = ingested.extraction.error;
			report(line);
			if (familyPending && ingested) {
				await sendChildren({ id: mine, label, depth: parent.depth + 1 }, own, ownPlan);
				state.record({ type: 'family-done', documentId: mine });
			}
		}
	};

	async function* plannedFiles(): AsyncGenerator<{ file: string; bytes: Uint8Array; planned: PlannedFile }> {
		for (const file of files) {
			if (controller.signal.aborted) return;
			const meta = sizes.get(file)!;
			let bytes: Uint8Array;
			try {
				bytes = await readFile(file);
			} catch (error) {
				unreadable++;
				io.stderr(`docket ingest: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
				continue;
			}
			const known = state.files.get(file);
			const sha256 =
				known && known.size === meta.size && known.mtimeMs === meta.mtimeMs
					? known.sha256
					: createHash('sha256').update(bytes).digest('hex');
			if (known?.sha256 === sha256) {
				yield { file, bytes, planned: known };
				continue;
			}
			// A new file (or one changed since): its id is fixed in the state before anything is sent.
			const planned: PlannedFile = {
				path: file,
				size: meta.size,
				mtimeMs: meta.mtimeMs,
				sha256,
				// The id already fixed for these bytes (a copy, or an attachment met first), else a new one.
				documentId: thisRun.get(sha256) ?? state.idBySha.get(sha256) ?? crypto.randomUUID()
			};
			const onServer = bySha.get(sha256);
			if (!onServer && !thisRun.has(sha256)) state.record({ type: 'file', ...planned });
			yield { file, bytes, planned };
		}
	}

	try {
		await eachLimited(plannedFiles(), pool.size * 2, async ({ file, bytes, planned }) => {
			const meta = sizes.get(file)!;
			const onServer = bySha.get(planned.sha256);
			const twin = thisRun.get(planned.sha256);
			const ours = onServer?.id === planned.documentId;
			if ((onServer && !ours) || twin !== undefined) {
				// The case has these bytes already (another import, a teammate's upload, or a copy in this folder).
				const fields = onServer?.fields ?? {};
				const pages = typeof fields['pages'] === 'number' ? fields['pages'] : 0;
				report({
					file,
					sha256: planned.sha256,
					status: statusOf(fields['status']),
					pages,
					chunks: view.chunks.get(onServer?.id ?? '')?.size ?? 0,
					server: 'skipped',
					documentId: onServer?.id ?? twin ?? planned.documentId
				});
				progress?.fileDone(file, meta.size, pages, 'skipped (on the server)');
				return;
			}
			thisRun.set(planned.sha256, planned.documentId);
			const rowsThere = ours || state.pushed.has(planned.documentId);
			// A message or mailbox whose family is not all on the server is read again for its children.
			const familyPending = isContainer(bytes, basename(file)) && !state.familyDone.has(planned.documentId);
			let sent = false;
			let ingested: IngestedFile | undefined;
			if (!rowsThere || familyPending) {
				ingested = await ingestBytes(file, bytes, planned.sha256, {
					extractor: pool,
					passwords: options.passwords,
					signal: controller.signal,
					onProgress: (p) => progress?.pages(file, p.pagesDone)
				});
			}
			const family = familyOf(ingested);
			const plan = planChildren(family?.children ?? [], 0, file);
			if (!rowsThere && ingested) {
				const { chunks, document } = fileMutations(
					caseId,
					planned,
					ingested,
					Date.now(),
					familyFields(family, plan, {})
				);
				const there = view.chunks.get(planned.documentId) ?? new Set<string>();
				// Chunks before the row: a teammate who sees the document sees all of its text.
				await pushAll(api, clientId, [...chunks.filter((m) => !there.has(m.id)), document]);
				state.record({ type: 'pushed', documentId: planned.documentId });
				sent = true;
			} else if (family?.message?.messageId) threads.set(family.message.messageId, threadOf(family.message));
			const pages =
				ingested && hasPages(ingested.extraction)
					? ingested.extraction.pageCount
					: Number(onServer?.fields['pages'] ?? 0);
			const line: ImportReport = {
				file,
				sha256: planned.sha256,
				status: ingested ? ingested.extraction.status : statusOf(onServer?.fields['status']),
				pages,
				chunks: ingested ? ingested.chunks.length : (view.chunks.get(planned.documentId)?.size ?? 0),
				server: 'skipped',
				documentId: planned.documentId
			};
			if (ingested && 'error' in ingested.extraction) line.error = ingested.extraction.error;
			const finished = () => {
				if (sent) line.server = 'sent';
				report(line);
				progress?.fileDone(file, meta.size, pages, line.status);
			};
			if (state.uploaded.has(planned.documentId) || (ours && (await serverHasFile(url, token, planned.documentId))))
				finished();
			else {
				sent = true;
				await queueUpload({ planned, bytes }, finished);
			}
			if (familyPending && ingested) {
				await sendChildren({ id: planned.documentId, label: file, depth: 0 }, family, plan);
				state.record({ type: 'family-done', documentId: planned.documentId });
			}
		});
		await Promise.all(uploads);
		if (failure !== undefined) throw failure;
	} catch (error) {
		if (!interrupted) throw error;
	} finally {
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
		pool.close();
		progress?.finish();
	}
	if (interrupted) {
		io.stderr(`docket ingest: stopped; run the same command again to resume (state: ${statePath}).`);
		return 130;
	}
	return unreadable === 0 ? 0 : 1;
}

/** The status a server row carries; rows this import did not write may lack one. */
function statusOf(value: unknown): DocumentStatus {
	return DOCUMENT_STATUSES.find((s) => s === value) ?? 'indexed';
}
