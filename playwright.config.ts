import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './tests/browser/chromium.ts';

export const BROWSER_TEST_PORT = Number(process.env['BROWSER_TEST_PORT'] ?? 4173);

// Browser tests run against the built app as `npm start` serves it: the real server, the real service worker.
export default defineConfig({
	testDir: 'tests/browser',
	testMatch: '**/*.spec.ts',
	fullyParallel: false,
	workers: 1,
	retries: process.env['CI'] ? 1 : 0,
	timeout: 60_000,
	expect: { timeout: 15_000 },
	reporter: process.env['PLAYWRIGHT_JSON_OUTPUT_NAME'] ? [['list'], ['json']] : [['list']],
	use: {
		baseURL: `http://localhost:${BROWSER_TEST_PORT}`,
		browserName: 'chromium',
		launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
		trace: 'retain-on-failure',
		serviceWorkers: 'allow'
	},
	webServer: {
		command: `node bin/docket.js server --port ${BROWSER_TEST_PORT} --static build --data test-results/server-data --log-level warn`,
		url: `http://localhost:${BROWSER_TEST_PORT}/api/v1/health`,
		reuseExistingServer: false,
		timeout: 60_000
	}
});
