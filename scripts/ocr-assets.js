// Serves tesseract.js's worker, its wasm core and the language data from the app itself (dev server and
// build), so OCR never reaches for a CDN and works offline from the first load. Copied at build time from
// the installed packages; nothing large is committed. src/lib/ocr/assets.ts names the same files.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(fileURLToPath(new URL('..', import.meta.url)), 'package.json'));
/** @param {string} name */
const packageDir = (name) => dirname(require.resolve(`${name}/package.json`));

export const OCR_PUBLIC_DIR = 'ocr';
/** Precached: the worker, the SIMD LSTM-only core (every Chrome with WebGPU has wasm SIMD), English. */
export const OCR_PRECACHED = ['worker.min.js', 'tesseract-core-simd-lstm.wasm.js', 'lang/eng.traineddata.gz'];
/** Served but fetched only on first use: the core for a browser without wasm SIMD, and the optional languages. */
export const OCR_ON_DEMAND = ['tesseract-core-lstm.wasm.js', 'lang/fra.traineddata.gz', 'lang/deu.traineddata.gz'];

/** @param {string} file */
function source(file) {
	if (file === 'worker.min.js') return join(packageDir('tesseract.js'), 'dist', file);
	if (file.startsWith('lang/')) {
		const lang = file.slice('lang/'.length, file.indexOf('.'));
		return join(packageDir(`@tesseract.js-data/${lang}`), '4.0.0_best_int', `${lang}.traineddata.gz`);
	}
	return join(packageDir('tesseract.js-core'), file);
}

/** @type {Record<string, string>} */
const CONTENT_TYPES = { '.js': 'text/javascript', '.gz': 'application/octet-stream' };

/** @returns {import('vite').Plugin} */
export function ocrAssets() {
	const files = [...OCR_PRECACHED, ...OCR_ON_DEMAND];
	return {
		name: 'docket-ocr-assets',
		configureServer(server) {
			server.middlewares.use((req, res, next) => {
				const path = (req.url ?? '').split('?')[0] ?? '';
				const file = files.find((f) => path === `/${OCR_PUBLIC_DIR}/${f}`);
				if (!file) return next();
				res.setHeader('content-type', CONTENT_TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream');
				res.end(readFileSync(source(file)));
			});
		},
		generateBundle() {
			if (this.environment && this.environment.config.consumer !== 'client') return;
			for (const file of files)
				this.emitFile({ type: 'asset', fileName: `${OCR_PUBLIC_DIR}/${file}`, source: readFileSync(source(file)) });
		}
	};
}
