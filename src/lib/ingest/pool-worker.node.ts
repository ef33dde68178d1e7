// The entry of one Node ingestion worker (worker_threads): the shared extraction core on Node's pdf.js,
// served over the extraction protocol on the shared transport, as the browser's extraction worker is.
import { parentPort } from 'node:worker_threads';
import { parentPortEndpoint } from '../worker/node.ts';
import { serve } from '../worker/transport.ts';
import { createExtractor } from './extract.ts';
import { nodePdfPlatform } from './pdf-platform.node.ts';
import { extractionHandlers, extractionProtocol, type ExtractionCalls } from './protocol.ts';

if (!parentPort) throw new Error('pool-worker.node.ts runs only as a worker thread.');
serve(
	extractionProtocol,
	parentPortEndpoint<ExtractionCalls>(parentPort),
	extractionHandlers(createExtractor(nodePdfPlatform()))
);
