/**
 * A typed request/response channel to a worker (or to another tab that hosts one): `call(name, params)`
 * with UUID ids and a timeout; events a call streams (chat tokens) go to that call; every pending call is
 * rejected when the other side dies. Generic over a calls map so each worker's protocol.ts only declares types.
 */
import { DocketError, deserializeError, type SerializedError } from '../errors.ts';

/** name → { params, result } */
export type CallMap = Record<string, { params: unknown; result: unknown }>;
/** name → data */
export type EventMap = Record<string, unknown>;

export type CallMessage<C extends CallMap> = {
	[K in keyof C & string]: { type: 'call'; id: string; name: K; params: C[K]['params'] };
}[keyof C & string];
export type ResultMessage<C extends CallMap, K extends keyof C & string = keyof C & string> = {
	[N in K]: { type: 'result'; id: string; name: N; result: C[N]['result'] };
}[K];
export type ErrorMessage = { type: 'error'; id: string; error: SerializedError };
/** An event; `callId` ties it to the call that caused it (a chat's tokens). */
export type EventMessage<E extends EventMap> = {
	[K in keyof E & string]: { type: 'event'; event: K; data: E[K]; callId?: string };
}[keyof E & string];
export type ReplyMessage<C extends CallMap, E extends EventMap> = ResultMessage<C> | ErrorMessage | EventMessage<E>;

/** What the client needs from a Worker, a MessagePort or a relay to another tab. */
export interface Endpoint<Out, In> {
	postMessage(message: Out): void;
	/**
	 * Subscribes to replies and to the far side dying; returns an unsubscribe function. `recoverable` means
	 * the calls in flight are lost but later calls can succeed (another tab took over the engine).
	 */
	listen(onMessage: (message: In) => void, onDeath: (reason: string, recoverable?: boolean) => void): () => void;
}

export class WorkerCrashedError extends DocketError {
	override name = 'WorkerCrashedError';
	constructor(reason: string) {
		super('worker-crashed', `The model worker stopped: ${reason}`, { action: 'Reload the page; your cases are safe.' });
	}
}

export class CallTimeoutError extends DocketError {
	override name = 'CallTimeoutError';
	constructor(name: string, ms: number) {
		super('timeout', `The model worker did not answer “${name}” within ${Math.round(ms / 1000)} s.`, {
			action: 'Try again; if it keeps happening, reload the page.'
		});
	}
}

export interface CallOptions<E extends EventMap> {
	/** Milliseconds; Infinity for none (downloads). */
	timeoutMs?: number;
	/** Events this call streams. */
	onEvent?: (event: EventMessage<E>) => void;
}

interface Pending<C extends CallMap, E extends EventMap> {
	name: keyof C & string;
	settle(reply: ResultMessage<C> | ErrorMessage): void;
	fail(error: Error): void;
	onEvent?: (event: EventMessage<E>) => void;
}

function isResultFor<C extends CallMap, K extends keyof C & string>(
	reply: ResultMessage<C>,
	name: K
): reply is ResultMessage<C, K> {
	return reply.name === name;
}

export class RpcClient<C extends CallMap, E extends EventMap> {
	private readonly pending = new Map<string, Pending<C, E>>();
	private readonly listeners = new Set<(event: EventMessage<E>) => void>();
	private readonly unlisten: () => void;
	private dead: string | undefined;

	constructor(
		private readonly endpoint: Endpoint<CallMessage<C>, ReplyMessage<C, E>>,
		private readonly defaultTimeoutMs = 60_000,
		private readonly newId: () => string = () => crypto.randomUUID()
	) {
		this.unlisten = endpoint.listen(
			(message) => this.receive(message),
			(reason, recoverable) => this.die(reason, recoverable === true)
		);
	}

	call<K extends keyof C & string>(
		name: K,
		params: C[K]['params'],
		options: CallOptions<E> = {}
	): Promise<C[K]['result']> {
		if (this.dead !== undefined) return Promise.reject(new WorkerCrashedError(this.dead));
		const id = this.newId();
		const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
		return new Promise<C[K]['result']>((resolve, reject) => {
			const timer = Number.isFinite(timeoutMs)
				? setTimeout(() => {
						this.pending.delete(id);
						reject(new CallTimeoutError(name, timeoutMs));
					}, timeoutMs)
				: undefined;
			const done = () => {
				clearTimeout(timer);
				this.pending.delete(id);
			};
			const entry: Pending<C, E> = {
				name,
				settle: (reply) => {
					done();
					if (reply.type === 'error') reject(deserializeError(reply.error));
					else if (isResultFor(reply, name)) resolve(reply.result);
					else reject(new DocketError('internal', `The model worker answered “${reply.name}” to “${name}”.`));
				},
				fail: (error) => {
					done();
					reject(error);
				}
			};
			if (options.onEvent) entry.onEvent = options.onEvent;
			this.pending.set(id, entry);
			const message: CallMessage<C> = { type: 'call', id, name, params } satisfies {
				type: 'call';
				id: string;
				name: K;
				params: C[K]['params'];
			};
			try {
				this.endpoint.postMessage(message);
			} catch (error) {
				entry.fail(error instanceof Error ? error : new Error(String(error)));
			}
		});
	}

	/** Events not tied to a call (status, progress of a load another tab started). */
	onEvent(listener: (event: EventMessage<E>) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	get pendingCount(): number {
		return this.pending.size;
	}

	/** Stops listening and rejects what is still waiting. */
	close(reason = 'closed'): void {
		this.unlisten();
		this.die(reason);
	}

	private receive(message: ReplyMessage<C, E>): void {
		if (message.type === 'event') {
			const owner = message.callId === undefined ? undefined : this.pending.get(message.callId);
			if (owner?.onEvent) owner.onEvent(message);
			for (const listener of this.listeners) listener(message);
			return;
		}
		this.pending.get(message.id)?.settle(message);
	}

	private die(reason: string, recoverable = false): void {
		if (!recoverable) this.dead ??= reason;
		const error = new WorkerCrashedError(reason);
		for (const entry of [...this.pending.values()]) entry.fail(error);
	}
}

/** A Worker (or anything worker-shaped) as an Endpoint; its `error` event means it died. */
export function workerEndpoint<Out, In>(worker: EventTarget & { postMessage(message: Out): void }): Endpoint<Out, In> {
	return {
		postMessage: (message) => worker.postMessage(message),
		listen(onMessage, onDeath) {
			// The worker speaks the same protocol module; its replies are trusted to match it.
			const message = (event: Event) => {
				if (event instanceof MessageEvent) onMessage(event.data);
			};
			const error = (event: Event) =>
				onDeath(
					typeof ErrorEvent !== 'undefined' && event instanceof ErrorEvent && event.message
						? event.message
						: 'it crashed'
				);
			const messageError = () => onDeath('a message could not be read');
			worker.addEventListener('message', message);
			worker.addEventListener('error', error);
			worker.addEventListener('messageerror', messageError);
			return () => {
				worker.removeEventListener('message', message);
				worker.removeEventListener('error', error);
				worker.removeEventListener('messageerror', messageError);
			};
		}
	};
}
