/** The real web-llm engine behind ai-host.ts's WebLlmEngine (browser worker only: it needs WebGPU). */
import type { AppConfig } from '@mlc-ai/web-llm';
import type { WebLlmEngine } from './ai-host.ts';
import type { ChatParams, ChatResult } from './protocol.ts';

export async function createWebLlmEngine(
	appConfig: AppConfig,
	onProgress: (report: { progress: number; text: string }) => void
): Promise<WebLlmEngine> {
	const { MLCEngine } = await import('@mlc-ai/web-llm');
	const engine = new MLCEngine({ appConfig, initProgressCallback: onProgress });
	return {
		reload: (modelIds) => engine.reload(modelIds),
		async chat(modelId: string, params: ChatParams, onDelta: (delta: string) => void): Promise<ChatResult> {
			const request: Parameters<typeof engine.chat.completions.create>[0] & { stream: true } = {
				model: modelId,
				messages: params.messages,
				stream: true,
				stream_options: { include_usage: true }
			};
			if (params.temperature !== undefined) request.temperature = params.temperature;
			if (params.maxTokens !== undefined) request.max_tokens = params.maxTokens;
			const chunks = await engine.chat.completions.create(request);
			let text = '';
			let finishReason: ChatResult['finishReason'] = 'stop';
			const result: ChatResult = { text, finishReason };
			for await (const chunk of chunks) {
				const choice = chunk.choices[0];
				const delta = choice?.delta.content ?? '';
				if (delta) {
					text += delta;
					onDelta(delta);
				}
				if (choice?.finish_reason === 'length' || choice?.finish_reason === 'abort')
					finishReason = choice.finish_reason;
				if (chunk.usage) {
					result.promptTokens = chunk.usage.prompt_tokens;
					result.completionTokens = chunk.usage.completion_tokens;
				}
			}
			return { ...result, text, finishReason };
		},
		async embed(modelId: string, texts: string[]): Promise<number[][]> {
			const response = await engine.embeddings.create({ model: modelId, input: texts });
			return response.data.map((d) => d.embedding);
		},
		interrupt: async () => {
			await engine.interruptGenerate();
		},
		unload: () => engine.unload()
	};
}
