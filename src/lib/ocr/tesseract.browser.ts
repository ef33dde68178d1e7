/**
 * tesseract.js in the browser (inside the extraction worker): its worker, wasm core and language data
 * come from the app's own `/ocr/` folder (scripts/ocr-assets.js), which the service worker precaches, so
 * OCR needs no network. The SIMD LSTM-only core where wasm SIMD exists, the plain one otherwise.
 */
import { createWorker, OEM, PSM } from 'tesseract.js';
import { OcrUnavailableError } from '../errors.ts';
import { OcrPool, type OcrEngine } from './engine.ts';
import type { RecognizedBlock } from './layout.ts';

const START_TIMEOUT_MS = 60_000;

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

export async function startBrowserOcrEngine(languages: readonly string[] = ['eng']): Promise<OcrEngine> {
	const urls = ocrAssetUrls(self.location.origin, languages);
	let failure: unknown;
	const starting = createWorker(urls.languages, OEM.LSTM_ONLY, {
		workerPath: urls.workerPath,
		corePath: urls.corePath,
		langPath: urls.langPath,
		gzip: true,
		// The service worker keeps the files; tesseract's own IndexedDB copy would only double them.
		cacheMethod: 'none',
		workerBlobURL: false,
		errorHandler: (error: unknown) => {
			failure = error;
		}
	});
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(
			() => reject(new OcrUnavailableError(String(failure ?? 'it did not start in time'))),
			START_TIMEOUT_MS
		);
	});
	try {
		const worker = await Promise.race([starting, timeout]);
		await worker.setParameters({ tessedit_pageseg_mode: PSM.AUTO });
		return {
			async recognize(image) {
				const blob = new Blob([image.bytes.slice().buffer], { type: 'image/png' });
				const { data } = await worker.recognize(blob, {}, { blocks: true, text: false });
				const blocks: RecognizedBlock[] = data.blocks ?? [];
				return blocks;
			},
			async terminate() {
				await worker.terminate();
			}
		};
	} finally {
		clearTimeout(timer);
	}
}

/** One engine per core, at least two. */
export function browserOcrPool(languages: readonly string[] = ['eng']): OcrPool {
	return new OcrPool(() => startBrowserOcrEngine(languages), Math.max(2, navigator.hardwareConcurrency || 2));
}
