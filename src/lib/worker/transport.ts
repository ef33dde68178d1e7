/**
 * The one transport between the page and its workers (and between tabs sharing one): each worker's
 * protocol.ts declares a map of calls (`{ params, result, progress? }`) and of events, and `connect` /
 * `serve` turn it into typed calls on one side and handlers on the other. It owns everything the four
 * hand-written dialects used to repeat: UUID ids, transfer lists, cancel through an AbortSignal (a cancel
 * message; the handler's signal aborts), progress tied to its call, an inactivity timeout that restarts with
 * every progress report, errors sent as data and rebuilt as their own classes (errors.ts), and every pending
 * call rejected when the other side dies.
 *
 * Modelled on web-llm's one message module (`kind`, `uuid`, `content`) and its one handler that posts
 * `return` or `throw`, with the request's name tied to its params' type so no handler needs a cast.
 */
import {
	CallTimeoutError,
	CancelledError,
	deserializeError,
	ProtocolError,
	serializeError,
	toDocketError,
	WorkerCrashedError,
	type SerializedError,
	type WorkerName
} from '../errors.ts';

/** One call: what goes in, what comes back, and what it reports while it runs (if anything). */
export interface CallSpec {
	params: unknown;
	result: unknown;
	progress?: unknown;
}
/** name → CallSpec */
export type CallMap = Record<string, CallSpec>;
/** name → data, for events not tied to a call (the AI engine's status). */
export type EventMap = Record<string, unknown>;
export type NoEvents = Record<never, never>;
type Names<M> = keyof M & string;
export type ProgressOf<S extends CallSpec> = S extends { progress: infer P } ? P : never;

// The messages, built from the maps: narrowing on `name` narrows `params`, `result` and `data`.
export type CallMessage<C extends CallMap> = {
	[K in Names<C>]: { type: 'call'; id: string; name: K; params: C[K]['params'] };
}[Names<C>];
export type CancelMessage = { type: 'cancel'; id: string };
export type ToWorker<C extends CallMap> = CallMessage<C> | CancelMessage;

export type ResultMessage<C extends CallMap, K extends Names<C> = Names<C>> = {
	[N in K]: { type: 'result'; id: string; name: N; result: C[N]['result'] };
}[K];
export type ProgressMessage<C extends CallMap, K extends Names<C> = Names<C>> = {
	[N in K]: { type: 'progress'; id: string; name: N; data: ProgressOf<C[N]> };
}[K];
export type ErrorMessage = { type: 'error'; id: string; error: SerializedError };
export type EventMessage<E extends EventMap> = {
	[K in Names<E>]: { type: 'event'; name: K; data: E[K] };
}[Names<E>];
export type FromWorker<C extends CallMap, E extends EventMap> =
	ResultMessage<C> | ProgressMessage<C> | ErrorMessage | EventMessage<E>;

/**
 * Anything that carries messages both ways: a Worker, a MessagePort, a worker's own scope, a relay to the
 * tab that runs a shared worker, a Node worker thread (worker/node.ts). `onDeath` with `recoverable` means
 * the calls in flight are lost but later ones may succeed (another tab took over the engine).
 */
export interface Endpoint<Out, In> {
	postMessage(message: Out, transfer: Transferable[]): void;
	listen(onMessage: (message: In) => void, onDeath: (reason: string, recoverable?: boolean) => void): () => void;
	terminate?(): void;
}
export type ClientEndpoint<C extends CallMap, E extends EventMap = NoEvents> = Endpoint<ToWorker<C>, FromWorker<C, E>>;
export type ServerEndpoint<C extends CallMap, E extends EventMap = NoEvents> = Endpoint<FromWorker<C, E>, ToWorker<C>>;

/** What can move instead of being copied, per call. */
export type TransferRules<C extends CallMap> = {
	[K in Names<C>]?: {
		params?: (params: C[K]['params']) => Transferable[];
		result?: (result: C[K]['result']) => Transferable[];
	};
};

/** A worker's protocol: its maps (as types), its name in error sentences, time limits and transfer rules. */
export interface Protocol<C extends CallMap, E extends EventMap = NoEvents> {
	worker: WorkerName;
	/** Milliseconds without an answer or progress before a call fails (default 60 s); Infinity for none. */
	defaultTimeoutMs?: number;
	timeouts?: { [K in Names<C>]?: number };
	transfer?: TransferRules<C>;
	/** Never set: carries the maps' types from protocol.ts to `connect` and `serve`. */
	readonly types?: { calls: C; events: E };
}

export function defineProtocol<C extends CallMap, E extends EventMap = NoEvents>(
	protocol: Omit<Protocol<C, E>, 'types'>
): Protocol<C, E> {
	return protocol;
}

/** An ArrayBuffer behind a view can move only if the view spans all of it (and it is not shared). */
export function wholeBuffer(view: ArrayBufferView): Transferable[] {
	const { buffer } = view;
	return buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buffer.byteLength
		? [buffer]
		: [];
}

function unique(list: Transferable[]): Transferable[] {
	return [...new Set(list)];
}

// ---------------------------------------------------------------------------------------------- client

export interface CallOptions<P> {
	/** Aborting sends a cancel to the worker; the call settles with whatever the handler then does. */
	signal?: AbortSignal;
	onProgress?: (progress: P) => void;
	/** Overrides the protocol's limit for this call. */
	timeoutMs?: number;
	/** More buffers to move with the params (the protocol's own rules apply too). */
	transfer?: Transferable[];
}

interface Pending<C extends CallMap> {
	settle(reply: ResultMessage<C> | ErrorMessage): void;
	progress(message: ProgressMessage<C>): void;
	fail(error: Error): void;
}

function isResultFor<C extends CallMap, K extends Names<C>>(
	reply: ResultMessage<C>,
	name: K
): reply is ResultMessage<C, K> {
	return reply.name === name;
}

function isProgressFor<C extends CallMap, K extends Names<C>>(
	message: ProgressMessage<C>,
	name: K
): message is ProgressMessage<C, K> {
	return message.name === name;
}

export interface ClientOptions {
	newId?: () => string;
}

/**
 * The caller's side. Given an endpoint, it dies with it; given a function that makes one, a dead worker is
 * replaced by a new one on the next call.
 */
export class Client<C extends CallMap, E extends EventMap = NoEvents> {
	readonly #protocol: Protocol<C, E>;
	readonly #make: (() => ClientEndpoint<C, E>) | undefined;
	readonly #newId: () => string;
	readonly #pending = new Map<string, Pending<C>>();
	readonly #listeners = new Set<(event: EventMessage<E>) => void>();
	#endpoint: ClientEndpoint<C, E> | undefined;
	#unlisten: (() => void) | undefined;
	#dead: string | undefined;

	constructor(
		protocol: Protocol<C, E>,
		endpoint: ClientEndpoint<C, E> | (() => ClientEndpoint<C, E>),
		options: ClientOptions = {}
	) {
		this.#protocol = protocol;
		this.#newId = options.newId ?? (() => crypto.randomUUID());
		if (typeof endpoint === 'function') this.#make = endpoint;
		else {
			this.#make = undefined;
			this.#attach(endpoint);
		}
	}

	call<K extends Names<C>>(
		name: K,
		params: C[K]['params'],
		options: CallOptions<ProgressOf<C[K]>> = {}
	): Promise<C[K]['result']> {
		const { signal } = options;
		if (signal?.aborted) return Promise.reject(new CancelledError());
		if (this.#dead !== undefined) return Promise.reject(new WorkerCrashedError(this.#protocol.worker, this.#dead));
		let endpoint: ClientEndpoint<C, E>;
		try {
			endpoint = this.#current();
		} catch (error) {
			return Promise.reject(toDocketError(error));
		}
		const id = this.#newId();
		const timeoutMs = options.timeoutMs ?? this.#protocol.timeouts?.[name] ?? this.#protocol.defaultTimeoutMs ?? 60_000;
		const worker = this.#protocol.worker;
		return new Promise<C[K]['result']>((resolve, reject) => {
			let timer: ReturnType<typeof setTimeout> | undefined;
			const cancel = () => this.#post(endpoint, { type: 'cancel', id }, []);
			const finish = () => {
				clearTimeout(timer);
				signal?.removeEventListener('abort', cancel);
				this.#pending.delete(id);
			};
			// Restarted by every progress report: a long job is fine as long as it keeps reporting.
			const arm = () => {
				clearTimeout(timer);
				if (!Number.isFinite(timeoutMs)) return;
				timer = setTimeout(() => {
					finish();
					cancel();
					reject(new CallTimeoutError(worker, name, timeoutMs));
				}, timeoutMs);
			};
			const entry: Pending<C> = {
				settle: (reply) => {
					finish();
					if (reply.type === 'error') reject(deserializeError(reply.error));
					else if (isResultFor(reply, name)) resolve(reply.result);
					else reject(new ProtocolError(worker, `it answered “${reply.name}” to “${name}”.`));
				},
				progress: (message) => {
					arm();
					if (isProgressFor(message, name)) options.onProgress?.(message.data);
				},
				fail: (error) => {
					finish();
					reject(error);
				}
			};
			this.#pending.set(id, entry);
			arm();
			signal?.addEventListener('abort', cancel, { once: true });
			const transfer = [...(options.transfer ?? []), ...(this.#protocol.transfer?.[name]?.params?.(params) ?? [])];
			const message: CallMessage<C> = { type: 'call', id, name, params } satisfies {
				type: 'call';
				id: string;
				name: K;
				params: C[K]['params'];
			};
			try {
				endpoint.postMessage(message, unique(transfer));
			} catch (error) {
				entry.fail(toDocketError(error));
			}
		});
	}

	/** Events not tied to a call (the AI engine's status, from whichever tab caused it). */
	onEvent(listener: (event: EventMessage<E>) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	get pendingCount(): number {
		return this.#pending.size;
	}

	/**
	 * Stops the worker (when the endpoint can) and rejects what is still waiting as cancelled: the caller chose
	 * this. With a factory, a later call starts a new worker; without one, later calls fail.
	 */
	terminate(): void {
		const endpoint = this.#endpoint;
		this.#detach();
		endpoint?.terminate?.();
		if (!this.#make) this.#dead ??= 'it was stopped';
		this.#failAll(new CancelledError(`Work in the ${this.#protocol.worker} worker`));
	}

	/** Stops listening (the worker keeps running for others) and rejects what is still waiting. */
	close(reason = 'the connection was closed'): void {
		this.#detach();
		this.#dead ??= reason;
		this.#failAll(new WorkerCrashedError(this.#protocol.worker, reason));
	}

	#current(): ClientEndpoint<C, E> {
		if (this.#endpoint) return this.#endpoint;
		if (!this.#make) throw new WorkerCrashedError(this.#protocol.worker, this.#dead ?? 'it is gone');
		return this.#attach(this.#make());
	}

	#attach(endpoint: ClientEndpoint<C, E>): ClientEndpoint<C, E> {
		this.#endpoint = endpoint;
		this.#unlisten = endpoint.listen(
			(message) => this.#receive(message),
			(reason, recoverable) => this.#die(endpoint, reason, recoverable === true)
		);
		return endpoint;
	}

	#detach(): void {
		this.#unlisten?.();
		this.#unlisten = undefined;
		this.#endpoint = undefined;
	}

	#post(endpoint: ClientEndpoint<C, E>, message: ToWorker<C>, transfer: Transferable[]): void {
		try {
			endpoint.postMessage(message, transfer);
		} catch {
			// A cancel to a worker that is already gone has nothing left to stop.
		}
	}

	#receive(message: FromWorker<C, E>): void {
		switch (message.type) {
			case 'event':
				for (const listener of this.#listeners) listener(message);
				return;
			case 'progress':
				this.#pending.get(message.id)?.progress(message);
				return;
			default:
				this.#pending.get(message.id)?.settle(message);
		}
	}

	#die(endpoint: ClientEndpoint<C, E>, reason: string, recoverable: boolean): void {
		if (!recoverable && this.#endpoint === endpoint) {
			this.#detach();
			// A dead worker is replaced on the next call when there is a factory; otherwise it stays dead.
			if (!this.#make) this.#dead ??= reason;
		}
		this.#failAll(new WorkerCrashedError(this.#protocol.worker, reason));
	}

	#failAll(error: Error): void {
		for (const entry of [...this.#pending.values()]) entry.fail(error);
	}
}

export function connect<C extends CallMap, E extends EventMap = NoEvents>(
	protocol: Protocol<C, E>,
	endpoint: ClientEndpoint<C, E> | (() => ClientEndpoint<C, E>),
	options: ClientOptions = {}
): Client<C, E> {
	return new Client(protocol, endpoint, options);
}

// ---------------------------------------------------------------------------------------------- server

/** What a handler gets besides its params. */
export interface CallContext<S extends CallSpec> {
	id: string;
	/** Aborted when the caller cancels (or its call timed out). */
	signal: AbortSignal;
	/** Reports progress to this call's caller (and restarts its inactivity timer). */
	progress(data: ProgressOf<S>): void;
}

export type Handlers<C extends CallMap> = {
	[K in Names<C>]: (params: C[K]['params'], context: CallContext<C[K]>) => Promise<C[K]['result']> | C[K]['result'];
};

export interface Server<E extends EventMap> {
	/** Sends an event to every caller. */
	emit<K extends Names<E>>(name: K, data: E[K]): void;
	/** Stops answering. */
	close(): void;
}

/** The worker's side: runs each call's handler and posts back its result or its error, as data. */
export function serve<C extends CallMap, E extends EventMap = NoEvents>(
	protocol: Protocol<C, E>,
	endpoint: ServerEndpoint<C, E>,
	handlers: Handlers<C>
): Server<E> {
	const running = new Map<string, AbortController>();
	const post = (message: FromWorker<C, E>, transfer: Transferable[] = []) => endpoint.postMessage(message, transfer);

	async function run<K extends Names<C>>(id: string, name: K, params: C[K]['params']): Promise<void> {
		const controller = new AbortController();
		running.set(id, controller);
		const context: CallContext<C[K]> = {
			id,
			signal: controller.signal,
			progress: (data) => {
				const message: ProgressMessage<C, K> = { type: 'progress', id, name, data } satisfies {
					type: 'progress';
					id: string;
					name: K;
					data: ProgressOf<C[K]>;
				};
				post(message);
			}
		};
		try {
			const handler: Handlers<C>[K] = handlers[name];
			const result = await handler(params, context);
			const reply: ResultMessage<C, K> = { type: 'result', id, name, result } satisfies {
				type: 'result';
				id: string;
				name: K;
				result: C[K]['result'];
			};
			post(reply, unique(protocol.transfer?.[name]?.result?.(result) ?? []));
		} catch (error) {
			post({ type: 'error', id, error: serializeError(error) });
		} finally {
			running.delete(id);
		}
	}

	const unlisten = endpoint.listen(
		(message) => {
			if (message.type === 'cancel') running.get(message.id)?.abort(new CancelledError());
			else void run(message.id, message.name, message.params);
		},
		() => {
			for (const controller of running.values()) controller.abort(new CancelledError());
		}
	);
	return {
		emit: (name, data) => {
			const message: EventMessage<E> = { type: 'event', name, data } satisfies {
				type: 'event';
				name: typeof name;
				data: E[typeof name];
			};
			post(message);
		},
		close: unlisten
	};
}

// ---------------------------------------------------------------------------------------------- endpoints

/** The part of a Worker, a MessagePort or a worker's own scope (`self`) that the transport uses. */
export interface PortLike {
	postMessage(message: unknown, transfer: Transferable[]): void;
	addEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: Event) => void): void;
	removeEventListener(type: 'message' | 'messageerror' | 'error', listener: (event: Event) => void): void;
	start?(): void;
	terminate?(): void;
}

/**
 * A browser Worker, MessagePort or worker scope as an Endpoint. On the page's side of a Worker, an `error`
 * event (an uncaught error in it, or a failed start) and a `messageerror` mean it died.
 */
export function portEndpoint<Out, In>(port: PortLike): Endpoint<Out, In> {
	const endpoint: Endpoint<Out, In> = {
		postMessage: (message, transfer) => port.postMessage(message, transfer),
		listen(onMessage, onDeath) {
			// Both sides import the same protocol module; what arrives is trusted to match it.
			const message = (event: Event) => {
				if (event instanceof MessageEvent) onMessage(event.data);
			};
			const error = (event: Event) => {
				// A worker scope hears its own uncaught errors as `error` too; those do not end it.
				if (typeof port.terminate !== 'function') return;
				onDeath(
					typeof ErrorEvent !== 'undefined' && event instanceof ErrorEvent && event.message
						? event.message
						: 'it crashed'
				);
			};
			const messageError = () => onDeath('a message could not be read');
			port.addEventListener('message', message);
			port.addEventListener('error', error);
			port.addEventListener('messageerror', messageError);
			port.start?.();
			return () => {
				port.removeEventListener('message', message);
				port.removeEventListener('error', error);
				port.removeEventListener('messageerror', messageError);
			};
		}
	};
	if (typeof port.terminate === 'function') {
		const terminate = port.terminate.bind(port);
		endpoint.terminate = terminate;
	}
	return endpoint;
}

/** The page's side of a browser Worker. */
export function workerEndpoint<C extends CallMap, E extends EventMap = NoEvents>(
	worker: PortLike
): ClientEndpoint<C, E> {
	return portEndpoint(worker);
}

/** Inside a worker: its own scope (`self`) as the endpoint `serve` answers on. */
export function scopeEndpoint<C extends CallMap, E extends EventMap = NoEvents>(scope: PortLike): ServerEndpoint<C, E> {
	return portEndpoint(scope);
}

/**
 * Two endpoints joined in memory, each message a structured clone delivered on a later task, as across a
 * worker boundary: for tests, and for running a worker's handlers in the page when there is no worker.
 */
export function memoryChannel<C extends CallMap, E extends EventMap = NoEvents>(): {
	client: ClientEndpoint<C, E>;
	server: ServerEndpoint<C, E>;
	/** Makes the server side "die" (the client rejects what is pending). */
	kill(reason: string): void;
} {
	const toServer = new Set<(message: ToWorker<C>) => void>();
	const toClient = new Set<{ onMessage: (message: FromWorker<C, E>) => void; onDeath: (reason: string) => void }>();
	const deliver = <M>(listeners: Iterable<(message: M) => void>, message: M) => {
		const copy = structuredClone(message);
		setTimeout(() => {
			for (const listener of listeners) listener(copy);
		}, 0);
	};
	return {
		client: {
			postMessage: (message) => deliver(toServer, message),
			listen(onMessage, onDeath) {
				const entry = { onMessage, onDeath };
				toClient.add(entry);
				return () => toClient.delete(entry);
			}
		},
		server: {
			postMessage: (message) =>
				deliver(
					[...toClient].map((entry) => entry.onMessage),
					message
				),
			listen(onMessage) {
				toServer.add(onMessage);
				return () => toServer.delete(onMessage);
			}
		},
		kill(reason) {
			for (const entry of [...toClient]) entry.onDeath(reason);
		}
	};
}
