// A Node worker thread serving the transport's test protocol (transport.test.ts starts it through tsx).
import { parentPort } from 'node:worker_threads';
import { parentPortEndpoint } from './node.ts';
import { testHandlers, testProtocol } from './testing.ts';
import { serve } from './transport.ts';

if (!parentPort) throw new Error('testing-thread.ts runs only as a worker thread.');
serve(
	testProtocol,
	parentPortEndpoint(parentPort),
	testHandlers(() => process.exit(3))
).emit('hello', {
	from: 'thread'
});
