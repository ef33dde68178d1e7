import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { ServerConfig } from './config.ts';

export interface RunningServer {
	app: FastifyInstance;
	url: string;
	close(): Promise<void>;
}

/** Starts the server and stops it cleanly on SIGINT/SIGTERM, letting in-flight requests finish. */
export async function startServer(config: ServerConfig, { handleSignals = true } = {}): Promise<RunningServer> {
	const app = await buildApp(config);
	await app.listen({ port: config.port, host: config.host });
	const address = app.server.address();
	const port = typeof address === 'object' && address ? address.port : config.port;
	const shownHost = config.host === '0.0.0.0' || config.host === '127.0.0.1' ? 'localhost' : config.host;
	const url = `http://${shownHost}:${port}`;
	let closing: Promise<void> | undefined;
	const close = () => (closing ??= app.close());
	if (handleSignals) {
		const onSignal = (signal: NodeJS.Signals) => {
			app.log.info({ signal }, 'shutting down');
			close().then(
				() => process.exit(0),
				(error: unknown) => {
					app.log.error({ err: error }, 'shutdown failed');
					process.exit(1);
				}
			);
		};
		process.once('SIGINT', onSignal);
		process.once('SIGTERM', onSignal);
	}
	return { app, url, close };
}
