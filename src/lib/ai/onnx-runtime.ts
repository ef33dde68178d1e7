/**
 * Where the app serves onnxruntime-web's WASM runtime (scripts/ort-wasm.js copies it into the build from the
 * onnxruntime-web version transformers.js pins, and the service worker precaches it). transformers.js is
 * handed these paths so it never falls back to its CDN default.
 */
export const ORT_WASM_PATHS = {
	mjs: '/ort/ort-wasm-simd-threaded.asyncify.mjs',
	wasm: '/ort/ort-wasm-simd-threaded.asyncify.wasm'
} as const;

/** Absolute URLs for a page or worker at `base` (onnxruntime imports the factory from a blob or URL). */
export function ortWasmPaths(base: string): { mjs: string; wasm: string } {
	return { mjs: new URL(ORT_WASM_PATHS.mjs, base).href, wasm: new URL(ORT_WASM_PATHS.wasm, base).href };
}
