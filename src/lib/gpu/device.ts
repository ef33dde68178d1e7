import { GpuDeviceLostError, GpuMemoryError, GpuValidationError, WebGpuUnavailableError } from '../errors.ts';
import { requestAdapter } from './capability.ts';

/**
 * A device with the adapter's own limits for the ones heavy kernels need, so tile planning can use
 * what the hardware offers rather than WebGPU's conservative defaults.
 */
export async function acquireDevice(
	gpu: GPU | undefined,
	options: { requiredFeatures?: GPUFeatureName[] } = {}
): Promise<GPUDevice> {
	const adapter = await requestAdapter(gpu);
	if ('error' in adapter) throw new WebGpuUnavailableError(adapter.error);
	const wanted = [
		'maxBufferSize',
		'maxStorageBufferBindingSize',
		'maxComputeWorkgroupStorageSize',
		'maxComputeInvocationsPerWorkgroup',
		'maxComputeWorkgroupSizeX',
		'maxStorageBuffersPerShaderStage'
	] as const;
	const requiredLimits: Record<string, number> = {};
	for (const name of wanted) requiredLimits[name] = adapter.limits[name];
	const requiredFeatures = (options.requiredFeatures ?? []).filter((f) => adapter.features.has(f));
	return adapter.requestDevice({ requiredLimits, requiredFeatures });
}

/**
 * Runs `work` on a fresh device inside validation and out-of-memory error scopes, then destroys the
 * device. A validation error or a lost device becomes a typed error instead of a silent wrong answer.
 */
export async function withDevice<T>(gpu: GPU | undefined, work: (device: GPUDevice) => Promise<T>): Promise<T> {
	const device = await acquireDevice(gpu);
	let lost: string | undefined;
	void device.lost.then((info) => {
		if (info.reason !== 'destroyed') lost = info.message || 'device lost';
	});
	device.pushErrorScope('out-of-memory');
	device.pushErrorScope('validation');
	try {
		const result = await work(device);
		const validation = await device.popErrorScope();
		const memory = await device.popErrorScope();
		if (validation) throw new GpuValidationError(validation.message);
		if (memory) throw new GpuMemoryError(memory.message);
		if (lost) throw new GpuDeviceLostError({ detail: lost });
		return result;
	} finally {
		device.destroy();
	}
}

/** Reads a GPU buffer back into a new Float32Array. */
export async function readFloat32(
	device: GPUDevice,
	buffer: GPUBuffer,
	byteLength = buffer.size
): Promise<Float32Array> {
	const staging = device.createBuffer({ size: byteLength, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
	const encoder = device.createCommandEncoder();
	encoder.copyBufferToBuffer(buffer, 0, staging, 0, byteLength);
	device.queue.submit([encoder.finish()]);
	await staging.mapAsync(GPUMapMode.READ);
	const out = new Float32Array(staging.getMappedRange().slice(0));
	staging.unmap();
	staging.destroy();
	return out;
}

/** A storage buffer holding `data`. */
export function storageBuffer(device: GPUDevice, data: Float32Array | Uint32Array, extraUsage = 0): GPUBuffer {
	const buffer = device.createBuffer({
		size: Math.max(4, data.byteLength),
		usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | extraUsage,
		mappedAtCreation: true
	});
	const view =
		data instanceof Float32Array ? new Float32Array(buffer.getMappedRange()) : new Uint32Array(buffer.getMappedRange());
	view.set(data);
	buffer.unmap();
	return buffer;
}

/** Workgroup counts for `invocations` threads, folded into 2D past the per-dimension limit. */
export function dispatchSize(invocations: number, workgroupSize: number, maxPerDimension: number): [number, number] {
	const groups = Math.ceil(invocations / workgroupSize);
	if (groups <= maxPerDimension) return [Math.max(1, groups), 1];
	const y = Math.ceil(groups / maxPerDimension);
	return [Math.ceil(groups / y), y];
}
