/**
 * The browser half of `npm run bench -- embed --browser`: the built app's AI worker in Debian's Chromium
 * (Playwright, no browser download), embedding with the fixture model through transformers.js on
 * onnxruntime-web WASM and on WebGPU (SwiftShader here). Needs `npm run build` first. Serves build/ and the
 * fixture models (at /models/, the self-hosted layout) from a throwaway local server.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/browser/chromium.ts';
import { FIXTURE_MODELS_DIR, TINY_MODEL_REPO } from '../src/lib/testing/tiny-model.ts';
import { IN_PAGE_CLIENT } from '../src/lib/worker/in-page.ts';

const TYPES: Record<string, string> = {
	'.html': 'text/html',
	'.js': 'text/javascript',
	'.mjs': 'text/javascript',
	'.wasm': 'application/wasm',
	'.json': 'application/json',
	'.txt': 'text/plain'
};

export interface BrowserRun {
	device: 'wasm' | 'webgpu';
	chunksPerSecond: number;
	backend: string;
	/** The first passage's vector, to compare with Node's. */
	first: number[];
}

function serve(buildDir: string) {
	return createServer((req, res) => {
		const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
		const [root, rest] = path.startsWith('/models/')
			? [FIXTURE_MODELS_DIR, path.slice('/models/'.length)]
			: [buildDir, path.slice(1)];
		const file = normalize(join(root, rest));
		if (!file.startsWith(resolve(root)) || !existsSync(file) || statSync(file).isDirectory()) {
			res.writeHead(404).end();
			return;
		}
		res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
	});
}

export async function measureInChromium(texts: string[], batch: number, buildDir = 'build'): Promise<BrowserRun[]> {
	const workers = join(buildDir, '_app/immutable/workers');
	const worker = existsSync(workers) ? readdirSync(workers).find((f) => /^ai\.worker-.*\.js$/.test(f)) : undefined;
	if (!worker) throw new Error('No built AI worker: run `npm run build` first.');
	if (!existsSync(CHROMIUM_PATH)) throw new Error(`No Chromium at ${CHROMIUM_PATH}.`);
	const server = serve(resolve(buildDir));
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const address = server.address();
	if (address === null || typeof address === 'string') throw new Error('no port');
	const origin = `http://127.0.0.1:${address.port}`;
	const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
	try {
		const page = await browser.newPage();
		await page.goto(`${origin}/robots.txt`);
		const runs: BrowserRun[] = [];
		for (const device of ['wasm', 'webgpu'] as const) {
			const args = {
				workerUrl: `${origin}/_app/immutable/workers/${worker}`,
				baseUrl: `${origin}/models/`,
				repo: TINY_MODEL_REPO,
				texts,
				batch,
				device
			};
			// Sent as source text: a compiled function would carry the bundler's helpers into the page.
			const run = await page.evaluate<{ chunksPerSecond: number; backend: string; first: number[] }>(
				`(${IN_PAGE})(${JSON.stringify(args)})`
			);
			runs.push({ device, ...run });
		}
		return runs;
	} finally {
		await browser.close();
		await new Promise((r) => server.close(r));
	}
}

/** Runs in the page: calls the built AI worker directly through the in-page transport client (load, warm-up, timed batches). */
const IN_PAGE = `async ({ workerUrl, baseUrl, repo, texts, batch, device }) => {
	const worker = (${IN_PAGE_CLIENT})(workerUrl);
	const call = worker.call;
	try {
		const status = await call('load', { embedding: { engine: 'transformers', repo, dtype: 'fp32', devices: [device] }, baseUrl });
		await call('embed', { texts: texts.slice(0, batch) });
		const start = performance.now();
		for (let i = 0; i < texts.length; i += batch) await call('embed', { texts: texts.slice(i, i + batch) });
		const ms = performance.now() - start;
		const sample = await call('embed', { texts: [texts[0]] });
		return { chunksPerSecond: (texts.length * 1000) / ms, backend: status.embedding.backend, first: Array.from(sample.vectors[0]) };
	} finally {
		worker.terminate();
	}
}`;
