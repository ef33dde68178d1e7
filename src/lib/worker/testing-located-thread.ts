// A worker entry that names a file relative to its own location, which a bundle would move
// (node.test.ts: such an entry starts through tsx instead).
import { parentPort } from 'node:worker_threads';
import { parentPortEndpoint } from './node.ts';
import { testHandlers, testProtocol } from './testing.ts';
import { serve } from './transport.ts';

export const HERE = new URL('./testing.ts', import.meta.url);

if (!parentPort) throw new Error('testing-located-thread.ts runs only as a worker thread.');
serve(
	testProtocol,
	parentPortEndpoint(parentPort),
	testHandlers(() => process.exit(3))
);
