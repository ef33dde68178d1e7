import { dispatchSize, readFloat32, storageBuffer, withDevice } from './device.ts';
import type { ShaderSource } from './shaders.ts';

const WORKGROUP_SIZE = 256;

/** Copies `input` through `shaders/copy.wgsl` on a fresh device. */
export async function gpuCopy(gpu: GPU | undefined, shaders: ShaderSource, input: Float32Array): Promise<Float32Array> {
	const code = await shaders('copy');
	return withDevice(gpu, async (device) => {
		const module = device.createShaderModule({ code });
		const pipeline = await device.createComputePipelineAsync({
			layout: 'auto',
			compute: { module, entryPoint: 'main', constants: { WORKGROUP_SIZE } }
		});
		const source = storageBuffer(device, input);
		const destination = device.createBuffer({
			size: Math.max(4, input.byteLength),
			usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC
		});
		const bindGroup = device.createBindGroup({
			layout: pipeline.getBindGroupLayout(0),
			entries: [
				{ binding: 0, resource: { buffer: source } },
				{ binding: 1, resource: { buffer: destination } }
			]
		});
		const encoder = device.createCommandEncoder();
		const pass = encoder.beginComputePass();
		pass.setPipeline(pipeline);
		pass.setBindGroup(0, bindGroup);
		const [x, y] = dispatchSize(input.length, WORKGROUP_SIZE, device.limits.maxComputeWorkgroupsPerDimension);
		pass.dispatchWorkgroups(x, y);
		pass.end();
		device.queue.submit([encoder.finish()]);
		const out = await readFloat32(device, destination, input.byteLength);
		source.destroy();
		destination.destroy();
		return out;
	});
}

/** A known-answer test: true when the adapter copies 4096 floats exactly. */
export async function gpuSelfTest(gpu: GPU | undefined, shaders: ShaderSource): Promise<boolean> {
	const input = Float32Array.from({ length: 4096 }, (_, i) => Math.sin(i) * 1000);
	const output = await gpuCopy(gpu, shaders, input);
	return output.length === input.length && output.every((v, i) => v === input[i]);
}
