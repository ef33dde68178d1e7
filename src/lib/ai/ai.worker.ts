/**
 * The AI module worker: web-llm (chat + embedding model in one engine) and the transformers.js fallback
 * embedder (ai-host.ts), served with protocol.ts over the one transport.
 */
/// <reference lib="webworker" />
import { scopeEndpoint, serve } from '../worker/transport.ts';
import { AiHost } from './ai-host.ts';
import { ortWasmPaths } from './onnx-runtime.ts';
import { aiProtocol } from './protocol.ts';
import { loadTransformersEmbedder } from './transformers-embedder.ts';
import { createWebLlmEngine } from './web-llm-engine.ts';

declare const self: DedicatedWorkerGlobalScope;

const deps = {
	createWebLlm: createWebLlmEngine,
	loadTransformers: loadTransformersEmbedder,
	online: () => self.navigator.onLine,
	wasmPaths: ortWasmPaths(self.location.href)
};
const host = new AiHost(deps, (status) => server.emit('status', status));
const server = serve(aiProtocol, scopeEndpoint(self), host.handlers);
