/// <reference lib="webworker" />
/**
 * The tensor lab's worker: resampling never blocks the page. WebGPU is available in dedicated workers;
 * the device is acquired on the first GPU request and kept.
 */
import { acquireDevice } from '../gpu/device.ts';
import { browserShaderSource } from '../gpu/shaders.browser.ts';
import { scopeEndpoint, serve } from '../worker/transport.ts';
import { tensorProtocol } from './protocol.ts';
import { TensorGpu } from './webgpu.ts';
import { browserTensorThreadPool } from './threads.browser.ts';
import type { TensorThreadPool } from './cpu-threads.ts';
import { createTensorHandlers } from './worker-handler.ts';

declare const self: DedicatedWorkerGlobalScope;

let lab: Promise<TensorGpu> | undefined;
let threads: TensorThreadPool | undefined;

const handlers = createTensorHandlers({
	gpu: () => {
		lab ??= (async () => {
			const device = await acquireDevice(self.navigator.gpu);
			void device.lost.then(() => {
				lab = undefined;
			});
			return TensorGpu.create(device, browserShaderSource);
		})();
		lab.catch(() => {
			lab = undefined;
		});
		return lab;
	},
	cpuThreads: () => (threads ??= browserTensorThreadPool())
});
serve(tensorProtocol, scopeEndpoint(self), handlers);
