/** A tensor thread's entry in Node (see threads.node.ts). */
import { parentPort } from 'node:worker_threads';
import { parentPortEndpoint } from '../worker/node.ts';
import { serve } from '../worker/transport.ts';
import { tensorThreadHandlers, tensorThreadProtocol, type TensorThreadCalls } from './cpu-thread-protocol.ts';

if (!parentPort) throw new Error('cpu-thread.node.ts runs as a worker thread.');
serve(tensorThreadProtocol, parentPortEndpoint<TensorThreadCalls>(parentPort), tensorThreadHandlers);
