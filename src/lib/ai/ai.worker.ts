/**
 * The AI module worker: web-llm (chat + embedding model in one engine) and the transformers.js fallback
 * embedder behind protocol.ts. Start it with
 * `new Worker(new URL('./ai.worker.ts', import.meta.url), { type: 'module' })` and talk to it with AiClient.
 */
/// <reference lib="webworker" />
import { AiHost } from './ai-host.ts';
import { ortWasmPaths } from './onnx-runtime.ts';
import type { AiReply, AiRequest } from './protocol.ts';
import { loadTransformersEmbedder } from './transformers-embedder.ts';
import { createWebLlmEngine } from './web-llm-engine.ts';

declare const self: DedicatedWorkerGlobalScope;

const host = new AiHost(
	{
		createWebLlm: createWebLlmEngine,
		loadTransformers: loadTransformersEmbedder,
		online: () => self.navigator.onLine,
		wasmPaths: ortWasmPaths(self.location.href)
	},
	(message: AiReply) => self.postMessage(message)
);

self.addEventListener('message', (event: MessageEvent<AiRequest>) => {
	void host.handle(event.data);
});
