/// <reference lib="webworker" />
/** A tensor thread's entry in the browser: a worker the tensor worker starts (see threads.browser.ts). */
import { scopeEndpoint, serve } from '../worker/transport.ts';
import { tensorThreadHandlers, tensorThreadProtocol } from './cpu-thread-protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

serve(tensorThreadProtocol, scopeEndpoint(self), tensorThreadHandlers);
