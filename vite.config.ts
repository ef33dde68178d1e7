import { fileURLToPath } from 'node:url';
import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { ocrAssets } from './scripts/ocr-assets.js';
import { ortWasm } from './scripts/ort-wasm.js';
import { swiftShaderEnv } from './scripts/swiftshader.js';

// The largest file the service worker precaches: web-llm's and onnxruntime's wasm runtimes are far above
// Workbox's 2 MiB default, and the app must open offline with all of them.
const PRECACHE_MAX_BYTES = 64 * 1024 * 1024;

// Test seams are chosen by build, never by a flag in production code: `DOCKET_TEST_ENGINE=scripted vite build`
// (what `npm test` builds for the browser tests) swaps the AI worker's starter for one that can also start
// the scripted test engine. Any other build must not contain it, and fails if it does.
const TEST_ENGINE = process.env['DOCKET_TEST_ENGINE'] === 'scripted';
const testSeams = TEST_ENGINE
	? [
			{
				find: /^\.\/ai-worker\.browser\.ts$/,
				replacement: fileURLToPath(new URL('./src/lib/ai/ai-worker.testing.ts', import.meta.url))
			}
		]
	: [];

/** Fails a production build that would ship a test-only module (the scripted AI engine and its worker). */
function noTestModules(): Plugin {
	const testOnly = /\/src\/lib\/ai\/(test-ai\.worker|test-chat-engine|ai-worker\.testing)\.ts$/;
	return {
		name: 'docket-no-test-modules',
		apply: 'build',
		load(id) {
			if (!TEST_ENGINE && testOnly.test(id.split('?')[0] ?? id)) {
				const message = `${id} is test-only and must not be in a production build (set DOCKET_TEST_ENGINE only for tests).`;
				// Printed as well as thrown: a later plugin's failure in the same build can hide the thrown one.
				console.error(`✖ ${message}`);
				this.error(message);
			}
			return null;
		}
	};
}

// @kenjiuno/msgreader (Outlook .msg) requires iconv-lite, which needs Node's Buffer; the app never asks it
// for a code page, so the browser build gets a small stand-in (src/lib/ingest/email/iconv-shim.ts).
const iconvShim = {
	find: /^iconv-lite$/,
	replacement: fileURLToPath(new URL('./src/lib/ingest/email/iconv-shim.ts', import.meta.url))
};

export default defineConfig({
	resolve: { alias: [...testSeams, iconvShim] },
	plugins: [
		noTestModules(),
		sveltekit(),
		// onnxruntime-web's wasm served at /ort/ from the app itself (no CDN), and so precached below.
		ortWasm(),
		// tesseract.js's worker, core and language data served at /ocr/ (no CDN), English precached below.
		ocrAssets(),
		SvelteKitPWA({
			registerType: 'prompt',
			injectRegister: false,
			manifestFilename: 'manifest.webmanifest',
			kit: { adapterFallback: 'index.html', spa: true },
			manifest: {
				id: '/',
				name: 'Docket — legal case workbench',
				short_name: 'Docket',
				description:
					'Offline-first case workbench: search, chat with and summarise a case’s documents on your own GPU.',
				start_url: '/',
				scope: '/',
				display: 'standalone',
				background_color: '#f7f5f0',
				theme_color: '#1f3a5f',
				icons: [
					{ src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
					{ src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
					{ src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' }
				]
			},
			workbox: {
				// pdf.js's CMaps (.bcmap) and standard fonts (.pfb/.ttf) are needed offline for text extraction.
				globPatterns: [
					'client/**/*.{js,mjs,css,html,ico,png,svg,webp,woff2,wasm,wgsl,json,webmanifest,bcmap,pfb,ttf}',
					'client/ocr/lang/eng.traineddata.gz'
				],
				maximumFileSizeToCacheInBytes: PRECACHE_MAX_BYTES,
				// Vite also emits onnxruntime's wasm beside the worker (it follows ORT's `new URL(…, import.meta.url)`);
				// Docket points ORT at /ort/ instead, so that 26 MB copy is never fetched and need not be precached.
				globIgnores: ['server/**', '**/workers/assets/ort-wasm-*.wasm', 'client/ocr/tesseract-core-lstm.wasm.js'],
				// Optional OCR languages and the non-SIMD core: cached when first used, then offline too.
				runtimeCaching: [
					{
						urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/ocr/'),
						handler: 'CacheFirst',
						options: { cacheName: 'docket-ocr' }
					}
				],
				navigateFallbackDenylist: [/^\/api\//, /^\/files\//, /^\/models\//],
				cleanupOutdatedCaches: true
			}
		})
	],
	worker: { format: 'es', plugins: () => [noTestModules()] },
	// Shaders stay files (never inlined as data URLs) so the service worker precaches them by name.
	build: { assetsInlineLimit: (file) => (file.endsWith('.wgsl') ? false : undefined) },
	// SvelteKit's build-time analysis imports its server bundle; bundling `cookie` keeps SvelteKit's own
	// version (0.6) instead of the newer one fastify hoists to the top of node_modules.
	ssr: { noExternal: ['cookie'] },
	test: {
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					include: ['src/**/*.test.ts', 'cli/**/*.test.ts', 'bench/**/*.test.ts'],
					exclude: ['**/*.gpu.test.ts'],
					environment: 'node',
					setupFiles: ['./scripts/vitest-setup-unit.ts']
				}
			},
			{
				extends: true,
				test: {
					name: 'gpu',
					include: ['**/*.gpu.test.ts'],
					exclude: ['node_modules/**'],
					environment: 'node',
					env: swiftShaderEnv(),
					// One Dawn instance per process; SwiftShader is CPU-bound, so parallel files only contend.
					fileParallelism: false,
					testTimeout: 120_000
				}
			},
			{
				extends: true,
				test: {
					name: 'server',
					include: ['sync-server/**/*.test.ts'],
					environment: 'node',
					testTimeout: 60_000,
					hookTimeout: 60_000
				}
			}
		]
	}
});
