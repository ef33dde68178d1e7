/**
 * Debian's Chromium, driven by Playwright: no browser download. WebGPU runs on SwiftShader, the CPU
 * Vulkan driver shipped in the chromium package, so GPU code paths run on machines without a GPU.
 */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-quic',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
	'--enable-unsafe-webgpu',
	'--use-webgpu-adapter=swiftshader',
	'--enable-features=Vulkan'
];
