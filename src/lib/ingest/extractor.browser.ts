import { workerEndpoint } from '../worker/transport.ts';
import { WorkerExtractor, type ExtractionCalls } from './protocol.ts';

/** The page's extractor: one module Worker running pdf.js, restarted if it crashes. */
export function browserExtractor(): WorkerExtractor {
	return new WorkerExtractor(() =>
		workerEndpoint<ExtractionCalls>(
			new Worker(new URL('./extraction.worker.ts', import.meta.url), { type: 'module', name: 'docket-extraction' })
		)
	);
}
