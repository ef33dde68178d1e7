import { toDocketError } from '../../errors.ts';
import type { TensorInfo } from '../../tensor/open.ts';
import {
	startTensorWorker,
	type SliceRequest,
	type TensorBackend,
	type TensorCallOptions,
	type TensorClient
} from '../../tensor/protocol.ts';
import type { ResampleParams } from '../../tensor/semantics.ts';
import type { SliceImage } from '../../tensor/slice.ts';

/** One long call at a time (an import or a resampling): progress, cancel, and the error as a sentence a person can act on. */
export class WorkerTask {
	running = $state(false);
	progress = $state(0);
	error = $state<string | undefined>(undefined);
	private controller: AbortController | undefined;

	/** Runs `work`; undefined when it was cancelled or failed (the error is then in `error`). */
	async run<T>(work: (options: TensorCallOptions) => Promise<T>, onCrash: () => void): Promise<T | undefined> {
		if (this.running) return undefined;
		this.running = true;
		this.progress = 0;
		this.error = undefined;
		this.controller = new AbortController();
		try {
			return await work({ signal: this.controller.signal, onProgress: (f) => (this.progress = f) });
		} catch (e) {
			const error = toDocketError(e);
			if (error.code !== 'cancelled') this.error = error.userMessage;
			if (error.code === 'worker-crashed') onCrash();
			return undefined;
		} finally {
			this.running = false;
			this.controller = undefined;
		}
	}

	cancel(): void {
		this.controller?.abort();
	}
}

/**
 * The Tensors tab's link to the tensor worker, which parses, draws and resamples so the page never
 * blocks. The worker starts on first use and is kept; tensors live there under their row ids.
 */
export class TensorJob {
	readonly importing = new WorkerTask();
	readonly resampling = new WorkerTask();
	private client: TensorClient | undefined;

	private worker(): TensorClient {
		this.client ??= startTensorWorker();
		return this.client;
	}

	private readonly forget = () => {
		this.client = undefined;
	};

	/** Opens `.npy` bytes in the worker under `key` (an import: with progress and cancel). */
	open(key: string, name: string, bytes: ArrayBuffer): Promise<TensorInfo | undefined> {
		return this.importing.run((options) => this.worker().call('open', { key, name, bytes }, options), this.forget);
	}

	/** Opens a stored tensor for viewing; errors are thrown to the caller. */
	load(key: string, name: string, bytes: ArrayBuffer): Promise<TensorInfo> {
		return this.worker().call('open', { key, name, bytes });
	}

	slice(request: SliceRequest): Promise<SliceImage> {
		return this.worker().call('slice', request);
	}

	/** Resamples the tensor kept under `key`; the result stays in the worker under `resultKey`. */
	resample(key: string, resultKey: string, params: ResampleParams, backend: TensorBackend) {
		return this.resampling.run(
			(options) => this.worker().call('resampleStored', { key, resultKey, params, backend }, options),
			this.forget
		);
	}

	cancel(): void {
		this.importing.cancel();
		this.resampling.cancel();
	}

	dispose(): void {
		this.cancel();
		this.client?.terminate();
		this.client = undefined;
	}
}
