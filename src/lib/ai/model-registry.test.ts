import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import {
	MODELS,
	canRun,
	chooseDefaults,
	findModel,
	modelsFor,
	profileFromReport,
	type MachineProfile
} from './model-registry.ts';

const MB = 1024 * 1024;
const GiB = 1024 * MB;

const desktop: MachineProfile = {
	webgpu: true,
	features: ['shader-f16', 'timestamp-query'],
	maxStorageBufferBindingSize: 2 * GiB,
	maxBufferSize: 4 * GiB,
	deviceMemoryGB: 8,
	isFallbackAdapter: false
};
const noF16: MachineProfile = { ...desktop, features: ['timestamp-query'] };
const smallLimits: MachineProfile = { ...desktop, maxStorageBufferBindingSize: 128 * MB, maxBufferSize: 256 * MB };
const swiftShader: MachineProfile = { ...noF16, isFallbackAdapter: true, deviceMemoryGB: 8 };
const lowMemory: MachineProfile = { ...desktop, deviceMemoryGB: 2 };

describe('model registry', () => {
	it('matches web-llm 0.2.86 prebuilt records: id, folder, library, VRAM, features', () => {
		for (const m of MODELS) {
			const prebuilt = prebuiltAppConfig.model_list.find((r) => r.model_id === m.id);
			expect(prebuilt, m.id).toBeDefined();
			expect(prebuilt!.model).toBe(`https://huggingface.co/${m.repo}`);
			expect(prebuilt!.model_lib.endsWith(`/v0_2_86/base/${m.lib}`), m.id).toBe(true);
			expect(m.vramMB).toBe(prebuilt!.vram_required_MB);
			expect([...m.requiredFeatures]).toEqual(
				prebuilt!.required_features ?? (m.precision === 'f16' ? ['shader-f16'] : [])
			);
		}
	});

	it('lists chat models smallest first, each with an f32 variant', () => {
		const chats = MODELS.filter((m) => m.kind === 'chat');
		const sizes = chats.map((m) => m.downloadBytes);
		expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
		for (const m of chats.filter((c) => c.precision === 'f16'))
			expect(
				chats.some((c) => c.precision === 'f32' && c.label.startsWith(m.label)),
				m.id
			).toBe(true);
		expect(MODELS.filter((m) => m.kind === 'embedding').every((m) => m.precision === 'f32')).toBe(true);
	});

	it('says why a model cannot run', () => {
		const f16 = findModel('SmolLM2-360M-Instruct-q4f16_1-MLC')!;
		expect(canRun(f16, desktop)).toEqual({ ok: true });
		expect(canRun(f16, noF16)).toMatchObject({ ok: false, reason: expect.stringContaining('shader-f16') });
		expect(canRun(f16, { ...desktop, webgpu: false })).toMatchObject({
			ok: false,
			reason: expect.stringContaining('WebGPU')
		});
		expect(canRun(findModel('Llama-3.2-3B-Instruct-q4f16_1-MLC')!, lowMemory)).toMatchObject({
			ok: false,
			reason: expect.stringContaining('GPU memory')
		});
	});

	it('picks defaults from the adapter', () => {
		expect(chooseDefaults(desktop)).toMatchObject({
			chat: { id: 'Llama-3.2-1B-Instruct-q4f16_1-MLC' },
			embedding: { id: 'snowflake-arctic-embed-s-q0f32-MLC-b32' }
		});
		expect(chooseDefaults(noF16).chat?.id).toBe('Llama-3.2-1B-Instruct-q4f32_1-MLC');
		expect(chooseDefaults(smallLimits)).toMatchObject({
			chat: { id: 'SmolLM2-360M-Instruct-q4f16_1-MLC' },
			embedding: { id: 'snowflake-arctic-embed-s-q0f32-MLC-b4' }
		});
		expect(chooseDefaults(swiftShader)).toMatchObject({
			chat: { id: 'SmolLM2-360M-Instruct-q4f32_1-MLC' },
			embedding: { id: 'snowflake-arctic-embed-s-q0f32-MLC-b4' }
		});
		expect(chooseDefaults({ ...desktop, deviceMemoryGB: 4 }).chat?.id).toBe('Qwen2.5-0.5B-Instruct-q4f16_1-MLC');
		expect(chooseDefaults(lowMemory).chat?.id).toBe('SmolLM2-360M-Instruct-q4f16_1-MLC');
		expect(chooseDefaults({ ...desktop, webgpu: false })).toEqual({ chat: undefined, embedding: undefined });
		expect(chooseDefaults({ ...noF16, deviceMemoryGB: 1 })).toMatchObject({
			chat: undefined,
			embedding: { id: 'snowflake-arctic-embed-s-q0f32-MLC-b4' }
		});
	});

	it('never defaults to the 3B model', () => {
		for (const gb of [1, 2, 4, 8, 16, 64])
			expect(chooseDefaults({ ...desktop, deviceMemoryGB: gb }).chat?.id ?? '').not.toContain('3B');
	});

	it('builds a profile from the GPU report', () => {
		const p = profileFromReport(
			{
				available: true,
				features: ['shader-f16'],
				limits: { maxStorageBufferBindingSize: 128 * MB, maxBufferSize: 256 * MB },
				isFallbackAdapter: true
			},
			8
		);
		expect(p).toEqual({
			webgpu: true,
			features: ['shader-f16'],
			maxStorageBufferBindingSize: 128 * MB,
			maxBufferSize: 256 * MB,
			isFallbackAdapter: true,
			deviceMemoryGB: 8
		});
		expect(modelsFor(profileFromReport({ available: false }), 'chat').every((r) => !r.fit.ok)).toBe(true);
	});
});
