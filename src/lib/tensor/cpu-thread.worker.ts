/// <reference lib="webworker" />
/** A tensor thread's entry in the browser: a worker the tensor worker starts (see threads.browser.ts). */
import { serveThread, type ThreadReply, type ThreadRequest } from './cpu-thread-protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

serveThread({
	postMessage: (message: ThreadReply, transfer) => self.postMessage(message, transfer),
	onMessage: (listener: (message: ThreadRequest) => void) =>
		self.addEventListener('message', (event: MessageEvent<ThreadRequest>) => listener(event.data))
});
