import type { DocketDatabase } from '../db/database.ts';
import type { FileStore } from '../db/file-store.ts';
import { DocketError } from '../errors.ts';
import { createSyncActor, followConnectivity, readServer, saveServer, type SyncActor, type SyncRunnerOptions } from './sync-service.ts';
import { statusText, type SyncStateName, type SyncStatusText } from './sync.machine.ts';

/**
 * What the shell shows about sync, as runes: the status region's words (`Offline`, `Syncing`, `Synced`,
 * `Sync error`), the machine's state, the last error in words, and whether a server is set up at all
 * (the shell says `Local only` when not). It renders the machine's state; it keeps no copy of its own.
 */
export class SyncStatus {
	state = $state<SyncStateName>('starting');
	error = $state<string | undefined>(undefined);
	lastSyncedAt = $state<number | undefined>(undefined);
	configured = $state(false);
	readonly text: SyncStatusText = $derived(statusText(this.state));

	private actor: SyncActor | undefined;
	private stopFollowing: (() => void) | undefined;
	private starting: Promise<void> | undefined;

	constructor(private readonly options: Omit<SyncRunnerOptions, 'online'> & { window?: Pick<Window, 'addEventListener' | 'removeEventListener'> }) {}

	/** Starts syncing if a server is saved. Call when the app has opened its database; later calls do nothing. */
	start(): Promise<void> {
		return (this.starting ??= (async () => {
			this.configured = (await readServer(this.options.db)) !== undefined;
			if (this.configured && !this.actor) this.run();
		})());
	}

	private run(): void {
		this.stop();
		const online = typeof navigator === 'undefined' ? true : navigator.onLine;
		const actor = createSyncActor({ ...this.options, online });
		actor.subscribe((snapshot) => {
			this.state = snapshot.value as SyncStateName;
			this.lastSyncedAt = snapshot.context.lastSyncedAt;
			const error = snapshot.context.error;
			this.error = error instanceof DocketError ? error.userMessage : error?.message;
		});
		actor.start();
		this.actor = actor;
		const target = this.options.window ?? (typeof window === 'undefined' ? undefined : window);
		if (target) this.stopFollowing = followConnectivity(actor, target);
	}

	/** Checks and saves the server, then syncs. Throws a DocketError the form shows when it fails. */
	async connect(url: string, token: string): Promise<void> {
		await saveServer(this.options.db, url, token, this.options.fetcher);
		this.configured = true;
		this.run();
	}

	/** The words for the shell's status region: `Local only` until a server is connected. */
	get connection(): SyncStatusText | 'Local only' {
		return this.configured ? this.text : 'Local only';
	}

	/** Sync now (after a local change, or when asked). */
	syncNow(): void {
		this.actor?.send({ type: 'SYNC' });
	}

	stop(): void {
		this.stopFollowing?.();
		this.stopFollowing = undefined;
		this.actor?.stop();
		this.actor = undefined;
	}
}

let shared: SyncStatus | undefined;

/** One SyncStatus per tab, made on first use for the app's database and file store. */
export function syncStatusFor(db: DocketDatabase, files: FileStore): SyncStatus {
	if (!shared) shared = new SyncStatus({ db, files });
	return shared;
}
