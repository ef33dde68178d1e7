// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- pdf.js ships no types for its worker modules
/// <reference path="./pdfjs-worker.d.ts" />
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cachingAssets, type PdfAssetKind, type PdfPlatform, type Pdfjs } from './pdf-platform.ts';

const FOLDERS: Record<PdfAssetKind, string> = {
	cMapUrl: 'cmaps',
	standardFontDataUrl: 'standard_fonts',
	wasmUrl: 'wasm'
};

/** pdf.js in Node: the legacy build (the modern one needs newer Node APIs), assets read from the package. */
export function nodePdfPlatform(): PdfPlatform {
	const packageRoot = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
	let loading: Promise<Pdfjs> | undefined;
	return {
		loadPdfjs() {
			loading ??= (async () => {
				globalThis.pdfjsWorker ??= await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
				return await import('pdfjs-dist/legacy/build/pdf.mjs');
			})();
			return loading;
		},
		readAsset: cachingAssets(
			async (kind, filename) => new Uint8Array(await readFile(join(packageRoot, FOLDERS[kind], filename)))
		)
	};
}
