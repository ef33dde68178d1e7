/**
 * Every error class Docket throws, and the sentences a person reads about them: one module, so a runner
 * throws `new GpuOutOfMemoryError(model)` rather than writing the sentence itself. Errors that cross
 * boundaries (worker ↔ page, tab ↔ tab, server ↔ client) travel as data (`serializeError`) and are rebuilt
 * as the same class on the other side (`deserializeError`, through `ERROR_CLASSES`), so `instanceof` works
 * across a worker boundary. Each class sets `name` and says what the user or caller can do next.
 */

export type ErrorCode =
	| 'storage-unavailable'
	| 'storage-full'
	| 'not-found'
	| 'invalid-input'
	| 'webgpu-unavailable'
	| 'gpu-device-lost'
	| 'gpu-out-of-memory'
	| 'model-unsupported'
	| 'model-not-cached'
	| 'cancelled'
	| 'timeout'
	| 'worker-crashed'
	| 'network'
	| 'unauthorized'
	| 'forbidden'
	| 'conflict'
	| 'ocr-unavailable'
	| 'internal';

export interface SerializedError {
	name: string;
	code: ErrorCode;
	message: string;
	/** What the user or caller can do about it, in one sentence. */
	action?: string;
	cause?: SerializedError;
	/** SyncServerError's HTTP status. */
	status?: number;
}

export class DocketError extends Error {
	override name = 'DocketError';
	readonly code: ErrorCode;
	readonly action: string | undefined;

	constructor(code: ErrorCode, message: string, options: { action?: string; cause?: unknown } = {}) {
		super(message, options.cause === undefined ? undefined : { cause: options.cause });
		this.code = code;
		this.action = options.action;
	}

	/** The message and the next step, as one line a person can read. */
	get userMessage(): string {
		return this.action ? `${this.message} ${this.action}` : this.message;
	}
}

export class StorageUnavailableError extends DocketError {
	override name = 'StorageUnavailableError';
	constructor(message: string, cause?: unknown) {
		super('storage-unavailable', message, {
			action:
				'Docket keeps cases in this browser’s storage: open it in a normal (not private) window and allow site data.',
			cause
		});
	}
}

export class StorageFullError extends DocketError {
	override name = 'StorageFullError';
	constructor(cause?: unknown) {
		super('storage-full', 'This browser has run out of storage for Docket.', {
			action: 'Free disk space or delete a case you no longer need (Settings › Storage), then try again.',
			cause
		});
	}
}

export class MissingRecordError extends DocketError {
	override name = 'MissingRecordError';
	constructor(what: string) {
		super('not-found', `${what} was not found. It may have been deleted.`);
	}
}

export class InvalidInputError extends DocketError {
	override name = 'InvalidInputError';
	constructor(message: string, action?: string) {
		super('invalid-input', message, action === undefined ? {} : { action });
	}
}

export class CancelledError extends DocketError {
	override name = 'CancelledError';
	constructor(what = 'The operation') {
		super('cancelled', `${what} was cancelled.`);
	}
}

// Workers and the transport (src/lib/worker/transport.ts).

/** Which worker a transport speaks to, as a person names it. */
export type WorkerName = 'model' | 'extraction' | 'search' | 'tensor' | (string & {});

/** What a person can do when each worker stops or stalls. */
const WORKER_ACTIONS: Record<string, { crashed: string; timeout: string }> = {
	model: {
		crashed: 'Reload the page; your cases are safe.',
		timeout: 'Try again; if it keeps happening, reload the page.'
	},
	extraction: {
		crashed: 'Retry the file; a new worker starts automatically.',
		timeout: 'Retry the file; if it stalls again, the file may be too complex for this computer.'
	},
	search: { crashed: 'Reload the page to start it again.', timeout: 'Try a shorter query, or try again.' },
	chronology: { crashed: 'Reload the page to start it again; edits are kept.', timeout: 'Try again.' },
	tensor: {
		crashed: 'Try again; large tensors may need the CPU backend or more memory.',
		timeout: 'Try a smaller tensor or zoom.'
	}
};
const DEFAULT_WORKER_ACTIONS = { crashed: 'Reload the page; your cases are safe.', timeout: 'Try again.' };

export class WorkerCrashedError extends DocketError {
	override name = 'WorkerCrashedError';
	constructor(worker: WorkerName, reason: string) {
		super('worker-crashed', `The ${worker} worker stopped: ${reason}`, {
			action: (WORKER_ACTIONS[worker] ?? DEFAULT_WORKER_ACTIONS).crashed
		});
	}
}

/** No answer and no progress for too long (the timer restarts with every progress report). */
export class CallTimeoutError extends DocketError {
	override name = 'CallTimeoutError';
	constructor(worker: WorkerName, call: string, ms: number) {
		super('timeout', `The ${worker} worker made no progress on “${call}” for ${Math.round(ms / 1000)} s.`, {
			action: (WORKER_ACTIONS[worker] ?? DEFAULT_WORKER_ACTIONS).timeout
		});
	}
}

/** The other side answered a call with the result of another one: a version mismatch or a bug. */
export class ProtocolError extends DocketError {
	override name = 'ProtocolError';
	constructor(worker: WorkerName, detail: string) {
		super('internal', `The ${worker} worker broke its protocol: ${detail}`, {
			action: 'Reload the page; if it keeps happening, the app may be half-updated (close every Docket tab).'
		});
	}
}

export class WorkerSetupError extends DocketError {
	override name = 'WorkerSetupError';
	constructor(what: string) {
		super('internal', `This worker was started without ${what}.`);
	}
}

// GPU (src/lib/gpu, tensor and search kernels).

export class WebGpuUnavailableError extends DocketError {
	override name = 'WebGpuUnavailableError';
	constructor(reason: string, options: { forModels?: boolean; cause?: unknown } = {}) {
		super('webgpu-unavailable', reason, {
			action: options.forModels
				? 'Use a recent Chrome or Edge with hardware acceleration on; documents are still embedded more slowly without it.'
				: 'Use Chrome or Edge with WebGPU enabled, or choose the CPU backend.',
			cause: options.cause
		});
	}
}

/** The GPU device was lost: while a model ran (Docket reloads it), or under one of Docket's own kernels. */
export class GpuDeviceLostError extends DocketError {
	override name = 'GpuDeviceLostError';
	constructor(during: { model: true; cause?: unknown } | { model?: false; detail: string }) {
		super(
			'gpu-device-lost',
			during.model
				? 'The GPU stopped responding while running the model.'
				: `The GPU stopped responding: ${during.detail}`,
			{
				action: during.model
					? 'Docket reloads the model by itself; if it happens again, pick a smaller model.'
					: 'Try again; if it keeps happening, close other GPU-heavy tabs or choose the CPU backend.',
				cause: during.model ? during.cause : undefined
			}
		);
	}
}

export class GpuValidationError extends DocketError {
	override name = 'GpuValidationError';
	constructor(message: string) {
		super('internal', `A GPU program was rejected: ${message}`);
	}
}

export class GpuMemoryError extends DocketError {
	override name = 'GpuMemoryError';
	constructor(message: string) {
		super('storage-full', `The GPU ran out of memory: ${message}`);
	}
}

/** A bug in a kernel's planning or bounds: never the user's fault. */
export class KernelError extends DocketError {
	override name = 'KernelError';
	constructor(message: string) {
		super('internal', message, { action: 'Choose the CPU backend for now, and report this.' });
	}
}

// Models (src/lib/ai).

export class ModelUnsupportedError extends DocketError {
	override name = 'ModelUnsupportedError';
	constructor(message: string, action: string, cause?: unknown) {
		super('model-unsupported', message, { action, cause });
	}
}

export class GpuOutOfMemoryError extends DocketError {
	override name = 'GpuOutOfMemoryError';
	constructor(modelName: string, cause?: unknown) {
		super('gpu-out-of-memory', `${modelName} needs more GPU memory than this machine can give it.`, {
			action: 'Pick a smaller model in Settings › Models, or close other tabs and apps that use the GPU.',
			cause
		});
	}
}

export class ModelNotCachedError extends DocketError {
	override name = 'ModelNotCachedError';
	constructor(modelName: string) {
		super('model-not-cached', `You are offline and ${modelName} has not been downloaded on this device yet.`, {
			action: 'Connect to the network once to download it; everything else keeps working offline.'
		});
	}
}

export class ModelDownloadError extends DocketError {
	override name = 'ModelDownloadError';
	constructor(modelName: string, cause?: unknown) {
		super('network', `${modelName} could not be downloaded.`, {
			action: 'Check the network connection and the Model base URL in Settings › Models, then try again.',
			cause
		});
	}
}

export class ModelFailedError extends DocketError {
	override name = 'ModelFailedError';
	constructor(modelName: string, text: string, cause?: unknown) {
		super('internal', `${modelName} failed: ${text}`, {
			action: 'Reload the page and try again; if it keeps failing, pick another model in Settings › Models.',
			cause
		});
	}
}

export class ModelNotLoadedError extends DocketError {
	override name = 'ModelNotLoadedError';
	constructor(what: 'chat' | 'embedding') {
		super('not-found', what === 'chat' ? 'No chat model is loaded.' : 'No embedding model is loaded.', {
			action: 'Choose and download a model in Settings › Models.'
		});
	}
}

/** Docket fetches no model until the person chooses one (or accepts the one-time offer). */
export class ModelNotChosenError extends DocketError {
	override name = 'ModelNotChosenError';
	constructor() {
		super('model-not-cached', 'No embedding model has been chosen yet.', {
			action: 'Choose one in Settings › Models, or allow the download Docket offers in Search.'
		});
	}
}

export class EmbeddingModelChangedError extends DocketError {
	override name = 'EmbeddingModelChangedError';
	constructor() {
		super('conflict', 'The embedding model changed while documents were being embedded.', {
			action: 'Nothing to do: the remaining passages are embedded with the new model.'
		});
	}
}

export class NoEmbeddingModelError extends DocketError {
	override name = 'NoEmbeddingModelError';
	constructor(action: string) {
		super('internal', 'No embedding model could be loaded.', { action });
	}
}

// Search.

export class ModelNeededError extends DocketError {
	override name = 'ModelNeededError';
	constructor(mode: 'semantic' | 'hybrid' | (string & {})) {
		super(
			'invalid-input',
			`${mode === 'semantic' ? 'Semantic' : 'Hybrid'} search needs an embedding model, and none is loaded.`,
			{ action: 'Load an embedding model in Settings › Models, or search in lexical mode.' }
		);
	}
}

// Documents and storage.

export class OriginalMissingError extends DocketError {
	override name = 'OriginalMissingError';
	constructor(documentName: string) {
		super('not-found', `The original of “${documentName}” is missing from this browser’s storage.`, {
			action: 'Add the file again.'
		});
	}
}

/** A document whose bytes only the team server holds, while no server is connected. */
export class NoSyncServerError extends DocketError {
	override name = 'NoSyncServerError';
	constructor() {
		super('not-found', 'This document’s file is on the team server, but no server is connected.', {
			action: 'Connect in Settings › Sync.'
		});
	}
}

// The CLI.

export class ModelFolderError extends DocketError {
	override name = 'ModelFolderError';
	constructor(problem: { missing: true } | { dir: string; repo: string; base: string }) {
		super(
			'missing' in problem ? 'invalid-input' : 'not-found',
			'missing' in problem
				? 'Semantic and hybrid search needs an embedding model, and none was named.'
				: `No model in ${problem.dir}: expected ${problem.repo}/resolve/main/config.json, tokenizer.json and onnx/model.onnx under ${problem.base}.`,
			{
				action:
					'missing' in problem
						? 'Name its folder with --model DIR (hub layout, e.g. models/ORG/NAME), or use --mode lexical.'
						: 'Point --model at a folder that holds the model files.'
			}
		);
	}
}

// Sync (src/lib/sync).

/** The server is unreachable: the machine backs off and tries again. */
export class SyncNetworkError extends DocketError {
	override name = 'SyncNetworkError';
	constructor(message: string, cause?: unknown) {
		super('network', message, {
			action: 'Check the connection and the server address; Docket retries on its own.',
			cause
		});
	}
}

/** The token is missing, wrong or revoked: retrying will not help until the user changes it. */
/** Words for a refused token, by the server's reason (`sync/accounts-protocol.ts` REVOKED_CODES). */
const AUTH_WORDS: Record<string, { message: string; action: string }> = {
	'revoked-by-admin': {
		message: 'Signed out by the team admin.',
		action: 'This computer keeps its cases; sign in again in Settings › Sync if your admin allows it.'
	},
	'password-changed': {
		message: 'Signed out: your password was changed on another device.',
		action: 'Sign in again in Settings › Sync with the new password.'
	},
	'signed-out': { message: 'Signed out on this device.', action: 'Sign in again in Settings › Sync.' }
};

/** The token is missing, wrong or revoked: retrying will not help until the user changes it. */
export class SyncAuthError extends DocketError {
	override name = 'SyncAuthError';
	/** The server's reason (`revoked-by-admin`, `password-changed`, `signed-out`, `unauthorized`). */
	readonly reason: string;
	constructor(reason = 'unauthorized') {
		const words = AUTH_WORDS[reason] ?? {
			message: 'The server did not accept the access token.',
			action: 'Ask your administrator for a new token, or sign in, in Settings › Sync.'
		};
		super('unauthorized', words.message, { action: words.action });
		this.reason = reason;
	}
}

export class SyncServerError extends DocketError {
	override name = 'SyncServerError';
	readonly status: number;
	/** The server's error code (`cursor-ahead`, `rate-limited`…), when it sent one. */
	readonly serverCode: string | undefined;
	constructor(message: string, status: number, serverCode?: string) {
		super('internal', message, { action: 'Docket retries on its own; if this persists, tell your administrator.' });
		this.status = status;
		this.serverCode = serverCode;
	}
}

export class ServerAddressError extends DocketError {
	override name = 'ServerAddressError';
	constructor(message: string, options: { action?: string; cause?: unknown } = {}) {
		super('invalid-input', message, options);
	}
}

export class DownloadChecksumError extends DocketError {
	override name = 'DownloadChecksumError';
	constructor(name: string) {
		super('internal', `The copy of “${name}” from the server did not match its fingerprint, so it was not kept.`, {
			action: 'Docket downloads it again on the next sync; if this repeats, tell your administrator.'
		});
	}
}

export class OcrUnavailableError extends DocketError {
	override name = 'OcrUnavailableError';
	constructor(reason: string) {
		super('ocr-unavailable', `The text recogniser (OCR) could not start: ${reason}`, {
			action: 'Reload the app; if it keeps happening, the OCR files may be missing from this installation.'
		});
	}
}

/** An image file (PNG, JPEG, TIFF page) that cannot be decoded: the file's fault, so its document is damaged. */
export class ImageDecodeError extends DocketError {
	override name = 'ImageDecodeError';
	constructor(reason: string) {
		super('invalid-input', reason, { action: 'Open it in an image viewer to check it, or scan it again.' });
	}
}

/** Anything thrown, as a DocketError: the one place that turns unknown failures into readable ones. */
export function toDocketError(error: unknown): DocketError {
	if (error instanceof DocketError) return error;
	if (isQuotaError(error)) return new StorageFullError(error);
	if (error instanceof Error) {
		if (error.name === 'AbortError') return new CancelledError();
		return new DocketError('internal', error.message || 'Something went wrong.', { cause: error });
	}
	return new DocketError('internal', typeof error === 'string' ? error : 'Something went wrong.');
}

export function isQuotaError(error: unknown): boolean {
	if (!(error instanceof Error)) return false;
	if (error.name === 'QuotaExceededError') return true;
	// Dexie wraps the DOM error; the inner one carries the real name.
	const inner = (error as { inner?: unknown }).inner;
	return inner instanceof Error && inner.name === 'QuotaExceededError';
}

export function serializeError(error: unknown): SerializedError {
	const e = toDocketError(error);
	const out: SerializedError = { name: e.name, code: e.code, message: e.message };
	if (e.action !== undefined) out.action = e.action;
	if (e.cause instanceof DocketError) out.cause = serializeError(e.cause);
	if (e instanceof SyncServerError) out.status = e.status;
	return out;
}

/**
 * Every class above by its `name`, so an error that crossed a boundary comes back as its own class. The keys
 * are written out (not taken from `Class.name`) because the production build renames classes.
 */
export const ERROR_CLASSES = {
	DocketError,
	StorageUnavailableError,
	StorageFullError,
	MissingRecordError,
	InvalidInputError,
	CancelledError,
	WorkerCrashedError,
	CallTimeoutError,
	ProtocolError,
	WorkerSetupError,
	WebGpuUnavailableError,
	GpuDeviceLostError,
	GpuValidationError,
	GpuMemoryError,
	KernelError,
	ModelUnsupportedError,
	GpuOutOfMemoryError,
	ModelNotCachedError,
	ModelDownloadError,
	ModelFailedError,
	ModelNotLoadedError,
	EmbeddingModelChangedError,
	NoEmbeddingModelError,
	ModelNotChosenError,
	ModelNeededError,
	OcrUnavailableError,
	ImageDecodeError,
	OriginalMissingError,
	NoSyncServerError,
	ModelFolderError,
	SyncNetworkError,
	SyncAuthError,
	SyncServerError,
	ServerAddressError,
	DownloadChecksumError
} satisfies Record<string, abstract new (...args: never[]) => DocketError>;

function errorClass(name: string): (abstract new (...args: never[]) => DocketError) | undefined {
	return Object.entries(ERROR_CLASSES).find(([key]) => key === name)?.[1];
}

/**
 * Rebuilds an error sent as data. The instance is made by DocketError's constructor with the words that were
 * sent (the sender's class already wrote them), then given its class's prototype, so `instanceof` holds.
 */
export function deserializeError(data: SerializedError): DocketError {
	const cause = data.cause ? deserializeError(data.cause) : undefined;
	const options: { action?: string; cause?: unknown } = {};
	if (data.action !== undefined) options.action = data.action;
	if (cause !== undefined) options.cause = cause;
	const error = new DocketError(data.code, data.message, options);
	const found = errorClass(data.name);
	if (found) Object.setPrototypeOf(error, found.prototype);
	error.name = data.name;
	if (data.status !== undefined && error instanceof SyncServerError) Object.assign(error, { status: data.status });
	return error;
}
