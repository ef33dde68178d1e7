import { resolve } from 'node:path';
import type { S3StorageConfig } from './file-storage.ts';

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
	/** S3-compatible object storage for files; without it files live in `dataDir`. */
	s3: S3StorageConfig | undefined;
	/** Origins besides the server's own the app may connect to (its Content-Security-Policy's `connect-src`). */
	connectSources: string[];
	/** The reverse proxies whose X-Forwarded-For names the client (addresses, CIDR ranges, `loopback`). */
	trustProxy: string[];
}

export type ConfigFlags = Partial<
	Record<
		| 'port'
		| 'host'
		| 'data'
		| 'static'
		| 'database-url'
		| 'models'
		| 'log-level'
		| 's3-bucket'
		| 's3-endpoint'
		| 's3-region'
		| 's3-path-style'
		| 'connect-src'
		| 'trust-proxy',
		string
	>
>;

function parseBoolean(name: string, value: string | undefined): boolean | undefined {
	if (value === undefined || value === '') return undefined;
	if (['1', 'true', 'yes'].includes(value.toLowerCase())) return true;
	if (['0', 'false', 'no'].includes(value.toLowerCase())) return false;
	throw new ConfigError(`${name} must be true or false, not "${value}".`);
}

function parseS3(flags: ConfigFlags, env: NodeJS.ProcessEnv): S3StorageConfig | undefined {
	const bucket = flags['s3-bucket'] ?? env['DOCKET_S3_BUCKET'];
	const endpoint = flags['s3-endpoint'] ?? env['DOCKET_S3_ENDPOINT'];
	const region = flags['s3-region'] ?? env['DOCKET_S3_REGION'] ?? env['AWS_REGION'];
	const pathStyle = parseBoolean('--s3-path-style', flags['s3-path-style'] ?? env['DOCKET_S3_FORCE_PATH_STYLE']);
	if (!bucket) {
		if (endpoint || flags['s3-region'] || flags['s3-path-style'])
			throw new ConfigError('S3 settings were given without a bucket: add --s3-bucket (DOCKET_S3_BUCKET).');
		return undefined;
	}
	if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
		throw new ConfigError(`"${bucket}" is not an S3 bucket name.`);
	if (endpoint !== undefined) {
		let url: URL;
		try {
			url = new URL(endpoint);
		} catch {
			throw new ConfigError(`"${endpoint}" is not a URL for --s3-endpoint.`);
		}
		if (url.protocol !== 'https:' && url.protocol !== 'http:')
			throw new ConfigError('--s3-endpoint must be an http(s) URL.');
	}
	// Self-hosted S3 servers (MinIO and the like) usually want the bucket in the path.
	return { bucket, endpoint, region: region ?? 'us-east-1', forcePathStyle: pathStyle ?? endpoint !== undefined };
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

/** A comma-separated list of http(s) origins, e.g. `https://models.firm.example`. */
/** The items of a comma-separated flag, trimmed, empty ones dropped. */
function items(value: string | undefined): string[] {
	return (value ?? '')
		.split(',')
		.map((item) => item.trim())
		.filter((item) => item !== '');
}

function parseOrigins(value: string | undefined): string[] {
	return items(value).map((item) => {
		let url: URL;
		try {
			url = new URL(item);
		} catch {
			throw new ConfigError(`--connect-src: "${item}" is not an origin like https://models.firm.example.`);
		}
		if (url.protocol !== 'https:' && url.protocol !== 'http:')
			throw new ConfigError(`--connect-src: "${item}" must be an http(s) origin.`);
		return url.origin;
	});
}

const IPV4 = /^(\d{1,3})(\.\d{1,3}){3}(\/\d{1,2})?$/;
const IPV6 = /^[0-9a-f:]+(\/\d{1,3})?$/i;

/**
 * `--trust-proxy`: a comma-separated list of the proxy's addresses or CIDR ranges, or `loopback`
 * (`linklocal`, `uniquelocal`). Never "trust everyone": then any client could name its own address and
 * step around the per-address limits.
 */
function parseProxies(value: string | undefined): string[] {
	return items(value).map((item) => {
		if (['loopback', 'linklocal', 'uniquelocal'].includes(item) || IPV4.test(item) || IPV6.test(item)) return item;
		throw new ConfigError(
			`--trust-proxy: "${item}" is not an address, a CIDR range or loopback (for example 10.0.0.5 or 10.0.0.0/8).`
		);
	});
}

/** Flags win over environment variables, which win over defaults. */
export function resolveConfig(
	flags: ConfigFlags,
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
		logLevel: logLevel as ServerConfig['logLevel'],
		s3: parseS3(flags, env),
		connectSources: parseOrigins(flags['connect-src'] ?? env['DOCKET_CONNECT_SRC']),
		trustProxy: parseProxies(flags['trust-proxy'] ?? env['DOCKET_TRUST_PROXY'])
	};
}
