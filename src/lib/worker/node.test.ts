import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeWorkerEndpoint, startTypeScriptWorker, workerBundle } from './node.ts';
import { testProtocol, type TestCalls, type TestEvents } from './testing.ts';
import { connect, type Client } from './transport.ts';

const clients: Client<TestCalls, TestEvents>[] = [];
afterEach(() => {
	for (const client of clients.splice(0)) client.terminate();
});

function start(entry: URL): Client<TestCalls, TestEvents> {
	const client = connect(testProtocol, nodeWorkerEndpoint<TestCalls, TestEvents>(startTypeScriptWorker(entry)));
	clients.push(client);
	return client;
}

describe('TypeScript worker threads', () => {
	it('start from one plain-JavaScript bundle of the entry, made once per process', async () => {
		const entry = new URL('./testing-thread.ts', import.meta.url);
		const bundle = workerBundle(entry);
		expect(bundle).toBeDefined();
		expect(workerBundle(entry)).toBe(bundle);
		const code = readFileSync(bundle!, 'utf8');
		// Types are gone and the library is inlined; packages stay imports.
		expect(code).not.toMatch(/\binterface\b|: Client</);
		expect(code).toContain('serve(');
		expect(await start(entry).call('echo', { text: 'bundled' })).toEqual({ text: 'bundled' });
	});

	it('leave what an entry loads on first use out of its start: the pool worker starts without the mail, Word, image and database packages', () => {
		const bundle = workerBundle(new URL('../ingest/pool-worker.node.ts', import.meta.url));
		expect(bundle).toBeDefined();
		// The packages the entry and the chunks it imports statically name, as a thread would load them.
		const packages = new Set<string>();
		const seen = new Set<string>();
		const visit = (url: URL) => {
			if (seen.has(url.href)) return;
			seen.add(url.href);
			for (const [, name] of readFileSync(fileURLToPath(url), 'utf8').matchAll(
				/^\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gm
			))
				if (name!.startsWith('./')) visit(new URL(name!, url));
				else packages.add(name!);
		};
		visit(bundle!);
		expect(seen.size).toBeGreaterThan(1);
		expect([...packages].filter((name) => !name.startsWith('node:'))).toEqual([]);
	});

	it('start an entry that names files relative to its own location through tsx, unbundled', async () => {
		const entry = new URL('./testing-located-thread.ts', import.meta.url);
		expect(workerBundle(entry)).toBeUndefined();
		expect(await start(entry).call('echo', { text: 'through tsx' })).toEqual({ text: 'through tsx' });
	});
});
