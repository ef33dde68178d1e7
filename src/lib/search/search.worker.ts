/// <reference lib="webworker" />
// The search worker: full-text and vector indexes per case live here, warm, off the main thread.
import { DocketDatabase } from '../db/database.ts';
import { browserShaderSource } from '../gpu/shaders.browser.ts';
import { scopeEndpoint, serve } from '../worker/transport.ts';
import { searchProtocol } from './protocol.ts';
import { createSearchHandlers } from './search-handlers.ts';

declare const self: DedicatedWorkerGlobalScope;

const gpu = 'gpu' in self.navigator ? self.navigator.gpu : undefined;
serve(
	searchProtocol,
	scopeEndpoint(self),
	createSearchHandlers(new DocketDatabase(), gpu ? { gpu, shaders: browserShaderSource } : undefined)
);
