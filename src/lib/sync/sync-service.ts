import { createActor, fromPromise, type Actor } from 'xstate';
import type { DocketDatabase } from '../db/database.ts';
import type { FileStore } from '../db/file-store.ts';
import { normaliseServerUrl, SyncApi, type SyncServer } from './api-client.ts';
import { pullChanges, pushOutbox } from './replicate.ts';
import { syncMachine, type SyncInput } from './sync.machine.ts';
import { uploadPending, type UploadTask } from './uploads.ts';

export const SERVER_URL_KEY = 'sync.serverUrl';
export const TOKEN_KEY = 'sync.token';

/** The server this device syncs with, as saved in Settings › Sync. */
export async function readServer(db: DocketDatabase): Promise<SyncServer | undefined> {
	const [url, token] = await Promise.all([db.settings.get(SERVER_URL_KEY), db.settings.get(TOKEN_KEY)]);
	return typeof url?.value === 'string' && typeof token?.value === 'string'
		? { url: url.value, token: token.value }
		: undefined;
}

/** Checks the address and token against the server, then saves them. */
export async function saveServer(
	db: DocketDatabase,
	urlInput: string,
	token: string,
	fetcher?: typeof fetch
): Promise<SyncServer> {
	const server = { url: normaliseServerUrl(urlInput), token: token.trim() };
	await new SyncApi(server, fetcher).check();
	await db.settings.bulkPut([
		{ key: SERVER_URL_KEY, value: server.url },
		{ key: TOKEN_KEY, value: server.token }
	]);
	return server;
}

export interface SyncRunnerOptions extends Partial<Omit<SyncInput, 'online'>> {
	db: DocketDatabase;
	files: FileStore;
	online: boolean;
	fetcher?: typeof fetch;
	/** Uploads one file; the default uses tus-js-client on this thread. */
	upload?: (db: DocketDatabase, files: FileStore, server: SyncServer) => Promise<number>;
}

export type SyncActor = Actor<typeof syncMachine>;

/**
 * The sync machine wired to the real steps: the server saved in settings, the outbox, tus uploads and
 * pulls. `SYNC` after local changes (or the user's “sync now”) runs it on demand.
 */
export function createSyncActor(options: SyncRunnerOptions): SyncActor {
	const { db, files, fetcher } = options;
	const upload = options.upload ?? uploadPending;
	const server = async () => {
		const found = await readServer(db);
		if (!found) throw new Error('No sync server is set up; connect in Settings › Sync.');
		return found;
	};
	const machine = syncMachine.provide({
		actors: {
			connect: fromPromise(async () => {
				await new SyncApi(await server(), fetcher).check();
			}),
			push: fromPromise(async () => {
				await pushOutbox(db, new SyncApi(await server(), fetcher));
			}),
			upload: fromPromise(async () => {
				await upload(db, files, await server());
			}),
			pull: fromPromise(async () => {
				await pullChanges(db, new SyncApi(await server(), fetcher), undefined, files);
			})
		}
	});
	return createActor(machine, {
		input: {
			online: options.online,
			...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
			...(options.baseBackoffMs === undefined ? {} : { baseBackoffMs: options.baseBackoffMs }),
			...(options.maxBackoffMs === undefined ? {} : { maxBackoffMs: options.maxBackoffMs })
		}
	});
}

/** Feeds the browser's online/offline events to the machine; returns a function that stops listening. */
export function followConnectivity(
	actor: SyncActor,
	target: Pick<Window, 'addEventListener' | 'removeEventListener'>
): () => void {
	const online = () => actor.send({ type: 'ONLINE' });
	const offline = () => actor.send({ type: 'OFFLINE' });
	target.addEventListener('online', online);
	target.addEventListener('offline', offline);
	return () => {
		target.removeEventListener('online', online);
		target.removeEventListener('offline', offline);
	};
}

export type { UploadTask };
