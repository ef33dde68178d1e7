import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MODELS_DIR, TINY_MODEL_DIM, TINY_MODEL_REPO, loadTinyEmbedder } from '../testing/tiny-model.ts';
import type { Embedder } from './embedder.ts';
import { loadTransformersEmbedder } from './transformers-embedder.ts';

const TEXTS = [
	'The court said the contract was signed.',
	'Damages for breach of the license agreement',
	'witness testimony at the deposition',
	'',
	'Plaintiff filed a motion; the judge granted the order on appeal.'
];

function norm(v: Float32Array): number {
	return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

describe('tiny fixture model through transformers.js (Node, onnxruntime-node CPU)', () => {
	let embedder: Embedder;
	beforeAll(async () => {
		embedder = await loadTinyEmbedder();
	});
	afterAll(async () => {
		await embedder.dispose();
	});

	it('reports its id, width and backend', () => {
		expect(embedder.modelId).toBe(TINY_MODEL_REPO);
		expect(embedder.dim).toBe(TINY_MODEL_DIM);
		expect(embedder.backend).toBe('cpu');
	});

	it('returns one unit-length vector per text, and distinct texts get distinct vectors', async () => {
		const vectors = await embedder.embed(TEXTS);
		expect(vectors).toHaveLength(TEXTS.length);
		for (const v of vectors) {
			expect(v).toBeInstanceOf(Float32Array);
			expect(v.length).toBe(TINY_MODEL_DIM);
			expect(norm(v)).toBeCloseTo(1, 5);
		}
		expect([...vectors[0]!]).not.toEqual([...vectors[1]!]);
	});

	it('embeds a batch exactly as it embeds each text alone', async () => {
		const batch = await embedder.embed(TEXTS);
		for (const [i, text] of TEXTS.entries()) {
			const [alone] = await embedder.embed([text]);
			for (let d = 0; d < TINY_MODEL_DIM; d++) expect(batch[i]![d]).toBeCloseTo(alone![d]!, 6);
		}
	});

	it('gives the same vectors on every run (a second, independent load agrees bit for bit)', async () => {
		const first = await embedder.embed(TEXTS);
		const other = await loadTinyEmbedder();
		try {
			const second = await other.embed(TEXTS);
			expect(second.map((v) => [...v])).toEqual(first.map((v) => [...v]));
		} finally {
			await other.dispose();
		}
	});

	it('matches the vector recorded when the fixture was made', async () => {
		const [v] = await embedder.embed(['The court said the contract was signed.']);
		expect([...v!.slice(0, 4)].map((x) => Number(x.toFixed(5)))).toEqual(RECORDED_FIRST_FOUR);
	});

	it('returns nothing for no texts', async () => {
		expect(await embedder.embed([])).toEqual([]);
	});
});

// The same sentence computed independently with numpy from the fixture's weights (tokens [CLS] the court said
// the contract was signed . [SEP], embedding -> tanh(xW1+b1)W2+b2, mean, normalise). A change here means the
// fixture or the pooling changed.
const RECORDED_FIRST_FOUR = [-0.18072, 0.0395, -0.07248, 0.16686];

describe('loading from a Model base URL (hub layout over HTTP)', () => {
	let server: Server;
	let base: string;
	const requested: string[] = [];
	beforeAll(async () => {
		server = createServer((req, res) => {
			const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
			requested.push(path);
			const file = join(FIXTURE_MODELS_DIR, path.replace(/^\/models\//, ''));
			if (
				!path.startsWith('/models/') ||
				relative(FIXTURE_MODELS_DIR, file).startsWith('..') ||
				!existsSync(file) ||
				statSync(file).isDirectory()
			) {
				res.writeHead(404).end();
				return;
			}
			res.writeHead(200, { 'content-length': statSync(file).size }).end(readFileSync(file));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const address = server.address();
		if (address === null || typeof address === 'string') throw new Error('no port');
		base = `http://127.0.0.1:${address.port}/models/`;
	});
	const cacheDir = mkdtempSync(join(tmpdir(), 'docket-model-cache-'));
	afterAll(async () => {
		await new Promise((resolve) => server.close(resolve));
		rmSync(cacheDir, { recursive: true, force: true });
	});

	it('fetches {base}{repo}/resolve/main/… and embeds like the local copy', async () => {
		const progress: number[] = [];
		const remote = await loadTransformersEmbedder({
			repo: TINY_MODEL_REPO,
			source: { kind: 'base-url', url: base },
			devices: ['cpu'],
			nodeCacheDir: cacheDir,
			onProgress: (p) => progress.push(p.fraction)
		});
		const local = await loadTinyEmbedder();
		try {
			expect(requested).toContain('/models/docket/tiny-embed/resolve/main/onnx/model.onnx');
			expect((await remote.embed(TEXTS)).map((v) => [...v])).toEqual((await local.embed(TEXTS)).map((v) => [...v]));
			expect(progress.at(-1)).toBe(1);
		} finally {
			await remote.dispose();
			await local.dispose();
		}
	});

	it('fails with a plain download error when the folder is missing', async () => {
		await expect(
			loadTransformersEmbedder({
				repo: 'docket/missing',
				source: { kind: 'base-url', url: base },
				devices: ['cpu'],
				nodeCacheDir: cacheDir
			})
		).rejects.toMatchObject({ code: 'network', action: expect.stringContaining('Model base URL') });
	});
});

describe('scripts/make-tiny-model.py', () => {
	const python = '/usr/bin/python3';
	const hasOnnx =
		existsSync(python) &&
		(() => {
			try {
				execFileSync(python, ['-c', 'import onnx, numpy'], { stdio: 'ignore' });
				return true;
			} catch {
				return false;
			}
		})();
	// Regenerating the fixture needs the Python `onnx` package (Debian python3-onnx), absent on these machines; the committed fixture is tested above.
	it.skipIf(!hasOnnx)('regenerates the committed fixture byte for byte (skipped without Debian python3-onnx)', () => {
		const out = mkdtempSync(join(tmpdir(), 'tiny-model-'));
		try {
			execFileSync(python, ['scripts/make-tiny-model.py', out], { stdio: 'ignore' });
			const files = (dir: string): string[] =>
				readdirSync(dir, { recursive: true, encoding: 'utf8' })
					.filter((f) => statSync(join(dir, f)).isFile())
					.sort();
			expect(files(out)).toEqual(files(FIXTURE_MODELS_DIR));
			for (const f of files(out))
				expect(readFileSync(join(out, f)).equals(readFileSync(join(FIXTURE_MODELS_DIR, f))), f).toBe(true);
		} finally {
			rmSync(out, { recursive: true, force: true });
		}
	});
});
