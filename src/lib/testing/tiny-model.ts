import { fileURLToPath } from 'node:url';
import { loadTransformersEmbedder } from '../ai/transformers-embedder.ts';
import type { Embedder } from '../ai/embedder.ts';

/** The committed fixture models (hub layout), made by scripts/make-tiny-model.py. */
export const FIXTURE_MODELS_DIR = fileURLToPath(new URL('../../../tests/fixtures/models/', import.meta.url));
export const TINY_MODEL_REPO = 'docket/tiny-embed';
export const TINY_MODEL_DIM = 32;

/** The fixture model through the real transformers.js pipeline on onnxruntime-node's CPU backend. */
export function loadTinyEmbedder(): Promise<Embedder> {
	return loadTransformersEmbedder({
		repo: TINY_MODEL_REPO,
		source: { kind: 'local-dir', dir: FIXTURE_MODELS_DIR },
		devices: ['cpu']
	});
}
