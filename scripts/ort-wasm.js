// Serves onnxruntime-web's WASM runtime from the app itself (dev server and build), so the transformers.js
// fallback never reaches for a CDN and the service worker can precache it. The files are copied at build
// time from the exact onnxruntime-web that @huggingface/transformers depends on; nothing large is committed.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** URL folder the runtime is served from; src/lib/ai/onnx-runtime.ts names the same files. */
export const ORT_PUBLIC_DIR = 'ort';
/** transformers.js 4.x runs its browser default on the asyncify build, for both WASM and WebGPU. */
export const ORT_WASM_FILES = ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];

/** The onnxruntime-web `dist/` folder that transformers.js resolves, after checking its version is the pinned one. */
export function ortDistDir(root = PROJECT_ROOT) {
	const require = createRequire(join(root, 'package.json'));
	// The package's exports hide package.json; its Node entry lives in dist/, one level down.
	const transformersDir = dirname(dirname(require.resolve('@huggingface/transformers')));
	const wanted = JSON.parse(readFileSync(join(transformersDir, 'package.json'), 'utf8')).dependencies[
		'onnxruntime-web'
	];
	for (let dir = transformersDir; ; dir = dirname(dir)) {
		const candidate = join(dir, 'node_modules', 'onnxruntime-web');
		if (existsSync(join(candidate, 'package.json'))) {
			const { version } = JSON.parse(readFileSync(join(candidate, 'package.json'), 'utf8'));
			if (version !== wanted)
				throw new Error(
					`onnxruntime-web ${version} is installed but @huggingface/transformers pins ${wanted}: run npm ci.`
				);
			return join(candidate, 'dist');
		}
		if (dirname(dir) === dir) throw new Error('onnxruntime-web is not installed: run npm ci.');
	}
}

const CONTENT_TYPES = { '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

/** @returns {import('vite').Plugin} */
export function ortWasm() {
	let dist = '';
	return {
		name: 'docket-ort-wasm',
		configResolved() {
			dist = ortDistDir();
		},
		configureServer(server) {
			server.middlewares.use((req, res, next) => {
				const path = (req.url ?? '').split('?')[0] ?? '';
				const file = ORT_WASM_FILES.find((f) => path === `/${ORT_PUBLIC_DIR}/${f}`);
				if (!file) return next();
				res.setHeader('content-type', CONTENT_TYPES[file.slice(file.lastIndexOf('.'))]);
				res.end(readFileSync(join(dist, file)));
			});
		},
		generateBundle() {
			// SvelteKit builds the server too; only the client (what the browser and the precache see) needs these.
			if (this.environment && this.environment.config.consumer !== 'client') return;
			for (const file of ORT_WASM_FILES)
				this.emitFile({ type: 'asset', fileName: `${ORT_PUBLIC_DIR}/${file}`, source: readFileSync(join(dist, file)) });
		}
	};
}
