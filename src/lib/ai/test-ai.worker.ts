/** The test AI worker (browser tests only): the scripted engine of test-chat-engine.ts behind protocol.ts. */
/// <reference lib="webworker" />
import type { AiReply, AiRequest } from './protocol.ts';
import { TestAiHost } from './test-chat-engine.ts';

declare const self: DedicatedWorkerGlobalScope;

const host = new TestAiHost((message: AiReply) => self.postMessage(message));

self.addEventListener('message', (event: MessageEvent<AiRequest>) => {
	void host.handle(event.data);
});
