/**
 * Model engines fail in their own words (web-llm's error classes, WebGPU's messages, fetch's TypeErrors), and
 * the web-llm worker handler sends errors across as strings. This turns any of them into a DocketError that
 * says what to do next: pick a smaller or f32 model, free space, reconnect, retry.
 */
import {
	DocketError,
	GpuDeviceLostError,
	GpuOutOfMemoryError,
	isQuotaError,
	ModelDownloadError,
	ModelFailedError,
	ModelNotCachedError,
	ModelUnsupportedError,
	StorageFullError,
	WebGpuUnavailableError
} from '../errors.ts';

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
		return new WebGpuUnavailableError('This browser cannot run models on the GPU.', { forModels: true, cause: error });
	if (name === 'DeviceLostError' || /device (was )?lost|device is lost/i.test(text))
		return new GpuDeviceLostError({ model: true, cause: error });
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
	return new ModelFailedError(modelName, text, error);
}
