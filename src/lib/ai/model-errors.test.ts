import { describe, expect, it } from 'vitest';
import { DocketError, StorageFullError } from '../errors.ts';
import { toModelError } from './model-errors.ts';

const ctx = { modelName: 'SmolLM2 360M' };

function named(name: string, message: string): Error {
	const e = new Error(message);
	e.name = name;
	return e;
}

describe('model errors → plain messages with a next step', () => {
	it.each([
		[
			named(
				'ShaderF16SupportError',
				'This model requires WebGPU extension shader-f16, which is not enabled in this browser.'
			),
			'model-unsupported',
			/f32/
		],
		// The worker handler sends errors as strings.
		['ShaderF16SupportError: This model requires WebGPU extension shader-f16', 'model-unsupported', /f32/],
		[
			named(
				'FeatureSupportError',
				'This model requires feature subgroups, which is not yet supported by this browser.'
			),
			'model-unsupported',
			/another model/
		],
		[
			named('WebGPUNotAvailableError', 'WebGPU is not supported in your current environment'),
			'webgpu-unavailable',
			/Chrome/
		],
		[
			named('DeviceLostError', 'The WebGPU device was lost while loading the model.'),
			'gpu-device-lost',
			/reloads the model/
		],
		[new Error('GPUOutOfMemoryError: Out of memory'), 'gpu-out-of-memory', /smaller model/],
		[
			new Error('Buffer size (3000000000) exceeds the max buffer size limit (2147483648).'),
			'gpu-out-of-memory',
			/smaller model/
		],
		[named('QuotaExceededError', 'The quota has been exceeded.'), 'storage-full', /Free disk space/],
		[new TypeError('Failed to fetch'), 'network', /Model base URL/],
		// What web-llm's Cache API download throws for a 404 from a model server (seen in Chromium).
		[new TypeError("Failed to execute 'add' on 'Cache': Request failed"), 'network', /Model base URL/]
	])('%s → %s', (error, code, action) => {
		const mapped = toModelError(error, ctx);
		expect(mapped).toBeInstanceOf(DocketError);
		expect(mapped.code).toBe(code);
		expect(mapped.action).toMatch(action);
	});

	it('offline without a cached model says so in one sentence', () => {
		const e = toModelError(new TypeError('Failed to fetch'), { ...ctx, online: false });
		expect(e.code).toBe('model-not-cached');
		expect(e.message).toBe('You are offline and SmolLM2 360M has not been downloaded on this device yet.');
	});

	it('keeps DocketErrors and wraps the unknown', () => {
		const full = new StorageFullError();
		expect(toModelError(full, ctx)).toBe(full);
		expect(toModelError(new Error('weird'), ctx)).toMatchObject({
			code: 'internal',
			message: 'SmolLM2 360M failed: Error: weird'
		});
	});
});
