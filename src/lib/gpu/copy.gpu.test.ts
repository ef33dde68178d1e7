import { describe, expect, it } from 'vitest';
import { detectGpu } from './capability.ts';
import { dispatchSize } from './device.ts';
import { nodeGpu, nodeShaderSource } from './node.ts';
import { gpuCopy, gpuSelfTest } from './self-test.ts';

describe('WebGPU in Node (Dawn on SwiftShader without a GPU)', () => {
	it('finds an adapter and reports its limits', async () => {
		const report = await detectGpu(await nodeGpu());
		expect(report.available).toBe(true);
		if (!report.available) return;
		expect(report.limits['maxStorageBufferBindingSize']).toBeGreaterThanOrEqual(128 * 1024 * 1024);
		expect(report.features).toEqual([...report.features].sort());
	});

	it('runs shaders/copy.wgsl and reads back the exact input', async () => {
		const gpu = await nodeGpu();
		expect(await gpuSelfTest(gpu, nodeShaderSource)).toBe(true);
		const big = Float32Array.from({ length: 1_000_003 }, (_, i) => i * 0.5 - 7);
		const out = await gpuCopy(gpu, nodeShaderSource, big);
		expect(out).toEqual(big);
	});

	it('folds dispatches past the per-dimension limit into 2D', () => {
		expect(dispatchSize(1000, 256, 65535)).toEqual([4, 1]);
		const [x, y] = dispatchSize(256 * 70000, 256, 65535);
		expect(x).toBeLessThanOrEqual(65535);
		expect(x * y * 256).toBeGreaterThanOrEqual(256 * 70000);
	});
});
