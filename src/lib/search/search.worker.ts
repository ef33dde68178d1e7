/// <reference lib="webworker" />
import { changeFeed } from '../db/change-feed.ts';
import { DocketDatabase } from '../db/database.ts';
import { browserShaderSource } from '../gpu/shaders.browser.ts';
import { handleRequest, type SearchHandlers, type SearchRequest } from './protocol.ts';
import { subscribeIndexes } from './index-feed.ts';
import { createSearchHandlers } from './search-handlers.ts';

// The search worker: full-text and vector indexes per case live here, warm, off the main thread.
const db = new DocketDatabase();
const gpu = typeof navigator !== 'undefined' && 'gpu' in navigator ? navigator.gpu : undefined;
const handlers: SearchHandlers = createSearchHandlers(db, gpu ? { gpu, shaders: browserShaderSource } : undefined);
subscribeIndexes(handlers, changeFeed(db));

self.addEventListener('message', (event: MessageEvent<SearchRequest>) => {
	void handleRequest(handlers, event.data).then((reply) => self.postMessage(reply));
});
