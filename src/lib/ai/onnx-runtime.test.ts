import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ORT_PUBLIC_DIR, ORT_WASM_FILES, ortDistDir } from '../../../scripts/ort-wasm.js';
import { ORT_WASM_PATHS, ortWasmPaths } from './onnx-runtime.ts';

describe('self-hosted onnxruntime-web runtime', () => {
	it('names the same files the build copies', () => {
		expect([ORT_WASM_PATHS.mjs, ORT_WASM_PATHS.wasm]).toEqual(ORT_WASM_FILES.map((f) => `/${ORT_PUBLIC_DIR}/${f}`));
	});

	it('copies from the onnxruntime-web version transformers.js pins, and the files exist there', () => {
		const dist = ortDistDir();
		const pinned = JSON.parse(readFileSync('node_modules/@huggingface/transformers/package.json', 'utf8')).dependencies[
			'onnxruntime-web'
		];
		expect(JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')).version).toBe(pinned);
		for (const f of ORT_WASM_FILES) expect(existsSync(join(dist, f)) && statSync(join(dist, f)).size > 0, f).toBe(true);
	});

	it('uses the build transformers.js would otherwise fetch from its CDN', () => {
		// transformers.js picks `ort-wasm-simd-threaded${suffix}` with suffix '.asyncify' outside old Safari.
		const web = readFileSync('node_modules/@huggingface/transformers/dist/transformers.web.js', 'utf8');
		expect(web).toContain('let wasmPathSuffix = ".asyncify"');
	});

	it('makes absolute URLs for a worker at any origin', () => {
		expect(ortWasmPaths('https://docket.example/_app/immutable/workers/ai.worker.js')).toEqual({
			mjs: 'https://docket.example/ort/ort-wasm-simd-threaded.asyncify.mjs',
			wasm: 'https://docket.example/ort/ort-wasm-simd-threaded.asyncify.wasm'
		});
	});
});
