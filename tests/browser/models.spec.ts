import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { FALLBACK_EMBEDDING, MODELS } from '../../src/lib/ai/model-registry.ts';
import { modelFolder } from '../../src/lib/ai/model-source.ts';
import {
	FIXTURE_MODELS_DIR,
	TINY_MODEL_DIM,
	TINY_MODEL_REPO,
	loadTinyEmbedder
} from '../../src/lib/testing/tiny-model.ts';
import { CasePage, Library } from './pages.ts';
import { IN_PAGE_CLIENT } from '../../src/lib/worker/in-page.ts';

/**
 * A team model server in miniature: the fixture model, in the hub layout, standing in for the weights of
 * the transformers.js fallback (the app's own choice where web-llm cannot run). Its files can be held back
 * (`gated`) so a test can reload the page while the model is still loading.
 */
async function startModelServer(options: { gated: boolean; repo?: string }) {
	const source = join(FIXTURE_MODELS_DIR, TINY_MODEL_REPO, 'resolve/main');
	const target = `/${options.repo ?? FALLBACK_EMBEDDING.repo}/resolve/main/`;
	const files = new Map<string, Buffer>([
		[`${target}config.json`, readFileSync(join(source, 'config.json'))],
		[`${target}tokenizer.json`, readFileSync(join(source, 'tokenizer.json'))],
		[`${target}tokenizer_config.json`, readFileSync(join(source, 'tokenizer_config.json'))],
		// The fallback loads the q8 file; the fixture's fp32 graph runs under that name just as well.
		[`${target}onnx/model_quantized.onnx`, readFileSync(join(source, 'onnx/model.onnx'))],
		[`${target}onnx/model.onnx`, readFileSync(join(source, 'onnx/model.onnx'))]
	]);
	let open!: () => void;
	const gate = options.gated ? new Promise<void>((resolve) => (open = resolve)) : Promise.resolve();
	const requested: string[] = [];
	const server = createServer((req, res) => {
		const path = new URL(req.url ?? '/', 'http://x').pathname;
		requested.push(path);
		const cors = { 'access-control-allow-origin': '*' };
		const body = files.get(path);
		if (!body) {
			res.writeHead(404, cors).end();
			return;
		}
		void gate.then(() => {
			if (!res.destroyed)
				res
					.writeHead(200, { ...cors, 'content-type': 'application/octet-stream', 'content-length': body.length })
					.end(body);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	if (address === null || typeof address === 'string') throw new Error('no port');
	return {
		url: `http://127.0.0.1:${address.port}/`,
		requested,
		release: () => open?.(),
		close: () => {
			server.closeAllConnections();
			return new Promise((resolve) => server.close(resolve));
		}
	};
}

const BRIEF = Array.from(
	{ length: 40 },
	(_, i) =>
		`Paragraph ${i + 1}. The plaintiff says the defendant breached the supply contract of March ${(i % 28) + 1}, and the court ordered disclosure of the delivery records.`
).join('\n\n');

async function setModelBaseUrl(page: Page, url: string) {
	await new Library(page).gotoSettings();
	const models = page.getByRole('region', { name: 'Models' });
	await expect(models.getByRole('table', { name: 'Embedding models' })).toBeVisible();
	await expect(models.getByText('Checking…')).toHaveCount(0);
	await models.getByRole('textbox', { name: 'Model base URL' }).fill(url);
	await models.getByRole('button', { name: 'Save' }).click();
	await expect(models.getByRole('textbox', { name: 'Model base URL' })).toHaveValue(url);
}

/** Points the app at `modelBaseUrl`, adds the brief, and waits for it to show `Embedding`. */
async function briefWaitingForModel(page: Page, modelBaseUrl: string): Promise<Locator> {
	await new Library(page).open();
	await setModelBaseUrl(page, modelBaseUrl);
	const row = await addBrief(page);
	await expect(row).toContainText('Embedding', { timeout: 30_000 });
	return row;
}

async function addBrief(page: Page): Promise<Locator> {
	const library = new Library(page);
	await library.gotoCases();
	await library.createCase('Supply dispute');
	await new CasePage(page).tab('Documents').click();
	await page
		.getByLabel('Add documents')
		.setInputFiles({ name: 'brief.txt', mimeType: 'text/plain', buffer: Buffer.from(BRIEF) });
	return page.getByRole('list', { name: 'Documents in this case' }).getByRole('listitem', { name: 'brief.txt' });
}

/** Secondary check, straight from IndexedDB: the document's vectors, one per chunk, of one model. */
async function storedVectors(page: Page, name: string) {
	return page.evaluate(async (docName) => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('docket');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		const all = (store: string) =>
			new Promise<Record<string, unknown>[]>((resolve, reject) => {
				const request = db.transaction(store).objectStore(store).getAll();
				request.onsuccess = () => resolve(request.result as Record<string, unknown>[]);
				request.onerror = () => reject(request.error);
			});
		const doc = (await all('documents')).find((d) => d['name'] === docName);
		const mine = (rows: Record<string, unknown>[]) => rows.filter((r) => r['documentId'] === doc?.['id']);
		const vectors = mine(await all('vectors'));
		const chunks = mine(await all('chunks'));
		const jobs = mine(await all('jobs')).filter((j) => j['kind'] === 'embed');
		db.close();
		return {
			embeddingModelId: doc?.['embeddingModelId'],
			chunks: chunks.length,
			vectors: vectors.length,
			models: [...new Set(vectors.map((v) => v['modelId']))],
			jobs: jobs.map((j) => j['state'])
		};
	}, name);
}

function collectPageErrors(page: Page): string[] {
	const errors: string[] = [];
	page.on('pageerror', (error) => errors.push(error.message));
	return errors;
}

test.describe('models', () => {
	test('Settings › Models offline shows each model as it is on this device, in one sentence', async ({
		page,
		context
	}) => {
		const library = new Library(page);
		await library.open();
		await library.waitForServiceWorker();
		await context.setOffline(true);
		await library.gotoSettings();
		const models = page.getByRole('region', { name: 'Models' });
		const row = (label: string) =>
			models.getByRole('row').filter({
				has: page.getByRole('rowheader', { name: new RegExp(`^${label.replace(/[().]/g, '\\$&')}(?!\\s*\\()`) })
			});

		await expect(models.getByRole('status').filter({ hasText: 'You are offline' })).toHaveText(
			'You are offline and no model has been downloaded on this device yet, so chat and meaning-based search wait for a connection; everything else works.'
		);
		for (const model of MODELS) await expect(row(model.label)).toContainText('Not downloaded');
		for (const button of await models.getByRole('button', { name: /^Download / }).all())
			await expect(button).toBeDisabled();

		// One model's weights in web-llm's cache, as a finished download leaves them.
		const cached = MODELS.find((m) => m.kind === 'embedding')!;
		await page.evaluate(
			async (folder) => {
				const cache = await caches.open('webllm/model');
				await cache.put(
					`${folder}tensor-cache.json`,
					new Response(JSON.stringify({ records: [{ dataPath: 'params_shard_0.bin' }] }), {
						headers: { 'content-type': 'application/json' }
					})
				);
				await cache.put(`${folder}params_shard_0.bin`, new Response(new Uint8Array(16)));
			},
			modelFolder({ kind: 'hub' }, cached.repo)
		);
		await library.gotoCases();
		await library.gotoSettings();
		await expect(models.getByRole('status').filter({ hasText: 'You are offline' })).toHaveText(
			'You are offline: the models marked Downloaded work as usual, and the others can be downloaded once you are back online.'
		);
		for (const model of MODELS)
			await expect(row(model.label)).toContainText(model.repo === cached.repo ? 'Downloaded' : 'Not downloaded');
		await expect(row(cached.label).getByRole('button', { name: `Delete ${cached.label}` })).toBeEnabled();
	});

	test('a document is embedded in the background (Embedding → Indexed) and the job resumes after a reload', async ({
		page
	}) => {
		test.setTimeout(120_000);
		const errors = collectPageErrors(page);
		const server = await startModelServer({ gated: true });
		try {
			// The model's files are held back: the runner is loading it, the document shows Embedding.
			const row = await briefWaitingForModel(page, server.url);
			await expect
				.poll(() => server.requested.some((p) => p.startsWith(`/${FALLBACK_EMBEDDING.repo}/`)), { timeout: 30_000 })
				.toBe(true);
			expect((await storedVectors(page, 'brief.txt')).jobs).toEqual([expect.stringMatching(/queued|embedding/)]);

			await page.reload();
			server.release();
			await new CasePage(page).tab('Documents').click();
			await expect(row).toContainText('Indexed', { timeout: 60_000 });
			const stored = await storedVectors(page, 'brief.txt');
			expect(stored.chunks).toBeGreaterThan(0);
			expect(stored).toMatchObject({
				embeddingModelId: FALLBACK_EMBEDDING.id,
				vectors: stored.chunks,
				models: [FALLBACK_EMBEDDING.id],
				jobs: ['done']
			});
			expect(errors).toEqual([]);
		} finally {
			await server.close();
		}
	});

	test('two tabs: one works the embedding queue while the other waits its turn', async ({ page, context }) => {
		test.setTimeout(120_000);
		const server = await startModelServer({ gated: true });
		try {
			const row = await briefWaitingForModel(page, server.url);

			// A second tab starts its own runner at start-up: the queue's Web Lock makes it wait.
			const second = await context.newPage();
			await new Library(second).open();
			const locks = () =>
				second.evaluate(async () => {
					const { held = [], pending = [] } = await navigator.locks.query();
					const named = (list: LockInfo[]) => list.filter((l) => l.name === 'docket-embed-jobs').length;
					return { held: named(held), pending: named(pending) };
				});
			await expect.poll(locks, { timeout: 30_000 }).toEqual({ held: 1, pending: 1 });

			server.release();
			await expect(row).toContainText('Indexed', { timeout: 60_000 });
			await expect.poll(locks, { timeout: 30_000 }).toEqual({ held: 0, pending: 0 });
			const stored = await storedVectors(second, 'brief.txt');
			expect(stored).toMatchObject({ embeddingModelId: FALLBACK_EMBEDDING.id, vectors: stored.chunks, jobs: ['done'] });
		} finally {
			await server.close();
		}
	});

	test('without a model and offline, documents stay searchable by keyword and embed once the network is back', async ({
		page,
		context
	}) => {
		test.setTimeout(120_000);
		const errors = collectPageErrors(page);
		const server = await startModelServer({ gated: false });
		try {
			const library = new Library(page);
			await library.open();
			await library.waitForServiceWorker();
			await setModelBaseUrl(page, server.url);
			await context.setOffline(true);
			const row = await addBrief(page);
			// The model cannot be fetched: the document settles as Indexed (keyword search) and its job waits.
			await expect(row).toContainText('Indexed', { timeout: 60_000 });
			await new CasePage(page).tab('Search').click();
			const box = page.getByRole('searchbox', { name: 'Search this case' });
			await box.fill('delivery records');
			await box.press('Enter');
			await expect(page.getByRole('list', { name: 'Results' }).getByRole('listitem').first()).toContainText(
				'brief.txt'
			);
			await library.gotoSettings();
			await expect(
				page
					.getByRole('region', { name: 'Models' })
					.getByRole('status')
					.filter({ hasText: 'waits for an embedding model' })
			).toContainText('1 document waits for an embedding model and can be found by keyword meanwhile');
			expect(await storedVectors(page, 'brief.txt')).toMatchObject({ vectors: 0, jobs: ['queued'] });

			await context.setOffline(false);
			await expect
				.poll(async () => (await storedVectors(page, 'brief.txt')).jobs, { timeout: 60_000 })
				.toEqual(['done']);
			const stored = await storedVectors(page, 'brief.txt');
			expect(stored).toMatchObject({ embeddingModelId: FALLBACK_EMBEDDING.id, vectors: stored.chunks });
			await expect(page.getByRole('region', { name: 'Models' }).getByText('waits for an embedding model')).toHaveCount(
				0
			);
			expect(errors).toEqual([]);
		} finally {
			await server.close();
		}
	});

	test('the fixture model runs through transformers.js in Chromium on WASM and on WebGPU (SwiftShader), the same vectors every run', async ({
		page
	}) => {
		test.setTimeout(120_000);
		const workers = 'build/_app/immutable/workers';
		const worker = existsSync(workers) ? readdirSync(workers).find((f) => /^ai\.worker-.*\.js$/.test(f)) : undefined;
		// The test loads the built AI worker file directly; `npm test` builds before the browser step, a bare `playwright test` may not.
		test.skip(worker === undefined, 'needs the built app (npx vite build)');
		const texts = [
			'The court said the contract was signed.',
			'Damages for breach of the license agreement',
			'witness testimony at the deposition'
		];
		const node = await loadTinyEmbedder();
		const reference = (await node.embed(texts)).map((v) => [...v]);
		await node.dispose();
		const server = await startModelServer({ gated: false, repo: TINY_MODEL_REPO });
		try {
			// A page without the app on it: this talks to the built AI worker directly, in the transport's messages.
			await page.goto('/robots.txt');
			for (const device of ['wasm', 'webgpu'] as const) {
				const args = {
					workerUrl: `/_app/immutable/workers/${worker}`,
					baseUrl: server.url,
					repo: TINY_MODEL_REPO,
					texts,
					device
				};
				// Two independent loads, each in a fresh worker, through the in-page transport client.
				const runs = await page.evaluate<{ backend: string; dim: number; vectors: number[][] }[]>(
					`(async ({ workerUrl, baseUrl, repo, texts, device }) => {
						const once = async () => {
							const worker = (${IN_PAGE_CLIENT})(workerUrl);
							try {
								const status = await worker.call('load', {
									embedding: { engine: 'transformers', repo, dtype: 'fp32', devices: [device] },
									baseUrl
								});
								const result = await worker.call('embed', { texts });
								return {
									backend: status.embedding.backend,
									dim: status.embedding.dim,
									vectors: result.vectors.map((v) => Array.from(v))
								};
							} finally {
								worker.terminate();
							}
						};
						return [await once(), await once()];
					})(${JSON.stringify(args)})`
				);
				const [first, second] = runs;
				expect(first).toMatchObject({ backend: device, dim: TINY_MODEL_DIM });
				// Two independent loads agree bit for bit.
				expect(second!.vectors).toEqual(first!.vectors);
				// And agree with onnxruntime-node on the CPU (float arithmetic differs a little on the GPU).
				const tolerance = device === 'wasm' ? 1e-5 : 1e-3;
				first!.vectors.forEach((vector, i) =>
					vector.forEach((x, j) => expect(Math.abs(x - reference[i]![j]!)).toBeLessThan(tolerance))
				);
			}
		} finally {
			await server.close();
		}
	});
});
