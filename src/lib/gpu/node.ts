/**
 * WebGPU in Node through Dawn (npm `webgpu`). On a machine without a GPU, Dawn finds SwiftShader's
 * Vulkan driver from Debian's chromium package; with a GPU, the system's driver.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ShaderSource } from './shaders.ts';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const SHADER_DIR = fileURLToPath(new URL('../../../shaders/', import.meta.url));

let instance: Promise<GPU> | undefined;

/** One Dawn instance per process: creating several leaks Vulkan instances. */
export function nodeGpu(): Promise<GPU> {
	instance ??= (async () => {
		if (!process.env['VK_ICD_FILENAMES'] && existsSync(SWIFTSHADER_ICD))
			process.env['VK_ICD_FILENAMES'] = SWIFTSHADER_ICD;
		const { create, globals } = await import('webgpu');
		// The WebGPU constants (GPUBufferUsage, GPUMapMode, …) that browser code expects as globals.
		Object.assign(globalThis, globals);
		return create([]);
	})();
	return instance;
}

export const nodeShaderSource: ShaderSource = (name) => readFile(`${SHADER_DIR}${name}.wgsl`, 'utf8');
