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
import { createTensorHandlers } from './worker-handler.ts';

declare const self: DedicatedWorkerGlobalScope;

let lab: Promise<TensorGpu> | undefined;

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
	}
});
serve(tensorProtocol, scopeEndpoint(self), handlers);
