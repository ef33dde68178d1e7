/**
 * What this machine's WebGPU adapter can do, in one plain object: shown in Settings, used to pick
 * models (shader-f16, memory) and to size tensor tiles (binding and workgroup limits).
 */

export interface GpuCapability {
	available: true;
	vendor: string;
	architecture: string;
	device: string;
	description: string;
	/** True for software adapters such as SwiftShader: correct, but slow. */
	isFallbackAdapter: boolean;
	features: string[];
	limits: Record<string, number>;
}

export interface GpuUnavailable {
	available: false;
	/** Why, in words a person reads in the banner. */
	reason: string;
}

export type GpuReport = GpuCapability | GpuUnavailable;

/** The limits worth showing and planning with; the adapter has more. */
export const REPORTED_LIMITS = [
	'maxBufferSize',
	'maxStorageBufferBindingSize',
	'maxComputeWorkgroupStorageSize',
	'maxComputeInvocationsPerWorkgroup',
	'maxComputeWorkgroupSizeX',
	'maxComputeWorkgroupsPerDimension',
	'maxStorageBuffersPerShaderStage'
] as const;

export function gpuFromNavigator(): GPU | undefined {
	return typeof navigator !== 'undefined' && 'gpu' in navigator ? navigator.gpu : undefined;
}

export async function requestAdapter(gpu: GPU | undefined): Promise<GPUAdapter | { error: string }> {
	if (!gpu) return { error: 'This browser has no WebGPU.' };
	try {
		const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
		return adapter ?? { error: 'WebGPU is present but found no usable GPU adapter.' };
	} catch (error) {
		return { error: `WebGPU failed to start: ${error instanceof Error ? error.message : String(error)}` };
	}
}

export function describeAdapter(adapter: GPUAdapter): GpuCapability {
	const info = adapter.info;
	const limits: Record<string, number> = {};
	for (const name of REPORTED_LIMITS) limits[name] = adapter.limits[name];
	return {
		available: true,
		vendor: info.vendor || 'unknown',
		architecture: info.architecture || 'unknown',
		device: info.device || '',
		description: info.description || '',
		isFallbackAdapter: info.isFallbackAdapter === true || info.architecture === 'swiftshader',
		features: [...adapter.features].map(String).sort(),
		limits
	};
}

export async function detectGpu(gpu: GPU | undefined = gpuFromNavigator()): Promise<GpuReport> {
	const adapter = await requestAdapter(gpu);
	if ('error' in adapter) return { available: false, reason: adapter.error };
	return describeAdapter(adapter);
}
