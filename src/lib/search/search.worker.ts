/// <reference lib="webworker" />
// The search worker: full-text and vector indexes per case live here, warm, off the main thread. They
// follow the change feed, so every write from any tab or worker reaches them.
import { changeFeed } from '../db/change-feed.ts';
import { DocketDatabase } from '../db/database.ts';
import { browserShaderSource } from '../gpu/shaders.browser.ts';
import { scopeEndpoint, serve } from '../worker/transport.ts';
import { subscribeIndexes } from './index-feed.ts';
import { searchProtocol } from './protocol.ts';
import { createSearchHandlers } from './search-handlers.ts';

declare const self: DedicatedWorkerGlobalScope;

const db = new DocketDatabase();
const gpu = 'gpu' in self.navigator ? self.navigator.gpu : undefined;
const handlers = createSearchHandlers(db, gpu ? { gpu, shaders: browserShaderSource } : undefined);
subscribeIndexes(handlers, changeFeed(db));
serve(searchProtocol, scopeEndpoint(self), handlers);
