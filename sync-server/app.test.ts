import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './main.ts';
import { resolveConfig } from './config.ts';
import { buildApp } from './app.ts';

describe('server skeleton over HTTP', () => {
	let dir: string;
	let server: RunningServer;

	beforeAll(async () => {
		dir = await mkdtemp(join(tmpdir(), 'docket-static-'));
		await mkdir(join(dir, '_app', 'immutable'), { recursive: true });
		await writeFile(join(dir, 'index.html'), '<!doctype html><title>Docket</title>');
		await writeFile(join(dir, '_app', 'immutable', 'app.abc.js'), 'console.log(1)');
		await writeFile(join(dir, 'sw.js'), '// sw');
		const config = resolveConfig({ port: '0', static: dir, data: join(dir, 'data'), 'log-level': 'silent' });
		server = await startServer(config, { handleSignals: false });
	});

	afterAll(async () => {
		await server.close();
		await rm(dir, { recursive: true, force: true });
	});

	it('answers health', async () => {
		const response = await fetch(`${server.url}/api/v1/health`);
		expect(response.status).toBe(200);
		expect(await response.json()).toMatchObject({ ok: true, protocol: 1 });
	});

	it('serves hashed assets as immutable and the service worker as always-revalidated', async () => {
		const asset = await fetch(`${server.url}/_app/immutable/app.abc.js`);
		expect(asset.headers.get('cache-control')).toMatch(/immutable/);
		const sw = await fetch(`${server.url}/sw.js`);
		expect(sw.headers.get('cache-control')).toBe('no-cache');
	});

	it('falls back to the app for deep links, but not for API paths', async () => {
		const page = await fetch(`${server.url}/cases/123`, { headers: { accept: 'text/html' } });
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('<title>Docket</title>');
		const api = await fetch(`${server.url}/api/v1/nope`, { headers: { accept: 'text/html' } });
		expect(api.status).toBe(404);
		expect(await api.json()).toMatchObject({ error: { code: 'not-found' } });
	});

	it('never serves files outside the app directory', async () => {
		const response = await fetch(`${server.url}/..%2f..%2fetc%2fpasswd`);
		expect(response.status).toBe(404);
	});
});

describe('server configuration', () => {
	it('takes flags over environment over defaults', () => {
		expect(resolveConfig({}, {}, '/x').port).toBe(8080);
		expect(resolveConfig({}, { PORT: '9000' }, '/x').port).toBe(9000);
		expect(resolveConfig({ port: '9100' }, { PORT: '9000' }, '/x').port).toBe(9100);
		expect(resolveConfig({ data: 'd' }, {}, '/x').dataDir).toBe('/x/d');
		expect(() => resolveConfig({ port: '99999' }, {}, '/x')).toThrow(/not a port/);
	});
});

describe('model files', () => {
	it('serves MODELS_DIR at /models/ when set, and nothing outside it', async () => {
		const dir = await mkdtemp(join(tmpdir(), 'docket-models-'));
		await mkdir(join(dir, 'models', 'tiny'), { recursive: true });
		await writeFile(join(dir, 'models', 'tiny', 'config.json'), '{"hidden_size":16}');
		await writeFile(join(dir, 'secret.txt'), 'no');
		const app = await buildApp({ staticDir: join(dir, 'no-app'), logLevel: 'silent', modelsDir: join(dir, 'models') });
		await app.listen({ port: 0, host: '127.0.0.1' });
		try {
			const address = app.server.address();
			const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
			const file = await fetch(`${base}/models/tiny/config.json`);
			expect(file.status).toBe(200);
			expect(await file.json()).toEqual({ hidden_size: 16 });
			expect((await fetch(`${base}/models/..%2fsecret.txt`)).status).toBe(404);
			// Without a database the API says so rather than pretending.
			expect((await fetch(`${base}/api/v1/pull`)).status).toBe(503);
		} finally {
			await app.close();
			await rm(dir, { recursive: true, force: true });
		}
	});
});
