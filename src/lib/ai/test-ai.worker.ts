/** The test AI worker (test builds only): the scripted engine of test-chat-engine.ts behind protocol.ts. */
/// <reference lib="webworker" />
import { scopeEndpoint, serve } from '../worker/transport.ts';
import { aiProtocol } from './protocol.ts';
import { TestAiHost } from './test-chat-engine.ts';

declare const self: DedicatedWorkerGlobalScope;

serve(aiProtocol, scopeEndpoint(self), new TestAiHost().handlers);
