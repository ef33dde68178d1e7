/**
 * The tensor worker's protocol, imported by both sides: a map from request name to { params, result },
 * the messages built from it, and a typed client with UUID ids, progress, cancel and a timeout, which
 * rejects every pending call if the worker dies.
 *
 * The page never parses or draws a tensor itself: `open` hands the file's bytes to the worker, which
 * keeps the tensor under a key (the tensor row's id); `slice` draws from it and `resampleStored`
 * resamples it, keeping the result under a new key and returning it as `.npy` bytes to store.
 */
import { CancelledError, deserializeError, DocketError, type SerializedError } from '../errors.ts';
import type { TensorInfo } from './open.ts';
import type { ResampleParams, SampleParams, Tensor } from './semantics.ts';
import type { ColourMap, SliceImage } from './slice.ts';

export type TensorBackend = 'webgpu' | 'cpu';

export interface SliceRequest {
	key: string;
	volume: number;
	axis: 1 | 2 | 3;
	index: number;
	min: number;
	max: number;
	map: ColourMap;
}

export interface TensorMethods {
	resample: { params: { tensor: Tensor; params: ResampleParams; backend: TensorBackend }; result: Tensor };
	sample: {
		params: { tensor: Tensor; coordinates: Tensor; params: SampleParams; backend: TensorBackend };
		result: Tensor;
	};
	/** Parses `.npy` bytes (transferred) and keeps the tensor under `key`. */
	open: { params: { key: string; name: string; bytes: ArrayBuffer }; result: TensorInfo };
	slice: { params: SliceRequest; result: SliceImage };
	/** Resamples the tensor kept under `key`, keeps the result under `resultKey`, and returns it as `.npy`. */
	resampleStored: {
		params: { key: string; resultKey: string; params: ResampleParams; backend: TensorBackend };
		result: { info: TensorInfo; npy: Uint8Array<ArrayBuffer> };
	};
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

/** A result, tagged with its method so the client narrows it without a cast. */
export type TensorReturn = {
	[K in TensorMethodName]: { kind: 'return'; id: string; name: K; result: TensorMethods[K]['result'] };
}[TensorMethodName];

export type TensorFromWorker =
	| { kind: 'progress'; id: string; fraction: number }
	| TensorReturn
	| { kind: 'throw'; id: string; error: SerializedError };

/** The parts of a Worker the client uses; tests pass a fake, the page passes workerPort(new Worker(...)). */
export interface WorkerPort {
	post(message: TensorToWorker, transfer: Transferable[]): void;
	onMessage(listener: (message: TensorFromWorker) => void): void;
	onError(listener: () => void): void;
	terminate(): void;
}

export function workerPort(worker: Worker): WorkerPort {
	return {
		post: (message, transfer) => worker.postMessage(message, transfer),
		onMessage: (listener) =>
			worker.addEventListener('message', (event: MessageEvent<TensorFromWorker>) => listener(event.data)),
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
	resolve: (result: TensorReturn) => void;
	reject: (error: DocketError) => void;
	onProgress: ((fraction: number) => void) | undefined;
	cleanup: () => void;
}

/** The buffers a request can hand over instead of copying. */
function transferables(request: TensorRequest): Transferable[] {
	switch (request.name) {
		case 'resample':
			return [request.params.tensor.data.buffer];
		case 'sample': {
			const { tensor, coordinates } = request.params;
			return coordinates.data.buffer === tensor.data.buffer
				? [tensor.data.buffer]
				: [tensor.data.buffer, coordinates.data.buffer];
		}
		case 'open':
			return [request.params.bytes];
		default:
			return [];
	}
}

/** What each reply carries that can move back instead of being copied. */
export function resultTransferables(reply: TensorReturn): Transferable[] {
	switch (reply.name) {
		case 'resample':
		case 'sample':
			return [reply.result.data.buffer];
		case 'slice':
			return [reply.result.rgba.buffer];
		case 'resampleStored':
			return [reply.result.npy.buffer];
		default:
			return [];
	}
}

export class TensorWorkerClient {
	private readonly pending = new Map<string, Pending>();
	private dead: DocketError | undefined;

	constructor(private readonly worker: WorkerPort) {
		worker.onMessage((message) => this.receive(message));
		worker.onError(() =>
			this.die(
				new DocketError('worker-crashed', 'The tensor worker stopped unexpectedly.', {
					action: 'Try again; large tensors may need the CPU backend or more memory.'
				})
			)
		);
	}

	/** Resamples in the worker. The tensor's buffer is transferred (the caller's copy becomes empty): pass a copy if you still need it. */
	async resample(params: TensorMethods['resample']['params'], options: CallOptions = {}): Promise<Tensor> {
		const reply = await this.send((id) => ({ kind: 'call', id, name: 'resample', params }), options);
		if (reply.name !== 'resample') throw wrongReply('resample', reply.name);
		return reply.result;
	}

	/** map_coordinates in the worker; both buffers are transferred. */
	async sample(params: TensorMethods['sample']['params'], options: CallOptions = {}): Promise<Tensor> {
		const reply = await this.send((id) => ({ kind: 'call', id, name: 'sample', params }), options);
		if (reply.name !== 'sample') throw wrongReply('sample', reply.name);
		return reply.result;
	}

	/** Parses `.npy` bytes in the worker (the buffer is transferred) and keeps the tensor there under `key`. */
	async open(params: TensorMethods['open']['params'], options: CallOptions = {}): Promise<TensorInfo> {
		const reply = await this.send((id) => ({ kind: 'call', id, name: 'open', params }), options);
		if (reply.name !== 'open') throw wrongReply('open', reply.name);
		return reply.result;
	}

	/** Draws a slice of a tensor the worker keeps. */
	async slice(params: SliceRequest, options: CallOptions = {}): Promise<SliceImage> {
		const reply = await this.send((id) => ({ kind: 'call', id, name: 'slice', params }), options);
		if (reply.name !== 'slice') throw wrongReply('slice', reply.name);
		return reply.result;
	}

	async resampleStored(
		params: TensorMethods['resampleStored']['params'],
		options: CallOptions = {}
	): Promise<TensorMethods['resampleStored']['result']> {
		const reply = await this.send((id) => ({ kind: 'call', id, name: 'resampleStored', params }), options);
		if (reply.name !== 'resampleStored') throw wrongReply('resampleStored', reply.name);
		return reply.result;
	}

	private send(build: (id: string) => TensorRequest, options: CallOptions): Promise<TensorReturn> {
		if (this.dead) return Promise.reject(this.dead);
		const id = crypto.randomUUID();
		return new Promise<TensorReturn>((resolve, reject) => {
			const timeout = setTimeout(() => {
				this.settle(id)?.reject(
					new DocketError('timeout', 'The tensor worker took too long and was stopped.', {
						action: 'Try a smaller tensor or zoom.'
					})
				);
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
			const request = build(id);
			this.worker.post(request, transferables(request));
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
			this.settle(message.id)?.resolve(message);
		} else {
			this.settle(message.id)?.reject(deserializeError(message.error));
		}
	}

	private die(error: DocketError): void {
		this.dead = error;
		for (const id of [...this.pending.keys()]) this.settle(id)?.reject(error);
	}
}

function wrongReply(asked: TensorMethodName, answered: TensorMethodName): DocketError {
	return new DocketError('internal', `The tensor worker answered ${answered} to ${asked}.`);
}

/** Starts the tensor worker in the browser (Vite bundles tensor.worker.ts as a module worker). */
export function startTensorWorker(): TensorWorkerClient {
	return new TensorWorkerClient(
		workerPort(new Worker(new URL('./tensor.worker.ts', import.meta.url), { type: 'module' }))
	);
}
