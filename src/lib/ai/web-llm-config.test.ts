import { describe, expect, it } from 'vitest';
import { findModel } from './model-registry.ts';
import { normaliseBaseUrl, sourceFromSetting } from './model-source.ts';
import { buildAppConfig, modelRecord } from './web-llm-config.ts';

// web-llm 0.2.86's cleanModelUrl appends resolve/main/ to any model URL that does not match this.
const WEB_LLM_RESOLVE = /.+\/resolve\/.+\//;

describe('web-llm appConfig', () => {
	const smol = findModel('SmolLM2-360M-Instruct-q4f32_1-MLC')!;
	const arctic = findModel('snowflake-arctic-embed-s-q0f32-MLC-b4')!;

	it('points at the public hub and GitHub libraries by default', () => {
		expect(modelRecord(smol, { kind: 'hub' })).toEqual({
			model: 'https://huggingface.co/mlc-ai/SmolLM2-360M-Instruct-q4f32_1-MLC/resolve/main/',
			model_id: 'SmolLM2-360M-Instruct-q4f32_1-MLC',
			model_lib:
				'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base/SmolLM2-360M-Instruct-q4f32_1_cs1k-webgpu.wasm',
			vram_required_MB: 579.61,
			low_resource_required: true,
			overrides: { context_window_size: 4096 }
		});
	});

	it('uses absolute URLs under a custom base, which web-llm does not rewrite', () => {
		const source = sourceFromSetting('/models', 'https://docket.firm.example/cases/1');
		const config = buildAppConfig(source, 'indexeddb');
		expect(config.cacheBackend).toBe('indexeddb');
		for (const r of config.model_list) {
			expect(r.model.startsWith('https://docket.firm.example/models/mlc-ai/')).toBe(true);
			expect(r.model).toMatch(WEB_LLM_RESOLVE);
			expect(new URL(r.model).href).toBe(r.model);
			expect(r.model_lib.startsWith('https://docket.firm.example/models/web-llm-models/v0_2_86/base/')).toBe(true);
		}
	});

	it('marks embedding models and f16 requirements', () => {
		const config = buildAppConfig({ kind: 'hub' });
		expect(config.cacheBackend).toBe('cache');
		expect(config.model_list.find((r) => r.model_id === arctic.id)?.model_type).toBe(1);
		expect(
			config.model_list.find((r) => r.model_id === 'SmolLM2-360M-Instruct-q4f16_1-MLC')?.required_features
		).toEqual(['shader-f16']);
		expect(config.model_list.find((r) => r.model_id === smol.id)?.required_features).toBeUndefined();
	});

	it('refuses a local directory (web-llm fetches over http only)', () => {
		expect(() => buildAppConfig({ kind: 'local-dir', dir: '/tmp' })).toThrow();
	});
});

describe('Model base URL setting', () => {
	it('is the public hub when empty', () => {
		expect(sourceFromSetting('')).toEqual({ kind: 'hub' });
		expect(sourceFromSetting(undefined)).toEqual({ kind: 'hub' });
	});

	it('is made absolute and ends in a slash', () => {
		expect(normaliseBaseUrl('https://models.example.org/docket')).toBe('https://models.example.org/docket/');
		expect(normaliseBaseUrl(' https://models.example.org/?x=1#y ')).toBe('https://models.example.org/');
		expect(normaliseBaseUrl('/models', 'http://localhost:5173/settings')).toBe('http://localhost:5173/models/');
	});

	it('rejects what cannot be a model server, with a next step', () => {
		expect(() => normaliseBaseUrl('models')).toThrow(expect.objectContaining({ code: 'invalid-input' }));
		expect(() => normaliseBaseUrl('ftp://x/')).toThrow(/cannot be loaded over ftp/);
		expect(() => normaliseBaseUrl('  ')).toThrow(
			expect.objectContaining({ action: expect.stringContaining('public hub') })
		);
	});
});
