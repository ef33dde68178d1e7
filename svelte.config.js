import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	compilerOptions: { runes: true },
	kit: {
		// A single-page app: every route is rendered in the browser from one fallback page, which the
		// service worker precaches, so any deep link opens offline.
		adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', precompress: false, strict: true }),
		// vite-plugin-pwa owns the service worker.
		serviceWorker: { register: false },
		version: { pollInterval: 0 }
	}
};

export default config;
