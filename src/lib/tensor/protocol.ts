/**
 * The tensor worker's protocol, imported by both sides: a map from request name to { params, result },
 * the messages built from it, and a typed client with UUID ids, progress, cancel and a timeout, which
 * rejects every pending call if the worker dies.
 */
import { CancelledError, deserializeError, DocketError, type SerializedError } from '../errors.ts';
import type { ResampleParams, SampleParams, Tensor } from './semantics.ts';

export type TensorBackend = 'webgpu' | 'cpu';

export interface TensorMethods {
	resample: { params: { tensor: Tensor; params: ResampleParams; backend: TensorBackend }; result: Tensor };
	sample: { params: { tensor: Tensor; coordinates: Tensor; params: SampleParams; backend: TensorBackend }; result: Tensor };
}

export type TensorMethodName = keyof TensorMethods;

export interface CallMessage<K extends TensorMethodName> {
	kind: 'call';
	id: string;
	name: K;
	params: TensorMethods[K]['params'];
}

/** What the worker receives: one member per method, so narrowing on `name` narrows `params`. */
export type TensorRequest = { [K in TensorMethodName]: CallMessage<K> }[TensorMethodName];

export type TensorControl = { kind: 'cancel'; id: string };

export type TensorToWorker = TensorRequest | TensorControl;

export type TensorFromWorker =
	| { kind: 'progress'; id: string; fraction: number }
	| { kind: 'return'; id: string; result: Tensor }
	| { kind: 'throw'; id: string; error: SerializedError };

/** The parts of a Worker the client uses; tests pass a fake, the page passes workerPort(new Worker(...)). */
export interface WorkerPort {
	post<K extends TensorMethodName>(message: CallMessage<K> | TensorControl, transfer: Transferable[]): void;
	onMessage(listener: (message: TensorFromWorker) => void): void;
	onError(listener: () => void): void;
	terminate(): void;
}

export function workerPort(worker: Worker): WorkerPort {
	return {
		post: (message, transfer) => worker.postMessage(message, transfer),
		onMessage: (listener) => worker.addEventListener('message', (event: MessageEvent<TensorFromWorker>) => listener(event.data)),
		onError: (listener) => worker.addEventListener('error', () => listener()),
		terminate: () => worker.terminate()
	};
}

export interface CallOptions {
	onProgress?: (fraction: number) => void;
	signal?: AbortSignal;
	/** Milliseconds before the call fails (default 10 minutes: large tensors on a software adapter are slow). */
	timeoutMs?: number;
}

interface Pending {
	resolve: (result: Tensor) => void;
	reject: (error: DocketError) => void;
	onProgress: ((fraction: number) => void) | undefined;
	cleanup: () => void;
}

/** The buffers a request can hand over instead of copying. */
function transferables(params: TensorMethods[TensorMethodName]['params']): Transferable[] {
	const buffers: Transferable[] = [params.tensor.data.buffer];
	if ('coordinates' in params && params.coordinates.data.buffer !== params.tensor.data.buffer) buffers.push(params.coordinates.data.buffer);
	return buffers;
}

export class TensorWorkerClient {
	private readonly pending = new Map<string, Pending>();
	private dead: DocketError | undefined;

	constructor(private readonly worker: WorkerPort) {
		worker.onMessage((message) => this.receive(message));
		worker.onError(() => this.die(new DocketError('worker-crashed', 'The tensor worker stopped unexpectedly.', { action: 'Try again; large tensors may need the CPU backend or more memory.' })));
	}

	/**
	 * Calls `name` in the worker. The tensor's buffer is transferred (the caller's copy becomes empty):
	 * pass a copy if you still need it.
	 */
	call<K extends TensorMethodName>(name: K, params: TensorMethods[K]['params'], options: CallOptions = {}): Promise<TensorMethods[K]['result']> {
		if (this.dead) return Promise.reject(this.dead);
		const id = crypto.randomUUID();
		return new Promise<Tensor>((resolve, reject) => {
			const timeout = setTimeout(() => {
				this.settle(id)?.reject(new DocketError('timeout', 'Resampling took too long and was stopped.', { action: 'Try a smaller tensor or zoom.' }));
				this.worker.post({ kind: 'cancel', id }, []);
			}, options.timeoutMs ?? 600_000);
			const onAbort = () => {
				this.worker.post({ kind: 'cancel', id }, []);
			};
			options.signal?.addEventListener('abort', onAbort, { once: true });
			this.pending.set(id, {
				resolve,
				reject,
				onProgress: options.onProgress,
				cleanup: () => {
					clearTimeout(timeout);
					options.signal?.removeEventListener('abort', onAbort);
				}
			});
			if (options.signal?.aborted) {
				this.settle(id)?.reject(new CancelledError('Resampling'));
				return;
			}
			const request: CallMessage<K> = { kind: 'call', id, name, params };
			this.worker.post(request, transferables(params));
		});
	}

	terminate(): void {
		this.worker.terminate();
		this.die(new CancelledError('Resampling'));
	}

	private settle(id: string): Pending | undefined {
		const pending = this.pending.get(id);
		if (!pending) return undefined;
		this.pending.delete(id);
		pending.cleanup();
		return pending;
	}

	private receive(message: TensorFromWorker): void {
		if (message.kind === 'progress') {
			this.pending.get(message.id)?.onProgress?.(message.fraction);
		} else if (message.kind === 'return') {
			this.settle(message.id)?.resolve(message.result);
		} else {
			this.settle(message.id)?.reject(deserializeError(message.error));
		}
	}

	private die(error: DocketError): void {
		this.dead = error;
		for (const id of [...this.pending.keys()]) this.settle(id)?.reject(error);
	}
}

/** Starts the tensor worker in the browser (Vite bundles tensor.worker.ts as a module worker). */
export function startTensorWorker(): TensorWorkerClient {
	return new TensorWorkerClient(workerPort(new Worker(new URL('./tensor.worker.ts', import.meta.url), { type: 'module' })));
}
