import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { loadTransformersEmbedder } from '../../src/lib/ai/transformers-embedder.ts';
import type { Embedder } from '../../src/lib/search/types.ts';
import { ModelFolderError } from '../../src/lib/errors.ts';

/**
 * Where a local model folder in the hub layout (`BASE/ORG/NAME/resolve/main/`) starts: `--model` may name
 * the repository folder (`…/ORG/NAME`) or its `resolve/main` folder.
 */
export function localModel(dir: string): { base: string; repo: string } {
	let folder = resolve(dir).replace(/\/+$/, '');
	if (basename(folder) === 'main' && basename(dirname(folder)) === 'resolve') folder = dirname(dirname(folder));
	const name = basename(folder);
	const org = basename(dirname(folder));
	return { base: dirname(dirname(folder)), repo: `${org}/${name}` };
}

/** A transformers.js embedder on onnxruntime-node's CPU backend, from a model folder on disk (never the network). */
export async function nodeEmbedder(dir: string | undefined, pooling: 'mean' | 'cls' = 'mean'): Promise<Embedder> {
	if (dir === undefined) throw new ModelFolderError({ missing: true });
	const { base, repo } = localModel(dir);
	const config = await stat(resolve(base, repo, 'resolve/main/config.json')).catch(() => undefined);
	if (!config) throw new ModelFolderError({ dir, repo, base });
	return loadTransformersEmbedder({ repo, source: { kind: 'local-dir', dir: base }, devices: ['cpu'], pooling });
}
