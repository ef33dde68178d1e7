import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../command.ts';
import { ConfigError, resolveConfig } from '../../sync-server/config.ts';
import { startServer } from '../../sync-server/main.ts';

export const serverCommand: Command = {
	name: 'server',
	summary: 'Run the Docket server: the web app and the team sync server',
	usage: `Usage: docket server [--port P] [--host H] [--data DIR] [--database-url URL] [--static DIR] [--models DIR]

Serves the built web app and the sync API.
  --port P            port to listen on (env PORT, default 8080)
  --host H            address to bind (env HOST, default 127.0.0.1; 0.0.0.0 for a team server)
  --data DIR          data directory (env DOCKET_DATA_DIR, default ./.data)
  --database-url URL  a Postgres with pgvector (env DATABASE_URL); default: embedded PGlite in DIR
  --static DIR        the built app (env DOCKET_STATIC_DIR, default ./build)
  --models DIR        model files served at /models/ (env MODELS_DIR)
  --log-level L       fatal | error | warn | info | debug | silent (env LOG_LEVEL, default info)`,
	async run(argv, io) {
		const { values } = parseArgs({
			args: argv,
			options: {
				port: { type: 'string' },
				host: { type: 'string' },
				data: { type: 'string' },
				static: { type: 'string' },
				'database-url': { type: 'string' },
				models: { type: 'string' },
				'log-level': { type: 'string' }
			},
			strict: true
		});
		let config;
		try {
			config = resolveConfig(values);
		} catch (error) {
			if (error instanceof ConfigError) throw new UsageError(error.message);
			throw error;
		}
		const server = await startServer(config);
		io.stderr(`Docket is running at ${server.url}`);
		// Runs until a signal stops it.
		await new Promise<never>(() => undefined);
		return 0;
	}
};
