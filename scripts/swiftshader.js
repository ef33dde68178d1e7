// Where Debian's chromium package keeps SwiftShader's Vulkan driver. Dawn (npm `webgpu`) finds a
// CPU adapter through it on machines without a GPU; on a machine with a GPU the real driver wins.
import { existsSync } from 'node:fs';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Environment for a Node process that should see SwiftShader when no other Vulkan driver is set. */
export function swiftShaderEnv() {
	if (process.env.VK_ICD_FILENAMES || !existsSync(SWIFTSHADER_ICD)) return {};
	return { VK_ICD_FILENAMES: SWIFTSHADER_ICD };
}
