/**
 * The test build's ai-worker.browser.ts (vite.config.ts swaps it in when DOCKET_TEST_ENGINE=scripted): a
 * browser test that sets `localStorage['docket.testAiEngine'] = 'scripted'` gets the scripted engine of
 * test-chat-engine.ts; every other test gets the real AI worker. Production builds never contain this file.
 */
export const TEST_ENGINE_KEY = 'docket.testAiEngine';

function scriptedChosen(): boolean {
	try {
		return localStorage.getItem(TEST_ENGINE_KEY) === 'scripted';
	} catch {
		return false;
	}
}

export function spawnAiWorker(): Worker {
	if (scriptedChosen())
		return new Worker(new URL('./test-ai.worker.ts', import.meta.url), { type: 'module', name: 'docket-ai-test' });
	return new Worker(new URL('./ai.worker.ts', import.meta.url), { type: 'module', name: 'docket-ai' });
}
