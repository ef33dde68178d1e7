import Fastify, { type FastifyInstance } from 'fastify';
import type { ServerConfig } from './config.ts';
import { registerStaticApp } from './static-app.ts';
import { PROTOCOL_VERSION } from '../src/lib/sync/protocol.ts';

export type AppOptions = Pick<ServerConfig, 'staticDir' | 'logLevel'>;

/**
 * The Docket server: it serves the web app and is the team's sync server. Routes are added as
 * plugins so tests can build the same instance and call it over real HTTP.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
	const app = Fastify({
		logger: { level: options.logLevel },
		bodyLimit: 1024 * 1024,
		// Behind the team's reverse proxy, the client's address is the proxy's unless told otherwise.
		trustProxy: false
	});

	app.get('/api/v1/health', async () => ({ ok: true, protocol: PROTOCOL_VERSION }));

	await registerStaticApp(app, options.staticDir);
	return app;
}
