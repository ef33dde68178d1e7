import type { AppConfig } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { FIXTURE_MODELS_DIR, TINY_MODEL_DIM, TINY_MODEL_REPO } from '../testing/tiny-model.ts';
import { AiHost, type AiHostDeps, type WebLlmEngine } from './ai-host.ts';
import { chatClient } from '../rag/ai-chat-engine.ts';
import { connect, memoryChannel, serve } from '../worker/transport.ts';
import { aiProtocol, type AiCalls, type AiEvents, type AiStatus, type ChatParams } from './protocol.ts';
import { loadTransformersEmbedder } from './transformers-embedder.ts';

const CHAT = 'SmolLM2-360M-Instruct-q4f32_1-MLC';
const EMBED = 'snowflake-arctic-embed-s-q0f32-MLC-b4';

/** A web-llm stand-in that records what it was asked and can be told to fail. */
class FakeEngine implements WebLlmEngine {
	static created: FakeEngine[] = [];
	reloaded: string[][] = [];
	interrupted = 0;
	unloaded = 0;
	failNextEmbed: Error | undefined;
	failReload: Error | undefined;
	constructor(
		readonly appConfig: AppConfig,
		readonly onProgress: (r: { progress: number; text: string }) => void
	) {}
	async reload(ids: string[]) {
		this.onProgress({
			progress: 0.5,
			text: 'Fetching param cache[1/2]: 100MB fetched. 50% completed, 1 secs elapsed.'
		});
		if (this.failReload) throw this.failReload;
		this.reloaded.push(ids);
		this.onProgress({ progress: 1, text: 'Finish loading on WebGPU - fake' });
	}
	async chat(modelId: string, params: ChatParams, onDelta: (d: string) => void) {
		for (const d of ['You ', 'said ', params.messages.at(-1)!.content]) onDelta(d);
		return { text: `You said ${params.messages.at(-1)!.content}`, finishReason: 'stop' as const };
	}
	async embed(modelId: string, texts: string[]) {
		if (this.failNextEmbed) {
			const e = this.failNextEmbed;
			this.failNextEmbed = undefined;
			throw e;
		}
		return texts.map((t) => [t.length, 0, 0]);
	}
	async interrupt() {
		this.interrupted++;
	}
	async unload() {
		this.unloaded++;
	}
}

function setup(overrides: Partial<AiHostDeps> = {}) {
	FakeEngine.created = [];
	const events: AiStatus[] = [];
	const deps: AiHostDeps = {
		async createWebLlm(appConfig, onProgress) {
			const engine = new FakeEngine(appConfig, onProgress);
			FakeEngine.created.push(engine);
			return engine;
		},
		// The fixture stands in for whatever transformers.js model is asked for.
		loadTransformers: (options) =>
			loadTransformersEmbedder({
				...options,
				repo: TINY_MODEL_REPO,
				dtype: 'fp32',
				source: { kind: 'local-dir', dir: FIXTURE_MODELS_DIR },
				devices: ['cpu']
			}),
		online: () => true,
		...overrides
	};
	const channel = memoryChannel<AiCalls, AiEvents>();
	const host = new AiHost(deps, (status) => {
		events.push(status);
		server.emit('status', status);
	});
	const server = serve(aiProtocol, channel.server, host.handlers);
	return { client: connect(aiProtocol, channel.client), events };
}

describe('AI host (worker body) with a fake web-llm engine', () => {
	it('loads chat and embedding models into one engine with absolute URLs for the base URL', async () => {
		const { client } = setup();
		const progress: string[] = [];
		const status = await client.call(
			'load',
			{
				chatModelId: CHAT,
				embedding: { engine: 'web-llm', modelId: EMBED },
				baseUrl: 'https://models.firm.example/docket'
			},
			{ onProgress: (p) => progress.push(p.text) }
		);
		expect(FakeEngine.created).toHaveLength(1);
		const engine = FakeEngine.created[0]!;
		expect(engine.reloaded).toEqual([[CHAT, EMBED]]);
		expect(engine.appConfig.model_list.find((r) => r.model_id === CHAT)?.model).toBe(
			'https://models.firm.example/docket/mlc-ai/SmolLM2-360M-Instruct-q4f32_1-MLC/resolve/main/'
		);
		expect(progress).toContain('Downloading 100 MB of 200 MB (50%)');
		expect(status).toEqual({
			chat: { state: 'ready', modelId: CHAT, backend: 'web-llm' },
			embedding: { state: 'ready', modelId: EMBED, backend: 'web-llm', dim: 3 }
		});
	});

	it('streams a chat answer', async () => {
		const { client } = setup();
		await client.call('load', { chatModelId: CHAT });
		const tokens: string[] = [];
		await expect(
			chatClient(client).chat({ messages: [{ role: 'user', content: 'hi' }] }, (t) => tokens.push(t))
		).resolves.toEqual({
			text: 'You said hi',
			finishReason: 'stop'
		});
		expect(tokens).toEqual(['You ', 'said ', 'hi']);
		await client.call('interrupt', {});
		expect(FakeEngine.created[0]!.interrupted).toBe(1);
	});

	it('says plainly when no model is loaded', async () => {
		const { client } = setup();
		await expect(client.call('embed', { texts: ['x'] })).rejects.toMatchObject({
			name: 'ModelNotLoadedError',
			action: expect.stringContaining('Settings › Models')
		});
		await expect(chatClient(client).chat({ messages: [] }, () => undefined)).rejects.toMatchObject({
			message: 'No chat model is loaded.'
		});
	});

	it('reloads the engine after a lost device and retries the embedding batch', async () => {
		const { client } = setup();
		await client.call('load', { embedding: { engine: 'web-llm', modelId: EMBED } });
		const lost = new Error('The WebGPU device was lost.');
		lost.name = 'DeviceLostError';
		FakeEngine.created[0]!.failNextEmbed = lost;
		const result = await client.call('embed', { texts: ['abc', 'de'] });
		expect(FakeEngine.created).toHaveLength(2);
		expect(FakeEngine.created[1]!.reloaded).toEqual([[EMBED]]);
		expect(result.vectors.map((v) => v[0])).toEqual([3, 2]);
	});

	it('falls back to transformers.js when web-llm cannot run the embedding model', async () => {
		const f16 = new Error('This model requires WebGPU extension shader-f16, which is not enabled in this browser.');
		f16.name = 'ShaderF16SupportError';
		const { client, events } = setup({
			async createWebLlm(appConfig, onProgress) {
				const e = new FakeEngine(appConfig, onProgress);
				e.failReload = f16;
				return e;
			}
		});
		const status = await client.call('load', {
			embedding: { engine: 'web-llm', modelId: EMBED },
			fallbackEmbedding: true
		});
		expect(status.embedding).toMatchObject({
			state: 'ready',
			modelId: 'Snowflake/snowflake-arctic-embed-s',
			backend: 'cpu',
			dim: TINY_MODEL_DIM,
			fallback: true
		});
		// The failure was shown before the fallback took over.
		expect(events.some((e) => e.embedding.state === 'failed')).toBe(true);
		const { vectors, modelId } = await client.call('embed', { texts: ['the court', 'the witness'] });
		expect(modelId).toBe('Snowflake/snowflake-arctic-embed-s');
		expect(vectors).toHaveLength(2);
	});

	it('without fallback, a load failure comes back as a plain error and the status says failed', async () => {
		const { client } = setup({
			async createWebLlm() {
				throw new Error('GPUOutOfMemoryError: Out of memory');
			}
		});
		await expect(client.call('load', { chatModelId: CHAT })).rejects.toMatchObject({
			code: 'gpu-out-of-memory',
			action: expect.stringContaining('smaller model')
		});
		expect((await client.call('status', {})).chat).toMatchObject({
			state: 'failed',
			error: { code: 'gpu-out-of-memory' }
		});
	});

	it('offline with nothing cached says so', async () => {
		const { client } = setup({
			online: () => false,
			async createWebLlm() {
				throw new TypeError('Failed to fetch');
			}
		});
		await expect(client.call('load', { chatModelId: CHAT })).rejects.toMatchObject({
			code: 'model-not-cached',
			message: 'You are offline and SmolLM2 360M (f32) has not been downloaded on this device yet.'
		});
	});

	it('embeds with a transformers.js model when asked (the fixture in browser tests), then unloads', async () => {
		const { client } = setup();
		const status = await client.call('load', {
			embedding: { engine: 'transformers', repo: TINY_MODEL_REPO, dtype: 'fp32' }
		});
		expect(status.embedding).toEqual({ state: 'ready', modelId: TINY_MODEL_REPO, backend: 'cpu', dim: TINY_MODEL_DIM });
		const { vectors } = await client.call('embed', { texts: ['deposition of the witness'] });
		expect(vectors[0]).toBeInstanceOf(Float32Array);
		expect(await client.call('unload', {})).toEqual({ chat: { state: 'none' }, embedding: { state: 'none' } });
	});

	it('rejects an unknown web-llm model id', async () => {
		const { client } = setup();
		await expect(client.call('load', { chatModelId: 'GPT-9' })).rejects.toMatchObject({ code: 'internal' });
	});
});
