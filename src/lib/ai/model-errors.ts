/**
 * Model engines fail in their own words (web-llm's error classes, WebGPU's messages, fetch's TypeErrors), and
 * the web-llm worker handler sends errors across as strings. This turns any of them into a DocketError that
 * says what to do next: pick a smaller or f32 model, free space, reconnect, retry.
 */
import { DocketError, StorageFullError, isQuotaError } from '../errors.ts';

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

export class GpuDeviceLostError extends DocketError {
	override name = 'GpuDeviceLostError';
	constructor(cause?: unknown) {
		super('gpu-device-lost', 'The GPU stopped responding while running the model.', {
			action: 'Docket reloads the model by itself; if it happens again, pick a smaller model.',
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

function describe(error: unknown): { name: string; text: string } {
	if (error instanceof Error) return { name: error.name, text: `${error.name}: ${error.message}` };
	return { name: '', text: typeof error === 'string' ? error : (JSON.stringify(error) ?? '') };
}

export interface ModelErrorContext {
	/** The model's name as a person reads it. */
	modelName: string;
	/** False when the browser says it is offline. */
	online?: boolean;
}

/** Any error from loading or running a model → a DocketError with a next step. */
export function toModelError(error: unknown, context: ModelErrorContext): DocketError {
	if (error instanceof DocketError) return error;
	const { modelName } = context;
	const { name, text } = describe(error);
	if (isQuotaError(error) || /QuotaExceeded|quota/i.test(text)) return new StorageFullError(error);
	if (name === 'ShaderF16SupportError' || /shader-f16/i.test(text))
		return new ModelUnsupportedError(
			`${modelName} needs 16-bit GPU arithmetic (shader-f16), which this GPU or browser does not offer.`,
			'Pick a model marked f32 in Settings › Models.',
			error
		);
	if (name === 'FeatureSupportError' || /requires feature/i.test(text))
		return new ModelUnsupportedError(
			`${modelName} needs a GPU feature this browser does not offer.`,
			'Pick another model in Settings › Models.',
			error
		);
	if (
		name === 'WebGPUNotAvailableError' ||
		name === 'WebGPUNotFoundError' ||
		/WebGPU is not supported|Cannot find WebGPU|no (usable )?GPU adapter/i.test(text)
	)
		return new DocketError('webgpu-unavailable', 'This browser cannot run models on the GPU.', {
			action:
				'Use a recent Chrome or Edge with hardware acceleration on; documents are still embedded more slowly without it.',
			cause: error
		});
	if (name === 'DeviceLostError' || /device (was )?lost|device is lost/i.test(text))
		return new GpuDeviceLostError(error);
	if (
		/out of memory|OutOfMemory|\bOOM\b|allocation failed|Failed to allocate|exceeds the max buffer size|maxBufferSize/i.test(
			text
		)
	)
		return new GpuOutOfMemoryError(modelName, error);
	if (
		/Failed to fetch|NetworkError|network error|fetch failed|ERR_INTERNET|Load failed|status 404|Could not locate file|ModelFileNotFoundError|file was not found|on 'Cache': Request failed|404/i.test(
			text
		)
	)
		return context.online === false ? new ModelNotCachedError(modelName) : new ModelDownloadError(modelName, error);
	return new DocketError('internal', `${modelName} failed: ${text}`, {
		action: 'Reload the page and try again; if it keeps failing, pick another model in Settings › Models.',
		cause: error
	});
}
