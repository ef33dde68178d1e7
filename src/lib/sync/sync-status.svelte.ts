import { liveQuery, type Subscription } from 'dexie';
import type { DocketDatabase } from '../db/database.ts';
import type { FileStore } from '../db/file-store.ts';
import type { DocumentRow } from '../db/schema.ts';
import { DocketError, NoSyncServerError, SyncAuthError } from '../errors.ts';
import { signIn, signOut, whoAmI } from './accounts-client.ts';
import type { Role } from './accounts-protocol.ts';
import { SyncApi } from './api-client.ts';
import { downloadDocumentFile, missingFiles, type DownloadOptions } from './downloads.ts';
import {
	createSyncActor,
	followConnectivity,
	readServer,
	saveServer,
	TOKEN_KEY,
	type SyncActor,
	type SyncRunnerOptions
} from './sync-service.ts';
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
	/** Files of pulled documents still coming down, and the last download that failed (in words). */
	downloading = $state(0);
	downloadError = $state<string | undefined>(undefined);
	/** A local change is waiting out the debounce: not yet sent, so not `Synced`. */
	private changeWaiting = $state(false);
	readonly text: SyncStatusText = $derived(
		this.changeWaiting && this.state === 'idle' ? 'Syncing' : statusText(this.state)
	);
	/** Who is signed in (for Settings › Team, shown to admins); undefined until the server says. */
	role = $state<Role | undefined>(undefined);
	signedInAs = $state<string | undefined>(undefined);

	private actor: SyncActor | undefined;
	private stopFollowing: (() => void) | undefined;
	private outboxWatch: Subscription | undefined;
	private debounce: ReturnType<typeof setTimeout> | undefined;
	private starting: Promise<void> | undefined;
	// Bookkeeping, not state the UI reads: `downloading` is the reactive count.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	private readonly inflight = new Map<string, Promise<void>>();
	private sweeping: Promise<void> | undefined;

	constructor(
		private readonly options: Omit<SyncRunnerOptions, 'online'> & {
			window?: Pick<Window, 'addEventListener' | 'removeEventListener'>;
			/** How long after a local change sync waits for more before it runs (a typed title is many changes). */
			debounceMs?: number;
			download?: DownloadOptions;
		}
	) {}

	/** Starts syncing if a server is saved. Call when the app has opened its database; later calls do nothing. */
	start(): Promise<void> {
		return (this.starting ??= (async () => {
			this.configured = (await readServer(this.options.db)) !== undefined;
			if (this.configured && !this.actor) this.run();
			void this.refreshAccount();
		})());
	}

	private run(): void {
		this.stop();
		const online = typeof navigator === 'undefined' ? true : navigator.onLine;
		const actor = createSyncActor({ ...this.options, online });
		actor.subscribe((snapshot) => {
			const previous = this.state;
			this.state = snapshot.value as SyncStateName;
			if (this.state === 'unauthorized') this.role = undefined;
			// After each finished run, fetch the bytes of documents that came down without them.
			if (this.state === 'idle' && previous !== 'idle') void this.downloadMissing();
			this.lastSyncedAt = snapshot.context.lastSyncedAt;
			const error = snapshot.context.error;
			this.error = error instanceof DocketError ? error.userMessage : error?.message;
		});
		actor.start();
		this.actor = actor;
		const target = this.options.window ?? (typeof window === 'undefined' ? undefined : window);
		if (target) this.stopFollowing = followConnectivity(actor, target);
		this.watchOutbox();
	}

	/**
	 * Syncs soon after every local change: the outbox's highest sequence number only grows when a change
	 * is recorded (pushing removes entries, which must not trigger another run).
	 */
	private watchOutbox(): void {
		let highest: number | undefined;
		this.outboxWatch = liveQuery(async () => (await this.options.db.outbox.orderBy('seq').last())?.seq ?? 0).subscribe({
			next: (seq) => {
				const grew = highest !== undefined && seq > highest;
				highest = Math.max(highest ?? 0, seq);
				if (!grew) return;
				clearTimeout(this.debounce);
				this.changeWaiting = true;
				this.debounce = setTimeout(() => this.syncNow(), this.options.debounceMs ?? 500);
			},
			error: (error: unknown) => {
				this.error = error instanceof Error ? error.message : String(error);
			}
		});
	}

	/**
	 * Makes sure a document's bytes are on this device, downloading them from the server if they are not.
	 * The viewer calls it for a pulled document; the same download is shared with the background pass.
	 */
	fetchFile(doc: Pick<DocumentRow, 'id' | 'sha256' | 'name' | 'size' | 'mimeType'>): Promise<void> {
		const running = this.inflight.get(doc.sha256);
		if (running) return running;
		const task = (async () => {
			const server = await readServer(this.options.db);
			if (!server) throw new NoSyncServerError();
			this.downloading++;
			try {
				await downloadDocumentFile(
					this.options.db,
					this.options.files,
					new SyncApi(server, this.options.fetcher),
					doc,
					this.options.download
				);
			} finally {
				this.downloading--;
			}
		})().finally(() => this.inflight.delete(doc.sha256));
		this.inflight.set(doc.sha256, task);
		return task;
	}

	/** Downloads every missing file, one at a time; one pass at once. Failures wait for the next run. */
	downloadMissing(): Promise<void> {
		return (this.sweeping ??= (async () => {
			try {
				for (const doc of await missingFiles(this.options.db)) {
					if (!this.actor) return;
					try {
						await this.fetchFile(doc);
						this.downloadError = undefined;
					} catch (error) {
						this.downloadError =
							error instanceof DocketError ? error.userMessage : error instanceof Error ? error.message : String(error);
					}
				}
			} finally {
				this.sweeping = undefined;
			}
		})());
	}

	/** Checks and saves the server, then syncs. Throws a DocketError the form shows when it fails. */
	async connect(url: string, token: string): Promise<void> {
		await saveServer(this.options.db, url, token, this.options.fetcher);
		this.configured = true;
		this.run();
		await this.refreshAccount();
	}

	/** Signs in with email and password: the server issues this device its own token, then sync starts. */
	async signIn(url: string, email: string, password: string): Promise<void> {
		const { url: origin, token } = await signIn(url, email, password, this.options.fetcher);
		await this.connect(origin, token);
	}

	/**
	 * Ends this device's access on the server and forgets the token. Local cases stay. Offline, the token
	 * is forgotten here anyway (the admin can revoke the device in Settings › Team).
	 */
	async signOut(): Promise<void> {
		const server = await readServer(this.options.db);
		this.stop();
		if (server) await signOut(server, this.options.fetcher).catch(() => undefined);
		await this.options.db.settings.delete(TOKEN_KEY);
		this.configured = false;
		this.role = undefined;
		this.signedInAs = undefined;
		this.error = undefined;
		this.state = 'starting';
	}

	/** Asks the server who this token belongs to; a refused token clears the role (the machine shows why). */
	async refreshAccount(): Promise<void> {
		const server = await readServer(this.options.db);
		if (!server) return;
		try {
			const me = await whoAmI(server, this.options.fetcher);
			this.role = me.role;
			this.signedInAs = me.email ?? me.name;
		} catch (error) {
			if (error instanceof SyncAuthError) {
				this.role = undefined;
				this.signedInAs = undefined;
			}
		}
	}

	/** The words for the shell's status region: `Local only` until a server is connected. */
	get connection(): SyncStatusText | 'Local only' {
		return this.configured ? this.text : 'Local only';
	}

	/** Sync now (after a local change, or when asked). */
	syncNow(): void {
		clearTimeout(this.debounce);
		// The run starts on this event (XState transitions as it is sent), and says `Syncing` itself.
		this.changeWaiting = false;
		this.actor?.send({ type: 'SYNC' });
	}

	stop(): void {
		clearTimeout(this.debounce);
		this.changeWaiting = false;
		this.outboxWatch?.unsubscribe();
		this.outboxWatch = undefined;
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
