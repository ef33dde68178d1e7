import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { addUser } from './auth.ts';
import { resolveConfig, type ConfigFlags } from './config.ts';
import { startServer, type RunningServer, type StartOptions } from './main.ts';
import {
	PullResponse,
	PushResponse,
	type Mutation,
	type PullResponse as Pull,
	type PushResponse as Push
} from '../src/lib/sync/protocol.ts';

/**
 * Test servers over real HTTP on 127.0.0.1, backed by an in-memory PGlite either in-process (the
 * embedded default) or served over the Postgres wire protocol (the code path a real Postgres takes), and
 * by a real PostgreSQL with pgvector when `TEST_DATABASE_URL` names one (`postgres`: a fresh database per
 * backend, the default pool size).
 */
export type DatabaseMode = 'pglite' | 'wire' | 'postgres';

export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'] || undefined;

/** Why the `postgres` mode does not run here, or undefined when it does. */
async function probePostgres(url: string | undefined): Promise<string | undefined> {
	if (!url) return 'TEST_DATABASE_URL is not set (a PostgreSQL server with pgvector)';
	const client = new pg.Client({ connectionString: url });
	try {
		await client.connect();
		const { rows } = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'");
		return rows.length === 0 ? `the server at TEST_DATABASE_URL has no pgvector` : undefined;
	} catch (error) {
		return `TEST_DATABASE_URL cannot be reached (${error instanceof Error ? error.message : String(error)})`;
	} finally {
		await client.end().catch(() => undefined);
	}
}

export const POSTGRES_SKIP_REASON = await probePostgres(TEST_DATABASE_URL);
export const DATABASE_MODES: readonly DatabaseMode[] = POSTGRES_SKIP_REASON
	? ['pglite', 'wire']
	: ['pglite', 'wire', 'postgres'];

export interface TestBackend {
	mode: DatabaseMode;
	/** The in-memory PGlite (not in `postgres` mode). */
	pglite: PGlite | undefined;
	/** Starts a server on this backend (each with its own data directory); `flags` as on the command line. */
	start(options?: StartOptions, flags?: ConfigFlags): Promise<RunningServer>;
	close(): Promise<void>;
}

/** A database of its own on the real server, so test files never share rows or team names. */
async function freshPostgresDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
	const name = `docket_test_${randomBytes(8).toString('hex')}`;
	const admin = new pg.Client({ connectionString: url });
	await admin.connect();
	try {
		await admin.query(`CREATE DATABASE ${name}`);
	} finally {
		await admin.end();
	}
	const target = new URL(url);
	target.pathname = `/${name}`;
	return {
		url: target.toString(),
		async drop() {
			const client = new pg.Client({ connectionString: url });
			await client.connect();
			try {
				await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
			} finally {
				await client.end();
			}
		}
	};
}

export async function openBackend(mode: DatabaseMode): Promise<TestBackend> {
	let pglite: PGlite | undefined;
	let socket: PGLiteSocketServer | undefined;
	let databaseUrl: string | undefined;
	let postgres: { url: string; drop(): Promise<void> } | undefined;
	if (mode === 'postgres') {
		if (!TEST_DATABASE_URL || POSTGRES_SKIP_REASON) throw new Error(`postgres mode: ${POSTGRES_SKIP_REASON}`);
		postgres = await freshPostgresDatabase(TEST_DATABASE_URL);
		databaseUrl = postgres.url;
	} else {
		pglite = await PGlite.create('memory://', { extensions: { vector } });
		if (mode === 'wire') {
			socket = new PGLiteSocketServer({ db: pglite, port: 0, host: '127.0.0.1' });
			await socket.start();
			databaseUrl = `postgres://postgres:postgres@${socket.getServerConn()}/postgres?sslmode=disable`;
		}
	}
	const servers: RunningServer[] = [];
	const dirs: string[] = [];
	return {
		mode,
		pglite,
		async start(options = {}, flags = {}) {
			const dir = await mkdtemp(join(tmpdir(), 'docket-server-'));
			dirs.push(dir);
			const config = resolveConfig(
				{ port: '0', data: dir, static: join(dir, 'no-app'), 'log-level': 'silent', ...flags },
				{},
				dir
			);
			config.databaseUrl = databaseUrl;
			const server = await startServer(config, {
				handleSignals: false,
				// pglite-socket serves one session; a real server gets the default pool.
				...(mode === 'pglite' && pglite ? { pglite } : mode === 'wire' ? { poolSize: 1 } : {}),
				...options
			});
			servers.push(server);
			return server;
		},
		async close() {
			for (const server of servers) await server.close();
			await socket?.stop();
			await pglite?.close();
			await postgres?.drop();
			for (const dir of dirs) await rm(dir, { recursive: true, force: true });
		}
	};
}

const BIN = new URL('../bin/docket.js', import.meta.url).pathname;

/** Starts `docket server` as its own process (so a test can SIGKILL it) and resolves with its URL once it listens. */
export function spawnServer(
	dataDir: string,
	{ args = [], env = process.env }: { args?: string[]; env?: NodeJS.ProcessEnv } = {}
): Promise<{ child: ChildProcess; url: string }> {
	const child = spawn(
		process.execPath,
		[
			BIN,
			'server',
			'--port',
			'0',
			'--data',
			dataDir,
			'--static',
			join(dataDir, 'no-app'),
			'--log-level',
			'warn',
			...args
		],
		{
			stdio: ['ignore', 'ignore', 'pipe'],
			env
		}
	);
	return new Promise((resolve, reject) => {
		let output = '';
		child.stderr?.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			const match = /running at (http:\/\/\S+)/.exec(output);
			if (match?.[1]) resolve({ child, url: match[1].replace('localhost', '127.0.0.1') });
		});
		child.on('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${output}`)));
	});
}

export async function newUser(server: RunningServer, team: string, name = 'tester'): Promise<string> {
	return (await addUser(server.database.pool, name, team)).token;
}

/** A minimal API client for tests. */
export function apiClient(baseUrl: string, token: string | undefined) {
	const headers = (extra: Record<string, string> = {}) => ({
		...extra,
		...(token ? { authorization: `Bearer ${token}` } : {})
	});
	return {
		async raw(path: string, init: RequestInit = {}) {
			return fetch(`${baseUrl}${path}`, {
				...init,
				headers: { ...headers(), ...(init.headers as Record<string, string> | undefined) }
			});
		},
		async push(clientId: string, mutations: Mutation[]): Promise<Push> {
			const response = await fetch(`${baseUrl}/api/v1/push`, {
				method: 'POST',
				headers: headers({ 'content-type': 'application/json' }),
				body: JSON.stringify({ clientId, mutations })
			});
			if (!response.ok) throw new Error(`push: HTTP ${response.status} ${await response.text()}`);
			return PushResponse.parse(await response.json());
		},
		async pull(since: number, limit = 200): Promise<Pull> {
			const response = await fetch(`${baseUrl}/api/v1/pull?since=${since}&limit=${limit}`, { headers: headers() });
			if (!response.ok) throw new Error(`pull: HTTP ${response.status} ${await response.text()}`);
			return PullResponse.parse(await response.json());
		},
		/** Every change from `since`, following `hasMore`. */
		async pullAll(since = 0, limit = 200): Promise<{ changes: Pull['changes']; checkpoint: number }> {
			const changes: Pull['changes'] = [];
			let checkpoint = since;
			for (;;) {
				const page = await this.pull(checkpoint, limit);
				changes.push(...page.changes);
				checkpoint = page.checkpoint;
				if (!page.hasMore) return { changes, checkpoint };
			}
		}
	};
}

export function put(table: Mutation['table'], id: string, baseRev: number, fields: Record<string, unknown>): Mutation {
	return { mutationId: crypto.randomUUID(), table, id, baseRev, op: 'put', fields };
}

export function del(table: Mutation['table'], id: string, baseRev: number): Mutation {
	return { mutationId: crypto.randomUUID(), table, id, baseRev, op: 'delete', fields: {} };
}

export function tusMetadata(meta: Record<string, string>): string {
	return Object.entries(meta)
		.map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
		.join(',');
}

/** The raw tus 1.0 calls tus-js-client makes, so each step can be checked. */
export function tus(baseUrl: string, token: string | undefined) {
	const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
	return {
		async create(meta: Record<string, string>, size: number) {
			return fetch(`${baseUrl}/files/`, {
				method: 'POST',
				headers: {
					...auth,
					'tus-resumable': '1.0.0',
					'upload-length': String(size),
					'upload-metadata': tusMetadata(meta)
				}
			});
		},
		async patch(location: string, offset: number, bytes: Uint8Array) {
			return fetch(`${baseUrl}${location}`, {
				method: 'PATCH',
				headers: {
					...auth,
					'tus-resumable': '1.0.0',
					'upload-offset': String(offset),
					'content-type': 'application/offset+octet-stream'
				},
				body: new Uint8Array(bytes)
			});
		},
		async head(location: string) {
			return fetch(`${baseUrl}${location}`, { method: 'HEAD', headers: { ...auth, 'tus-resumable': '1.0.0' } });
		}
	};
}
