/**
 * tesseract.js in the browser (inside the extraction worker): its worker, wasm core and language data
 * come from the app's own `/ocr/` folder (scripts/ocr-assets.js), which the service worker precaches, so
 * OCR needs no network. The SIMD LSTM-only core where wasm SIMD exists, the plain one otherwise.
 */
import { OcrPool, type OcrEngine } from './engine.ts';
import { startTesseractEngine } from './tesseract-engine.ts';

/** The smallest module using a SIMD instruction (wasm-feature-detect's probe). */
const SIMD_PROBE = new Uint8Array([
	0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11
]);

export function ocrAssetUrls(origin: string, languages: readonly string[] = ['eng']) {
	const core = WebAssembly.validate(SIMD_PROBE) ? 'tesseract-core-simd-lstm.wasm.js' : 'tesseract-core-lstm.wasm.js';
	return {
		workerPath: new URL('/ocr/worker.min.js', origin).href,
		corePath: new URL(`/ocr/${core}`, origin).href,
		langPath: new URL('/ocr/lang', origin).href,
		languages: languages.join('+')
	};
}

export function startBrowserOcrEngine(languages: readonly string[] = ['eng']): Promise<OcrEngine> {
	const { languages: langs, ...paths } = ocrAssetUrls(self.location.origin, languages);
	// workerBlobURL off: the worker script is the app's own file, no blob: indirection.
	return startTesseractEngine(
		langs,
		{ ...paths, workerBlobURL: false },
		(image) => new Blob([image.bytes.slice().buffer], { type: 'image/png' })
	);
}

/** One engine per core, at least two. */
export function browserOcrPool(languages: readonly string[] = ['eng']): OcrPool {
	return new OcrPool(() => startBrowserOcrEngine(languages), Math.max(2, navigator.hardwareConcurrency || 2));
}
