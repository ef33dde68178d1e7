/**
 * Errors that cross boundaries (worker ↔ page, server ↔ client, library ↔ CLI) travel as data and are
 * rebuilt as typed classes on the other side. Each class names what a person can do next.
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

export class OcrUnavailableError extends DocketError {
	override name = 'OcrUnavailableError';
	constructor(reason: string) {
		super('ocr-unavailable', `The text recogniser (OCR) could not start: ${reason}`, {
			action: 'Reload the app; if it keeps happening, the OCR files may be missing from this installation.'
		});
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
	return out;
}

export function deserializeError(data: SerializedError): DocketError {
	const cause = data.cause ? deserializeError(data.cause) : undefined;
	const options: { action?: string; cause?: unknown } = {};
	if (data.action !== undefined) options.action = data.action;
	if (cause !== undefined) options.cause = cause;
	const error = new DocketError(data.code, data.message, options);
	error.name = data.name;
	return error;
}
