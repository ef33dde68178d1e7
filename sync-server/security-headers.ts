import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Security headers on everything the server answers, through `@fastify/helmet`. The Content-Security-Policy
 * fits the app and allows nothing remote:
 * - scripts only from this origin, plus the hashes of the inline start-up script SvelteKit writes into
 *   index.html (read from the built file, so a rebuild needs no edit here), and `'wasm-unsafe-eval'` for
 *   WebAssembly (pdf.js's decoders, onnxruntime, PGlite-free app code never evals JavaScript);
 * - workers and the service worker from this origin and `blob:` (onnxruntime starts its proxy worker from a
 *   blob URL);
 * - connections to this origin (the sync API and `/models/` of the team's own server) and to loopback
 *   (servers on this machine: a person's local model or sync server); origins an
 *   operator lists in `connectSources` (a separate model or sync host of the firm's own) are added, and
 *   nothing else: a person cannot widen the policy from the browser, so client data never leaves for a
 *   host the operator did not name;
 * - no framing (`frame-ancestors 'none'`), no plugins, `nosniff`, `Referrer-Policy: no-referrer`.
 * WebGPU needs no directive.
 */
const LOOPBACK = ['http://localhost:*', 'http://127.0.0.1:*', 'ws://localhost:*', 'ws://127.0.0.1:*'];

export function inlineScriptHashes(staticDir: string): string[] {
	const index = join(staticDir, 'index.html');
	if (!existsSync(index)) return [];
	const html = readFileSync(index, 'utf8');
	const hashes: string[] = [];
	for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
		const body = match[1] ?? '';
		if (body.trim() === '') continue;
		hashes.push(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
	}
	return hashes;
}

export function contentSecurityPolicy(
	staticDir: string,
	connectSources: readonly string[] = []
): Record<string, string[]> {
	return {
		'default-src': ["'self'"],
		// onnxruntime-web (transformers.js, in the AI worker) starts its wasm runtime from a blob:/data: module;
		// without them every embedding model fails to load (models.spec.ts).
		'script-src': ["'self'", "'wasm-unsafe-eval'", 'blob:', 'data:', ...inlineScriptHashes(staticDir)],
		'worker-src': ["'self'", 'blob:'],
		'child-src': ["'self'", 'blob:'],
		// This machine's own servers too (a model or sync server a person runs beside the app on localhost):
		// loopback is not remote, and an address typed in Settings can name one.
		'connect-src': ["'self'", 'blob:', 'data:', ...LOOPBACK, ...connectSources],
		'img-src': ["'self'", 'data:', 'blob:'],
		'font-src': ["'self'", 'data:'],
		// Svelte sets style attributes (transitions, sizes); inline style cannot run code.
		'style-src': ["'self'", "'unsafe-inline'"],
		'media-src': ["'self'", 'blob:'],
		'manifest-src': ["'self'"],
		'object-src': ["'none'"],
		'base-uri': ["'self'"],
		'form-action': ["'self'"],
		'frame-ancestors': ["'none'"],
		'frame-src': ["'self'", 'blob:']
	};
}

export async function registerSecurityHeaders(
	app: FastifyInstance,
	staticDir: string,
	connectSources: readonly string[] = []
): Promise<void> {
	await app.register(helmet, {
		global: true,
		contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(staticDir, connectSources) },
		referrerPolicy: { policy: 'no-referrer' },
		// Browsers ignore it over http (localhost); over https it keeps tokens off plain http. Subdomains are the
		// firm's business, not this server's.
		strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: false },
		crossOriginEmbedderPolicy: false,
		crossOriginResourcePolicy: { policy: 'same-origin' }
	});
}
