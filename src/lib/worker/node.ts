/**
 * Node's worker threads as transport endpoints (the CLI's extraction pool): `worker_threads.Worker` on the
 * caller's side, `parentPort` inside the thread. Node delivers message data directly (no MessageEvent), and
 * a thread that throws, or exits, is dead.
 */
import type * as Esbuild from 'esbuild';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type MessagePort, type TransferListItem, type WorkerOptions } from 'node:worker_threads';
import type { CallMap, ClientEndpoint, EventMap, NoEvents, ServerEndpoint } from './transport.ts';

/** Node moves ArrayBuffers and ports of its own kind; anything else in a list is copied. */
function nodeTransfer(list: Transferable[]): TransferListItem[] {
	return list.filter((item): item is ArrayBuffer => item instanceof ArrayBuffer);
}

/** The caller's side of a thread; `terminate` ends it (and the client rejects what was pending). */
export function nodeWorkerEndpoint<C extends CallMap, E extends EventMap = NoEvents>(
	worker: Worker
): ClientEndpoint<C, E> {
	return {
		postMessage: (message, transfer) => worker.postMessage(message, nodeTransfer(transfer)),
		listen(onMessage, onDeath) {
			// The thread runs the same protocol module; what it sends is trusted to match it.
			const message = (data: Parameters<typeof onMessage>[0]) => onMessage(data);
			const error = (err: Error) => onDeath(err.message || 'it crashed');
			const messageError = () => onDeath('a message could not be read');
			const exit = (code: number) => onDeath(`it exited (code ${code})`);
			worker.on('message', message);
			worker.on('error', error);
			worker.on('messageerror', messageError);
			worker.on('exit', exit);
			return () => {
				worker.off('message', message);
				worker.off('error', error);
				worker.off('messageerror', messageError);
				worker.off('exit', exit);
			};
		},
		terminate: () => void worker.terminate()
	};
}

/** Inside a thread: `parentPort` as the endpoint `serve` answers on. */
export function parentPortEndpoint<C extends CallMap, E extends EventMap = NoEvents>(
	port: MessagePort
): ServerEndpoint<C, E> {
	return {
		postMessage: (message, transfer) => port.postMessage(message, nodeTransfer(transfer)),
		listen(onMessage, onDeath) {
			const message = (data: Parameters<typeof onMessage>[0]) => onMessage(data);
			const close = () => onDeath('the caller closed the port');
			port.on('message', message);
			port.on('close', close);
			return () => {
				port.off('message', message);
				port.off('close', close);
			};
		}
	};
}

/**
 * Starts a TypeScript module as a worker thread. The library runs under tsx's in-process loader, which
 * worker threads do not inherit. Each thread would register it and transform its module graph again
 * (about 0.6 s of CPU per thread, measured, which a pool of short jobs pays many times), so the entry is
 * bundled once per process with esbuild, the transformer tsx itself uses, and threads start from that
 * plain JavaScript; tsx in the thread is the fallback.
 */
export function startTypeScriptWorker(entry: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
	const bundle = workerBundle(entry);
	if (bundle) return new Worker(bundle, options);
	const loader = import.meta.resolve('tsx/esm/api');
	const boot = `import(${JSON.stringify(loader)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
	return new Worker(boot, { ...options, eval: true });
}

/** Bundles by entry, for this process (`undefined`: use tsx). */
const bundles = new Map<string, URL | undefined>();

/** A URL made relative to its module's own location would, in a bundle, point next to the bundle: not bundled. */
const LOCATION_RELATIVE = /new URL\([^)]*import\.meta\.url/;

/**
 * The plain-JavaScript bundle a thread for `entry` starts from, made on first use; `undefined`: use tsx.
 * It is split in chunks, so what the entry imports only on first use (`await import`) stays out of the
 * thread's start: without splitting, esbuild hoists the packages such modules import to the top.
 */
export function workerBundle(entry: URL): URL | undefined {
	if (entry.protocol !== 'file:') return undefined;
	if (bundles.has(entry.href)) return bundles.get(entry.href);
	let out: URL | undefined;
	try {
		const require = createRequire(import.meta.url);
		const esbuild = require('esbuild') as typeof Esbuild;
		// Bundles live in the node_modules that holds esbuild, so the packages they import (left out of
		// the bundle) resolve from there as they do from the sources.
		const cacheDir = join(dirname(require.resolve('esbuild/package.json')), '..', '.cache', 'docket-workers');
		const name = basename(entry.pathname).replace(/\.[cm]?ts$/, '');
		const root = process.cwd();
		const outdir = join(cacheDir, 'build');
		const result = esbuild.buildSync({
			absWorkingDir: root,
			entryPoints: { [name]: fileURLToPath(entry) },
			bundle: true,
			splitting: true,
			outdir,
			outExtension: { '.js': '.mjs' },
			platform: 'node',
			format: 'esm',
			target: `node${process.versions.node.split('.')[0]}`,
			packages: 'external',
			write: false,
			metafile: true,
			logLevel: 'silent'
		});
		const sources = Object.keys(result.metafile.inputs).filter((input) => !input.includes('node_modules/'));
		if (
			result.outputFiles.length > 0 &&
			!sources.some((input) => LOCATION_RELATIVE.test(readFileSync(resolve(root, input), 'utf8')))
		) {
			const hash = createHash('sha256');
			for (const file of result.outputFiles) hash.update(relative(outdir, file.path)).update(file.contents);
			const dir = join(cacheDir, `${name}-${hash.digest('hex').slice(0, 16)}`);
			if (!existsSync(dir)) {
				// Other processes and threads may write the same bundle at once: each writes a folder of its own,
				// then renames it into place, so no thread ever starts from a half-written bundle.
				const temporary = `${dir}.${randomUUID()}.tmp`;
				for (const file of result.outputFiles) {
					const target = join(temporary, relative(outdir, file.path));
					mkdirSync(dirname(target), { recursive: true });
					writeFileSync(target, file.contents);
				}
				try {
					renameSync(temporary, dir);
				} catch (error) {
					// Another writer won the race with the same bytes; its folder serves.
					rmSync(temporary, { recursive: true, force: true });
					if (!existsSync(dir)) throw error;
				}
			}
			out = pathToFileURL(join(dir, `${name}.mjs`));
		}
	} catch {
		// No esbuild, a read-only install, a module esbuild cannot parse: tsx in the thread still works.
		out = undefined;
	}
	bundles.set(entry.href, out);
	return out;
}
