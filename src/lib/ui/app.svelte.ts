import { getContext, setContext } from 'svelte';
import type { DocketDatabase } from '../db/database.ts';
import { openFileStore, type FileStore } from '../db/file-store.ts';
import { openDatabase } from '../db/open.ts';
import { requestPersistentStorage } from '../db/storage.ts';
import type { DocketError } from '../errors.ts';
import { detectGpu, type GpuReport } from '../gpu/capability.ts';
import { syncStatusFor, type SyncStatus } from '../sync/sync-status.svelte.ts';
import { machineProfile, startEmbeddings, type EmbeddingsState } from './embeddings.svelte.ts';

export type ConnectionStatus = 'Offline' | 'Local only' | 'Syncing' | 'Synced' | 'Sync error';

/**
 * The services every page needs, opened once per tab: the local database, the file store, what the
 * GPU can do, and whether the network is there. Pages render from this state; they never open their own.
 */
export class App {
	db = $state.raw<DocketDatabase | undefined>(undefined);
	files = $state.raw<FileStore | undefined>(undefined);
	/** Set when local storage cannot be used; the layout shows it in a banner. */
	storageError = $state.raw<DocketError | undefined>(undefined);
	gpu = $state.raw<GpuReport | undefined>(undefined);
	online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
	persisted = $state<boolean | undefined>(undefined);
	/** Team sync; says `Local only` until a server is connected in Settings › Sync. */
	sync = $state.raw<SyncStatus | undefined>(undefined);
	/** Background embedding: resumes unfinished jobs at start; Settings › Models shows when it waits for a model. */
	embeddings = $state.raw<EmbeddingsState | undefined>(undefined);

	readonly ready = $derived(this.db !== undefined && this.files !== undefined);
	readonly connection: ConnectionStatus = $derived(this.online ? (this.sync?.connection ?? 'Local only') : 'Offline');

	/** Opens everything; failures become state, never an unhandled rejection. */
	async start(): Promise<void> {
		const onOnline = () => (this.online = true);
		const onOffline = () => (this.online = false);
		window.addEventListener('online', onOnline);
		window.addEventListener('offline', onOffline);
		const [opened, gpu] = await Promise.all([openDatabase(), detectGpu()]);
		this.gpu = gpu;
		if (!opened.ok) {
			this.storageError = opened.error;
			return;
		}
		const files = await openFileStore(opened.db);
		this.files = files;
		this.db = opened.db;
		this.embeddings = startEmbeddings(opened.db, () => machineProfile(this.gpu));
		this.sync = syncStatusFor(opened.db, files);
		this.persisted = await requestPersistentStorage();
		await this.sync.start();
	}
}

const KEY = Symbol('docket-app');

export function setApp(app: App): App {
	return setContext(KEY, app);
}

export function getApp(): App {
	const app = getContext<App | undefined>(KEY);
	if (!app) throw new Error('getApp() called outside the app layout.');
	return app;
}
