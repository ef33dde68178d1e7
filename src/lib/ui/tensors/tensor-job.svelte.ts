import { toDocketError } from '../../errors.ts';
import { startTensorWorker, type TensorBackend, type TensorWorkerClient } from '../../tensor/protocol.ts';
import type { ResampleParams, Tensor } from '../../tensor/semantics.ts';

/**
 * One resampling at a time, in the tensor worker so the page never blocks: progress, cancel, and the
 * error as a sentence a person can act on. The worker starts on first use and is kept.
 */
export class TensorJob {
	running = $state(false);
	progress = $state(0);
	error = $state<string | undefined>(undefined);
	private client: TensorWorkerClient | undefined;
	private controller: AbortController | undefined;

	private worker(): TensorWorkerClient {
		this.client ??= startTensorWorker();
		return this.client;
	}

	/** Resamples a copy of `tensor` (the copy's buffer moves to the worker); undefined when cancelled or failed. */
	async resample(tensor: Tensor, params: ResampleParams, backend: TensorBackend): Promise<Tensor | undefined> {
		if (this.running) return undefined;
		this.running = true;
		this.progress = 0;
		this.error = undefined;
		this.controller = new AbortController();
		try {
			const copy = { shape: [...tensor.shape], data: tensor.data.slice() };
			return await this.worker().call('resample', { tensor: copy, params, backend }, { signal: this.controller.signal, onProgress: (f) => (this.progress = f) });
		} catch (e) {
			const error = toDocketError(e);
			if (error.code !== 'cancelled') this.error = error.userMessage;
			if (error.code === 'worker-crashed') this.client = undefined;
			return undefined;
		} finally {
			this.running = false;
			this.controller = undefined;
		}
	}

	cancel(): void {
		this.controller?.abort();
	}

	dispose(): void {
		this.cancel();
		this.client?.terminate();
		this.client = undefined;
	}
}
