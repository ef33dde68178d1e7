import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { revocationReason } from './accounts.ts';
import { registerAccountRoutes } from './auth-routes.ts';
import { authenticate, bearerToken, hashToken, type Principal } from './auth.ts';
import type { ServerConfig } from './config.ts';
import type { Database } from './db/database.ts';
import type { FileStorage } from './file-storage.ts';
import type { LoginLimitOptions } from './login-limit.ts';
import { RateLimiter, type RateLimitOptions } from './rate-limit.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { registerStaticApp } from './static-app.ts';
import { CursorAheadError, SyncStore } from './sync-store.ts';
import { Uploads } from './uploads.ts';
import { REVOKED_CODES } from '../src/lib/sync/accounts-protocol.ts';
import {
	CURSOR_AHEAD,
	LIMITS,
	Mutation,
	PROTOCOL_VERSION,
	PullQuery,
	PushEnvelope,
	SearchRequest,
	type MutationResult
} from '../src/lib/sync/protocol.ts';

export interface AppOptions extends Pick<ServerConfig, 'staticDir' | 'logLevel'> {
	modelsDir?: string | undefined;
	/** Without a database the server only serves the app (and says so at the API). */
	database?: Database | undefined;
	storage?: FileStorage | undefined;
	/** The secret `docket server user add` presents on loopback while this server owns the data dir. */
	adminSecret?: string | undefined;
	rateLimit?: RateLimitOptions | undefined;
	/** Sign-in delays (accounts); `now` lets tests move time on. */
	loginLimit?: LoginLimitOptions | undefined;
	now?: (() => number) | undefined;
	/** Where the JSON log lines go (tests read them); stdout by default. */
	logStream?: NodeJS.WritableStream | undefined;
	/** Failed sign-ins an address may make (a bucket per address, shared by every token it tries). */
	authFailureLimit?: RateLimitOptions | undefined;
	/** Told each team's sequence number after a push that wrote (the restore marker, epoch.ts). */
	onProgress?: ((teamId: string, seq: number) => void) | undefined;
	/** Origins besides this one the app may connect to (the Content-Security-Policy's `connect-src`). */
	connectSources?: readonly string[] | undefined;
	/** Proxies whose X-Forwarded-For is believed (addresses, CIDR ranges, or `loopback`). */
	trustProxy?: readonly string[] | undefined;
	/** How long a connection may stay silent, and a request take to arrive (tests shorten them). */
	timeouts?: { idleMs: number; requestMs: number } | undefined;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { burst: 600, perSecond: 50 };
/** 30 wrong tokens at once, then one every 2 s: plenty for a person retyping, nothing for a guesser. */
export const DEFAULT_AUTH_FAILURE_LIMIT: RateLimitOptions = { burst: 30, perSecond: 0.5 };
/** Token hashes that signed in lately; they skip an address's failure limit (a NAT shared with a guesser). */
const KNOWN_GOOD_TOKENS = 10_000;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

declare module 'fastify' {
	interface FastifyRequest {
		principal?: Principal;
	}
}

function errorBody(code: string, message: string) {
	return { error: { code, message } };
}

/** Parses with zod; answers 400 with the first problem in words when the input does not fit. */
function parse<T extends z.ZodType>(schema: T, input: unknown, reply: FastifyReply): z.infer<T> | undefined {
	const result = schema.safeParse(input);
	if (result.success) return result.data;
	const issue = result.error.issues[0];
	const where = issue?.path.join('.') || 'request';
	void reply.code(400).send(errorBody('invalid-request', `${where}: ${issue?.message ?? 'invalid'}`));
	return undefined;
}

/**
 * The Docket server: it serves the web app and is the team's sync server. Routes are added as
 * plugins so tests can build the same instance and call it over real HTTP.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
	const app = Fastify({
		logger: {
			level: options.logLevel,
			redact: ['req.headers.authorization', 'req.headers["x-docket-admin"]'],
			...(options.logStream ? { stream: options.logStream } : {})
		},
		bodyLimit: LIMITS.maxJsonBodyBytes,
		// Behind the team's reverse proxy, the client's address is the proxy's unless told which proxies to
		// believe (`--trust-proxy`): then X-Forwarded-For from those addresses names the client.
		trustProxy: options.trustProxy && options.trustProxy.length > 0 ? [...options.trustProxy] : false,
		// A connection that sends nothing for a minute, or a request still arriving after ten (an 8 MiB tus
		// part at 14 kB/s), is closed: a client that opens bodies and never finishes them holds nothing long.
		connectionTimeout: options.timeouts?.idleMs ?? 60_000,
		requestTimeout: options.timeouts?.requestMs ?? 600_000
	});

	await registerSecurityHeaders(app, options.staticDir, options.connectSources);

	app.get('/api/v1/health', async () => ({ ok: true, protocol: PROTOCOL_VERSION }));

	const { database, storage } = options;
	if (database && storage) {
		const pool = database.pool;
		const store = new SyncStore(pool, options.onProgress);
		const uploads = new Uploads(pool, storage, app.log);
		const limiter = new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT);
		const failures = new RateLimiter(options.authFailureLimit ?? DEFAULT_AUTH_FAILURE_LIMIT);
		// Insertion-ordered: the oldest entry goes first when it is full.
		const knownGood = new Map<string, true>();
		app.decorate('uploads', uploads);

		const tooMany = (reply: FastifyReply, seconds: number) =>
			reply
				.code(429)
				.header('retry-after', String(seconds))
				.send(errorBody('rate-limited', `Too many requests; try again in ${seconds} s.`));

		app.addHook('onRequest', async (request, reply) => {
			// The path as routed: a request line may carry the whole URL ("GET http://host/api/v1/pull").
			const path = new URL(request.url, 'http://docket.invalid').pathname;
			if (!path.startsWith('/api/v1/') && !path.startsWith('/files')) return;
			if (path === '/api/v1/health') return;
			const token = bearerToken(request.headers.authorization);
			const tokenHash = token ? hashToken(token) : undefined;
			// An address that keeps failing gets 429 for tokens that do not sign in. A token that does (one
			// used here lately, or one checked now) always passes, so a stranger sending junk from the
			// firm's address (its NAT or proxy) cannot keep the team out; sign-ins have their own limit.
			if (tokenHash && !knownGood.has(tokenHash)) {
				const blocked = failures.peek(`a:${request.ip}`);
				if (blocked) {
					// Junk tokens from a failing address cost the database one lookup each, at the address's rate.
					const verdict = limiter.take(`a:${request.ip}`);
					if (!verdict.ok || !(await authenticate(pool, request.headers.authorization))) {
						request.log.warn({ ip: request.ip }, 'authentication failures rate limited');
						return tooMany(reply, verdict.ok ? blocked : verdict.retryAfterSeconds);
					}
				}
			}
			// Every 401 this request ends with (the API's and tus's) costs the address one failure.
			reply.raw.once('finish', () => {
				if (reply.raw.statusCode === 401) {
					failures.take(`a:${request.ip}`);
					if (tokenHash) knownGood.delete(tokenHash);
				} else if (tokenHash && reply.raw.statusCode < 400 && !knownGood.has(tokenHash)) {
					knownGood.set(tokenHash, true);
					if (knownGood.size > KNOWN_GOOD_TOKENS) knownGood.delete(knownGood.keys().next().value ?? '');
				}
			});
			// A request bucket per token (random tokens were stopped above, so they cannot each bring a fresh one).
			const key = tokenHash ? `t:${tokenHash}` : `a:${request.ip}`;
			const verdict = limiter.take(key);
			if (!verdict.ok) {
				request.log.warn({ key: key.slice(0, 10) }, 'rate limited');
				return tooMany(reply, verdict.retryAfterSeconds);
			}
		});

		const requireUser = async (request: FastifyRequest, reply: FastifyReply) => {
			const principal = await authenticate(pool, request.headers.authorization);
			if (!principal) {
				// A token that was revoked says why, so the app can tell “signed out by the admin” from a typo.
				const token = bearerToken(request.headers.authorization);
				const reason = token ? await revocationReason(pool, token) : undefined;
				return reply
					.code(401)
					.header('www-authenticate', 'Bearer')
					.send(
						reason
							? errorBody(REVOKED_CODES[reason], 'This device’s access has ended; sign in again (Settings › Sync).')
							: errorBody('unauthorized', 'Sign in with a valid access token (Settings › Sync).')
					);
			}
			request.principal = principal;
			request.log = request.log.child({ teamId: principal.teamId, userId: principal.userId });
		};
		const principalOf = (request: FastifyRequest): Principal => {
			if (!request.principal) throw new Error('Route is missing the requireUser hook.');
			return request.principal;
		};

		app.post('/api/v1/push', { preHandler: requireUser }, async (request, reply) => {
			const body = parse(PushEnvelope, request.body, reply);
			if (!body) return reply;
			const { teamId } = principalOf(request);
			// Each mutation is checked on its own: one that does not fit is rejected, the others still apply.
			const valid: Mutation[] = [];
			const answers: (MutationResult | number)[] = body.mutations.map((raw) => {
				const parsed = Mutation.safeParse(raw);
				if (parsed.success) return valid.push(parsed.data) - 1;
				const issue = parsed.error.issues[0];
				const where = issue?.path.join('.') || 'mutation';
				const id =
					typeof raw === 'object' && raw !== null && 'mutationId' in raw && typeof raw.mutationId === 'string'
						? raw.mutationId.slice(0, 64)
						: '';
				return {
					mutationId: id,
					status: 'rejected',
					rev: 0,
					seq: 0,
					reason: `${where}: ${issue?.message ?? 'invalid'}`
				};
			});
			const applied = valid.length > 0 ? await store.push(teamId, body.clientId, valid) : [];
			const results = answers.map((answer) => (typeof answer === 'number' ? applied[answer]! : answer));
			request.log.info(
				{
					clientId: body.clientId,
					mutations: body.mutations.length,
					conflicts: results.filter((r) => r.status === 'conflict').length
				},
				'push'
			);
			return { results };
		});

		app.get('/api/v1/pull', { preHandler: requireUser }, async (request, reply) => {
			const query = parse(PullQuery, request.query, reply);
			if (!query) return reply;
			try {
				return await store.pull(principalOf(request).teamId, query.since, query.limit);
			} catch (error) {
				if (!(error instanceof CursorAheadError)) throw error;
				request.log.warn({ since: error.since, latest: error.latest }, 'pull cursor ahead of the server');
				return reply.code(409).send(errorBody(CURSOR_AHEAD, error.message));
			}
		});

		app.post('/api/v1/search', { preHandler: requireUser }, async (request, reply) => {
			const body = parse(SearchRequest, request.body, reply);
			if (!body) return reply;
			const found = await store.search(principalOf(request).teamId, body.caseId, body.vector, body.k);
			return found ?? reply.code(404).send(errorBody('not-found', 'No such case.'));
		});

		app.get<{ Params: { documentId: string } }>(
			'/api/v1/files/:documentId',
			{ preHandler: requireUser },
			async (request, reply) => {
				const { teamId } = principalOf(request);
				const documentId = request.params.documentId;
				const { rows } = UUID.test(documentId)
					? await pool.query<{ storage_key: string; size: string; sha256: string; filename: string }>(
							'SELECT f.storage_key, f.size, f.sha256, f.filename FROM files f JOIN documents d ON d.team_id = f.team_id AND d.id = f.document_id WHERE f.team_id = $1 AND f.document_id = $2 AND NOT d.deleted',
							[teamId, documentId]
						)
					: { rows: [] };
				const file = rows[0];
				const size = file ? await storage.size(file.storage_key) : undefined;
				if (!file || size === undefined) return reply.code(404).send(errorBody('not-found', 'No such file.'));
				reply.header('accept-ranges', 'bytes').header('etag', `"${file.sha256}"`);
				const bytes = () =>
					reply
						.header('content-type', 'application/octet-stream')
						.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
				const range = request.headers.range;
				if (range === undefined)
					return bytes().header('content-length', String(size)).send(storage.read(file.storage_key));
				const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
				let start = match?.[1] ? Number(match[1]) : undefined;
				let end = match?.[2] ? Number(match[2]) : undefined;
				if (start === undefined && end !== undefined) {
					start = Math.max(0, size - end);
					end = size - 1;
				}
				end = Math.min(end ?? size - 1, size - 1);
				if (!match || start === undefined || start > end || start >= size)
					return reply
						.code(416)
						.header('content-range', `bytes */${size}`)
						.send(errorBody('bad-range', 'Range not satisfiable.'));
				return bytes()
					.code(206)
					.header('content-range', `bytes ${start}-${end}/${size}`)
					.header('content-length', String(end - start + 1))
					.send(storage.read(file.storage_key, { start, end }));
			}
		);

		registerAccountRoutes(app, {
			pool,
			requireUser,
			principalOf,
			adminSecret: options.adminSecret,
			loginLimit: options.loginLimit,
			now: options.now
		});

		uploads.register(app);
	} else {
		app.all('/api/v1/*', async (_request, reply) =>
			reply.code(503).send(errorBody('no-database', 'This server runs without a database.'))
		);
	}

	if (options.modelsDir && existsSync(options.modelsDir)) {
		await app.register(fastifyStatic, {
			root: options.modelsDir,
			prefix: '/models/',
			decorateReply: false,
			cacheControl: false,
			setHeaders(reply) {
				reply.header('cache-control', 'public, max-age=86400');
				reply.header('access-control-allow-origin', '*');
			}
		});
	}

	app.setErrorHandler(async (error, request, reply) => {
		const status =
			typeof error === 'object' && error !== null && 'statusCode' in error && typeof error.statusCode === 'number'
				? error.statusCode
				: 500;
		if (status >= 500) request.log.error({ err: error }, 'request failed');
		const code =
			status === 413
				? 'too-large'
				: status === 415
					? 'unsupported-media-type'
					: status < 500
						? 'invalid-request'
						: 'server-error';
		const message =
			status === 413
				? `The request is larger than ${LIMITS.maxJsonBodyBytes} bytes; send fewer mutations at once.`
				: status < 500 && error instanceof Error
					? error.message
					: 'The server failed; try again later.';
		return reply.code(status).send(errorBody(code, message));
	});

	await registerStaticApp(app, options.staticDir);
	return app;
}

declare module 'fastify' {
	interface FastifyInstance {
		uploads?: Uploads;
	}
}
