import type * as PdfjsApi from 'pdfjs-dist';

/** The part of pdf.js the app uses; the legacy build (Node) and the normal build (browser) both have it. */
export type Pdfjs = Pick<typeof PdfjsApi, 'getDocument' | 'VerbosityLevel' | 'version' | 'TextLayer' | 'OPS'>;

/** The resource folders pdf.js asks for, by the option name it uses for each. */
export type PdfAssetKind = 'cMapUrl' | 'standardFontDataUrl' | 'wasmUrl';

/**
 * The seam between the shared extraction core and a platform (STYLE.md habit 3): the browser worker
 * (`pdf-platform.browser.ts`) and Node (`pdf-platform.node.ts`) each implement this, and everything
 * above it — sniffing, password handling, states, chunking — is one code path.
 *
 * pdf.js never fetches anything itself: each platform runs pdf.js's worker code in the calling thread
 * (`globalThis.pdfjsWorker`) and hands it CMaps, standard fonts and wasm decoders from files that ship
 * with the app, through `readAsset`. Nothing comes from a CDN; extraction works offline.
 */
export interface PdfPlatform {
	/** Loads pdf.js with its worker module installed in this thread. Called once, then cached. */
	loadPdfjs(): Promise<Pdfjs>;
	/** The bytes of `filename` in pdf.js's `cmaps/`, `standard_fonts/` or `wasm/` folder. */
	readAsset(kind: PdfAssetKind, filename: string): Promise<Uint8Array>;
	/** pdf.js's `CanvasFactory` where its own cannot work (a worker has no `document`): for OCR's rendering. */
	CanvasFactory?: new () => unknown;
}

declare global {
	// pdf.js looks here for its worker's message handler before it tries to start a worker of its own.
	var pdfjsWorker: unknown;
}

/**
 * A `BinaryDataFactory` for pdf.js (its option for loading CMaps, fonts and wasm on the API side when
 * `useWorkerFetch` is off) backed by the platform.
 */
export function binaryDataFactory(platform: PdfPlatform): new (options: unknown) => {
	fetch(request: { kind: PdfAssetKind; filename: string }): Promise<Uint8Array>;
} {
	return class PlatformBinaryDataFactory {
		async fetch({ kind, filename }: { kind: PdfAssetKind; filename: string }): Promise<Uint8Array> {
			// pdf.js builds file names from the PDF's font and CMap names: never let one leave its folder.
			if (!/^[\w.+-]+$/.test(filename) || filename.startsWith('.'))
				throw new Error(`Refused pdf.js asset name "${filename}".`);
			return platform.readAsset(kind, filename);
		}
	};
}

/**
 * Keeps each asset's bytes once read: every PDF that does not embed its fonts asks for the same few
 * standard fonts and CMaps, and a folder of such files would otherwise read (or fetch) them per file.
 * Each caller gets its own copy, so pdf.js may do what it likes with it.
 */
export function cachingAssets(read: PdfPlatform['readAsset']): PdfPlatform['readAsset'] {
	const cache = new Map<string, Promise<Uint8Array>>();
	return async (kind, filename) => {
		const key = `${kind}/${filename}`;
		let bytes = cache.get(key);
		if (!bytes) {
			bytes = read(kind, filename).catch((error: unknown) => {
				cache.delete(key);
				throw error;
			});
			cache.set(key, bytes);
		}
		return (await bytes).slice();
	};
}
