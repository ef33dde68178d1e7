import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Paths the app owns; everything else that is not a file falls back to the SPA's index.html. */
const API_PREFIXES = ['/api/', '/files/', '/models/'];

/**
 * Serves the built web app. Hashed assets under `_app/immutable` are cached for a year; the HTML, the
 * service worker and the manifest are revalidated every time, so a new version reaches users.
 */
export async function registerStaticApp(app: FastifyInstance, staticDir: string): Promise<void> {
	const index = join(staticDir, 'index.html');
	if (!existsSync(index)) {
		app.log.warn({ staticDir }, 'No built app found: run `npm run build` (npm start does it for you).');
		app.get('/', async (_request, reply) =>
			reply
				.code(503)
				.type('text/plain')
				.send('Docket’s web app is not built yet. Run `npm start`, which builds it first.')
		);
		return;
	}
	await app.register(fastifyStatic, {
		root: staticDir,
		wildcard: true,
		index: ['index.html'],
		cacheControl: false,
		setHeaders(reply, path) {
			if (path.includes(`${join('_app', 'immutable')}`))
				reply.header('cache-control', 'public, max-age=31536000, immutable');
			else reply.header('cache-control', 'no-cache');
			if (path.endsWith('.wgsl')) reply.header('content-type', 'text/plain; charset=utf-8');
			if (path.endsWith('.webmanifest')) reply.header('content-type', 'application/manifest+json');
		}
	});
	app.setNotFoundHandler(async (request, reply) => {
		const isPage = request.method === 'GET' && !API_PREFIXES.some((p) => request.url.startsWith(p));
		if (isPage && (request.headers.accept ?? '').includes('text/html')) {
			return reply.header('cache-control', 'no-cache').sendFile('index.html');
		}
		return reply
			.code(404)
			.send({ error: { code: 'not-found', message: `Nothing at ${request.method} ${request.url}.` } });
	});
}
