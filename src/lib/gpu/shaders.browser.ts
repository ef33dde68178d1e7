import type { ShaderSource } from './shaders.ts';

// Vite emits each .wgsl as a hashed asset; the service worker precaches it, so kernels load offline.
const urls = import.meta.glob<string>('/shaders/*.wgsl', { query: '?url', import: 'default', eager: true });
const byName = new Map(
	Object.entries(urls).map(([path, url]) => [path.slice('/shaders/'.length, -'.wgsl'.length), url])
);
const cache = new Map<string, Promise<string>>();

export const browserShaderSource: ShaderSource = (name) => {
	let source = cache.get(name);
	if (!source) {
		const url = byName.get(name);
		if (!url) return Promise.reject(new Error(`No shader named ${name} in shaders/.`));
		source = fetch(url).then(async (response) => {
			if (!response.ok) throw new Error(`Could not load shader ${name}: HTTP ${response.status}.`);
			return response.text();
		});
		source.catch(() => cache.delete(name));
		cache.set(name, source);
	}
	return source;
};
