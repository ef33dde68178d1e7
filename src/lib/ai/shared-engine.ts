/**
 * One AI engine per browser, however many tabs are open: GPU memory holds one copy of each model.
 *
 * The tab that holds the Web Lock `docket-ai-engine` is the leader: it runs the AI worker. Every other tab
 * sends its protocol messages over a BroadcastChannel to the leader, which forwards them to its worker and
 * routes each reply back to the tab that asked (by call id, which is a UUID). Events not tied to a call
 * (status) go to every tab. When the leader tab closes, the browser hands the lock to the next tab waiting
 * for it; that tab starts a worker and announces itself, and calls that were in flight to the old leader
 * are rejected (recoverably), so callers retry and the app reloads its models (`onLeaderChange`).
 *
 * It relays the transport's own messages (src/lib/worker/transport.ts), so a call, its cancel, its progress
 * and its result mean the same wherever the engine runs. A BroadcastChannel copies: nothing is transferred.
 */
import { workerEndpoint, type ClientEndpoint, type PortLike } from '../worker/transport.ts';
import type { AiCalls, AiEvents, AiFromWorker, AiToWorker } from './protocol.ts';

export const ENGINE_LOCK = 'docket-ai-engine';
export const ENGINE_CHANNEL = 'docket-ai';

export type RelayMessage =
	| { kind: 'who-leads'; from: string }
	| { kind: 'leader'; tabId: string }
	| { kind: 'request'; from: string; to: string; message: AiToWorker }
	| { kind: 'reply'; to: string; message: AiFromWorker }
	/** The leader's worker died: calls in flight are lost everywhere. */
	| { kind: 'reset'; reason: string };

/** The slice of `navigator.locks` used here. */
export interface LockManagerLike {
	request(name: string, options: { mode: 'exclusive' }, callback: () => Promise<void>): Promise<unknown>;
}

/** The slice of BroadcastChannel used here. */
export interface ChannelLike {
	postMessage(message: RelayMessage): void;
	addEventListener(type: 'message', listener: (event: MessageEvent<RelayMessage>) => void): void;
	close(): void;
}

/** A started AI worker, as the leader sees it. */
export interface WorkerHandle extends ClientEndpoint<AiCalls, AiEvents> {
	terminate(): void;
}

export interface SharedEngineOptions {
	locks: LockManagerLike;
	channel: ChannelLike;
	spawn: () => WorkerHandle;
	tabId?: string;
}

export class SharedEngine {
	readonly tabId: string;
	/** Connect an AiClient to it: calls go to the leader's worker wherever it runs. */
	readonly endpoint: ClientEndpoint<AiCalls, AiEvents>;
	private leaderId: string | undefined;
	private worker: WorkerHandle | undefined;
	private stopWorker: (() => void) | undefined;
	private readonly origins = new Map<string, string>();
	private readonly queued: AiToWorker[] = [];
	private readonly receivers = new Set<{
		onMessage: (m: AiFromWorker) => void;
		onDeath: (reason: string, recoverable?: boolean) => void;
	}>();
	private readonly leaderListeners = new Set<(leaderId: string, isSelf: boolean) => void>();
	private release: (() => void) | undefined;
	private readonly held: Promise<unknown>;
	private closed = false;

	constructor(private readonly options: SharedEngineOptions) {
		this.tabId = options.tabId ?? crypto.randomUUID();
		options.channel.addEventListener('message', (event) => this.onRelay(event.data));
		this.endpoint = {
			postMessage: (message) => this.send(message),
			listen: (onMessage, onDeath) => {
				const receiver = { onMessage, onDeath };
				this.receivers.add(receiver);
				return () => this.receivers.delete(receiver);
			}
		};
		const released = new Promise<void>((resolve) => (this.release = resolve));
		// Waits in the browser's queue until this tab may lead; holds the lock until close().
		this.held = options.locks
			.request(ENGINE_LOCK, { mode: 'exclusive' }, async () => {
				if (this.closed) return;
				this.becomeLeader();
				await released;
			})
			.catch(() => undefined);
		options.channel.postMessage({ kind: 'who-leads', from: this.tabId });
	}

	get isLeader(): boolean {
		return this.leaderId === this.tabId;
	}

	get leader(): string | undefined {
		return this.leaderId;
	}

	/** Called when a tab (maybe this one) takes over the engine: models must be loaded again there. */
	onLeaderChange(listener: (leaderId: string, isSelf: boolean) => void): () => void {
		this.leaderListeners.add(listener);
		return () => this.leaderListeners.delete(listener);
	}

	/** Gives up leadership (the next tab takes over) and stops listening. */
	async close(): Promise<void> {
		this.closed = true;
		this.stopWorker?.();
		this.worker?.terminate();
		this.worker = undefined;
		this.release?.();
		await this.held;
		this.options.channel.close();
		for (const r of this.receivers) r.onDeath('this tab closed its connection to the AI engine');
	}

	private becomeLeader(): void {
		this.setLeader(this.tabId);
		this.options.channel.postMessage({ kind: 'leader', tabId: this.tabId });
	}

	private setLeader(tabId: string): void {
		if (this.leaderId === tabId) return;
		const previous = this.leaderId;
		this.leaderId = tabId;
		if (previous !== undefined)
			for (const r of this.receivers) r.onDeath('the tab that ran the AI engine closed; trying again', true);
		for (const request of this.queued.splice(0)) this.send(request);
		for (const l of this.leaderListeners) l(tabId, tabId === this.tabId);
	}

	private ensureWorker(): WorkerHandle {
		if (this.worker) return this.worker;
		const worker = this.options.spawn();
		this.worker = worker;
		this.stopWorker = worker.listen(
			(message) => this.fromWorker(message),
			(reason) => {
				// A new worker starts with the next call; every tab's calls in flight are lost.
				this.stopWorker?.();
				this.worker = undefined;
				this.origins.clear();
				this.options.channel.postMessage({ kind: 'reset', reason });
				for (const r of this.receivers) r.onDeath(reason, true);
			}
		);
		return worker;
	}

	private send(message: AiToWorker): void {
		if (this.leaderId === undefined) {
			this.queued.push(message);
			return;
		}
		if (this.isLeader) {
			if (message.type === 'call') this.origins.set(message.id, this.tabId);
			this.ensureWorker().postMessage(message, []);
		} else this.options.channel.postMessage({ kind: 'request', from: this.tabId, to: this.leaderId, message });
	}

	private deliver(message: AiFromWorker): void {
		for (const r of this.receivers) r.onMessage(message);
	}

	private fromWorker(message: AiFromWorker): void {
		const callId = message.type === 'event' ? undefined : message.id;
		if (callId === undefined) {
			this.deliver(message);
			this.options.channel.postMessage({ kind: 'reply', to: '*', message });
			return;
		}
		const origin = this.origins.get(callId);
		if (message.type === 'result' || message.type === 'error') this.origins.delete(callId);
		if (origin === undefined) return;
		if (origin === this.tabId) this.deliver(message);
		else this.options.channel.postMessage({ kind: 'reply', to: origin, message });
	}

	private onRelay(relay: RelayMessage): void {
		if (this.closed) return;
		switch (relay.kind) {
			case 'who-leads':
				if (this.isLeader) this.options.channel.postMessage({ kind: 'leader', tabId: this.tabId });
				break;
			case 'leader':
				this.setLeader(relay.tabId);
				break;
			case 'request':
				if (relay.to !== this.tabId || !this.isLeader) break;
				if (relay.message.type === 'call') this.origins.set(relay.message.id, relay.from);
				this.ensureWorker().postMessage(relay.message, []);
				break;
			case 'reply':
				if (relay.to === this.tabId || relay.to === '*') this.deliver(relay.message);
				break;
			case 'reset':
				for (const r of this.receivers) r.onDeath(relay.reason, true);
				break;
		}
	}
}

/** The browser wiring: Web Locks, a BroadcastChannel, and the module worker. */
export function browserSharedEngine(spawnWorker: () => PortLike & { terminate(): void }): SharedEngine {
	return new SharedEngine({
		locks: navigator.locks,
		channel: new BroadcastChannel(ENGINE_CHANNEL),
		spawn: () => {
			const worker = spawnWorker();
			return { ...workerEndpoint<AiCalls, AiEvents>(worker), terminate: () => worker.terminate() };
		}
	});
}
