import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { PGlite } from '@electric-sql/pglite';
import { buildApp } from './app.ts';
import type { ServerConfig } from './config.ts';
import { acquireLock, type DataDirLock } from './data-dir-lock.ts';
import { openDatabase, type Database } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { EpochKeeper } from './epoch.ts';
import { restrictModes } from './file-modes.ts';
import { storageFor, type FileStorage } from './file-storage.ts';
import type { LoginLimitOptions } from './login-limit.ts';
import type { RateLimitOptions } from './rate-limit.ts';

/** How often files PGlite made since are set to 0600 (the directory itself is 0700 all along). */
const MODE_SWEEP_MS = 30_000;

export interface RunningServer {
	app: FastifyInstance;
	url: string;
	database: Database;
	dataDir: string;
	close(): Promise<void>;
}

export interface StartOptions {
	handleSignals?: boolean;
	/** Tests: an open PGlite to use instead of the data directory's (the caller keeps ownership). */
	pglite?: PGlite;
	rateLimit?: RateLimitOptions;
	/** Connections to a real Postgres (pglite-socket serves one). */
	poolSize?: number;
	/** How often expired, unfinished tus uploads are cleaned up. */
	cleanupIntervalMs?: number;
	loginLimit?: LoginLimitOptions;
	now?: () => number;
	logStream?: NodeJS.WritableStream;
	authFailureLimit?: RateLimitOptions;
	/** Tests: shorter connection and request timeouts than the production ones. */
	timeouts?: { idleMs: number; requestMs: number };
}

/**
 * Starts the server: takes the data directory (an embedded database has one owner), migrates, finishes
 * uploads a crash left unprocessed, listens, and on SIGINT/SIGTERM stops accepting, lets in-flight
 * requests finish, then closes the database.
 */
export async function startServer(
	config: ServerConfig,
	{
		handleSignals = true,
		pglite,
		rateLimit,
		poolSize,
		cleanupIntervalMs = 3600_000,
		loginLimit,
		now,
		logStream,
		authFailureLimit,
		timeouts
	}: StartOptions = {}
): Promise<RunningServer> {
	const embedded = !config.databaseUrl && !pglite;
	let lock: DataDirLock | undefined;
	let database: Database | undefined;
	let app: FastifyInstance | undefined;
	let epoch: EpochKeeper | undefined;
	try {
		// Files live in the data directory in every mode, so it always gets one owner.
		lock = await acquireLock(config.dataDir);
		// The directory is 0700 and what is in it 0600, PGlite's files included (they would follow the umask).
		await restrictModes(config.dataDir);
		database = await openDatabase({
			databaseUrl: config.databaseUrl,
			dataDir: embedded ? config.dataDir : undefined,
			pglite,
			poolSize
		});
		await migrate(database.pool);
		await restrictModes(config.dataDir);
		epoch = new EpochKeeper(database.pool, config.dataDir);
		const restoredFrom = await epoch.open();
		const storage: FileStorage = storageFor(config);
		const keeper = epoch;
		app = await buildApp({
			...config,
			database,
			storage,
			adminSecret: lock.info.adminSecret,
			rateLimit,
			loginLimit,
			now,
			logStream,
			authFailureLimit,
			timeouts,
			onProgress: (teamId, seq) => keeper.note(teamId, seq)
		});
		if (keeper.restored)
			app.log.warn({ epoch: restoredFrom }, 'the database is behind this server’s marker (restored): new epoch');
		const reconciled = await app.uploads?.reconcile();
		if (reconciled) app.log.info({ reconciled }, 'finished uploads left unprocessed');
		await app.listen({ port: config.port, host: config.host });
	} catch (error) {
		await app?.close().catch(() => undefined);
		await database?.close().catch(() => undefined);
		await lock?.release();
		throw error;
	}
	const address = app.server.address();
	const port = typeof address === 'object' && address ? address.port : config.port;
	const shownHost = config.host === '0.0.0.0' || config.host === '127.0.0.1' ? 'localhost' : config.host;
	const url = `http://${shownHost}:${port}`;
	const loopback =
		config.host === '0.0.0.0' || config.host === '127.0.0.1' || config.host === 'localhost'
			? `http://127.0.0.1:${port}`
			: null;
	if (loopback) await lock.setAdminUrl(loopback);

	const running = app;
	const db = database;
	const owned = lock;
	const marker = epoch;
	const cleanup = setInterval(() => {
		running.uploads?.tus
			.cleanUpExpiredUploads()
			.catch((error: unknown) => running.log.warn({ err: error }, 'upload clean-up failed'));
	}, cleanupIntervalMs);
	cleanup.unref();
	// PGlite sets 0666 on the files it creates, whatever the umask: tighten what appeared since, now and then.
	const modes = setInterval(() => {
		if (!embedded) return;
		restrictModes(join(config.dataDir, 'postgres')).catch((error: unknown) =>
			running.log.warn({ err: error }, 'chmod failed')
		);
	}, MODE_SWEEP_MS);
	modes.unref();

	let closing: Promise<void> | undefined;
	const close = () =>
		(closing ??= (async () => {
			clearInterval(cleanup);
			clearInterval(modes);
			// Fastify's close waits for in-flight requests, so every accepted write commits before the pool ends.
			await running.close();
			await marker.close().catch((error: unknown) => running.log.warn({ err: error }, 'marker write failed'));
			await db.close();
			await restrictModes(config.dataDir).catch(() => undefined);
			await owned.release();
		})());
	if (handleSignals) {
		const onSignal = (signal: NodeJS.Signals) => {
			running.log.info({ signal }, 'shutting down');
			close().then(
				() => process.exit(0),
				(error: unknown) => {
					running.log.error({ err: error }, 'shutdown failed');
					process.exit(1);
				}
			);
		};
		process.once('SIGINT', onSignal);
		process.once('SIGTERM', onSignal);
	}
	return { app: running, url, database: db, dataDir: config.dataDir, close };
}
