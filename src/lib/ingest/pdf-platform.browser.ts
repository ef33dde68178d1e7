/// <reference types="vite/client" />
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- pdf.js ships no types for its worker modules
/// <reference path="./pdfjs-worker.d.ts" />
import { OffscreenCanvasFactory } from '../ocr/render.browser.ts';
import { cachingAssets, type PdfAssetKind, type PdfPlatform, type Pdfjs } from './pdf-platform.ts';

/**
 * pdf.js in the browser: the normal build, run inside Docket's extraction module Worker with pdf.js's
 * worker code installed in the same thread (no second worker, no `workerSrc` URL to fetch).
 *
 * CMaps (Chinese/Japanese/Korean text), the standard fonts (PDFs that do not embed Helvetica & co) and the
 * JBIG2/OpenJPEG wasm decoders are all needed by `getTextContent` on real files, so Vite emits them as
 * assets of the build and the service worker precaches them; pdf.js receives them through `readAsset`.
 */
function byFileName(urls: Record<string, string>): Map<string, string> {
	return new Map(Object.entries(urls).map(([path, url]) => [path.slice(path.lastIndexOf('/') + 1), url]));
}

const ASSETS: Record<PdfAssetKind, Map<string, string>> = {
	cMapUrl: byFileName(
		import.meta.glob<string>('/node_modules/pdfjs-dist/cmaps/*.bcmap', {
			query: '?url',
			import: 'default',
			eager: true
		})
	),
	standardFontDataUrl: byFileName(
		import.meta.glob<string>('/node_modules/pdfjs-dist/standard_fonts/*.{pfb,ttf}', {
			query: '?url',
			import: 'default',
			eager: true
		})
	),
	wasmUrl: byFileName(
		import.meta.glob<string>('/node_modules/pdfjs-dist/wasm/*.wasm', { query: '?url', import: 'default', eager: true })
	)
};

export function browserPdfPlatform(): PdfPlatform {
	let loading: Promise<Pdfjs> | undefined;
	return {
		loadPdfjs() {
			loading ??= (async () => {
				globalThis.pdfjsWorker ??= await import('pdfjs-dist/build/pdf.worker.mjs');
				return await import('pdfjs-dist');
			})();
			return loading;
		},
		readAsset: cachingAssets(async (kind, filename) => {
			const url = ASSETS[kind].get(filename);
			if (url === undefined) throw new Error(`pdf.js asked for ${filename}, which this build does not include.`);
			const response = await fetch(url);
			if (!response.ok) throw new Error(`Could not load ${filename} (${response.status}).`);
			return new Uint8Array(await response.arrayBuffer());
		}),
		// In a worker (extraction, OCR) pdf.js's own factory would look for `document` to draw scratch canvases.
		...(typeof document === 'undefined' ? { CanvasFactory: OffscreenCanvasFactory } : {})
	};
}
