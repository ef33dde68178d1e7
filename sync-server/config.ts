import { resolve } from 'node:path';

export interface ServerConfig {
	port: number;
	host: string;
	/** The built web app (SvelteKit's `build/`), served at `/`. */
	staticDir: string;
	/** Where the server keeps its database and files. */
	dataDir: string;
	/** A real Postgres; without it the server embeds PGlite in `dataDir`. */
	databaseUrl: string | undefined;
	/** Model files served at `/models/` for teams that host their own. */
	modelsDir: string | undefined;
	logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
}

export const DEFAULT_PORT = 8080;

export class ConfigError extends Error {
	override name = 'ConfigError';
}

function parsePort(value: string | undefined): number {
	if (value === undefined || value === '') return DEFAULT_PORT;
	const port = Number(value);
	if (!Number.isInteger(port) || port < 0 || port > 65535)
		throw new ConfigError(`"${value}" is not a port number (0–65535).`);
	return port;
}

/** Flags win over environment variables, which win over defaults. */
export function resolveConfig(
	flags: Partial<Record<'port' | 'host' | 'data' | 'static' | 'database-url' | 'models' | 'log-level', string>>,
	env: NodeJS.ProcessEnv = process.env,
	cwd = process.cwd()
): ServerConfig {
	const logLevel = flags['log-level'] ?? env['LOG_LEVEL'] ?? 'info';
	if (!['fatal', 'error', 'warn', 'info', 'debug', 'silent'].includes(logLevel))
		throw new ConfigError(`Unknown log level "${logLevel}".`);
	return {
		port: parsePort(flags.port ?? env['PORT']),
		host: flags.host ?? env['HOST'] ?? '127.0.0.1',
		staticDir: resolve(cwd, flags.static ?? env['DOCKET_STATIC_DIR'] ?? 'build'),
		dataDir: resolve(cwd, flags.data ?? env['DOCKET_DATA_DIR'] ?? '.data'),
		databaseUrl: flags['database-url'] ?? env['DATABASE_URL'] ?? undefined,
		modelsDir: flags.models ?? env['MODELS_DIR'] ?? undefined,
		logLevel: logLevel as ServerConfig['logLevel']
	};
}
