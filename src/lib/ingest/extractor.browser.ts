import { ExtractionClient } from './protocol.ts';

/** The page's extractor: a client of one module Worker running pdf.js, restarted if it crashes. */
export function browserExtractor(): ExtractionClient {
	return new ExtractionClient(() => {
		const worker = new Worker(new URL('./extraction.worker.ts', import.meta.url), {
			type: 'module',
			name: 'docket-extraction'
		});
		return {
			port: worker,
			onDeath(listener) {
				worker.addEventListener('error', (event) => listener(event.message || 'it crashed'));
				worker.addEventListener('messageerror', () => listener('a message could not be read'));
			},
			terminate: () => worker.terminate()
		};
	});
}
