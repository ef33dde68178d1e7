/**
 * Starts the AI worker. This file is a seam chosen by build: a test build (`DOCKET_TEST_ENGINE=scripted vite
 * build`, see vite.config.ts) replaces it with ai-worker.testing.ts, so the scripted engine never ships.
 */
export function spawnAiWorker(): Worker {
	return new Worker(new URL('./ai.worker.ts', import.meta.url), { type: 'module', name: 'docket-ai' });
}
