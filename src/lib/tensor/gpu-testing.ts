/** One GPU device per test file, with a validation scope around each use (Node, tests only). */
import { acquireDevice } from '../gpu/device.ts';
import { nodeGpu, nodeShaderSource } from '../gpu/node.ts';
import { TensorGpu } from './webgpu.ts';

export interface TestLab {
	lab: TensorGpu;
	device: GPUDevice;
	/** Runs `work`, then fails if the GPU reported a validation error meanwhile. */
	checked<T>(work: () => Promise<T>): Promise<T>;
}

export async function openTestLab(): Promise<TestLab> {
	const device = await acquireDevice(await nodeGpu());
	const lab = await TensorGpu.create(device, nodeShaderSource);
	return {
		lab,
		device,
		async checked(work) {
			device.pushErrorScope('validation');
			const result = await work();
			const error = await device.popErrorScope();
			if (error) throw new Error(`GPU validation error: ${error.message}`);
			return result;
		}
	};
}
