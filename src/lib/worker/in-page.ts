/**
 * The transport's client side in miniature, as JavaScript source, for browser tests and benchmarks that talk
 * to a built worker file from a bare page (no app code there to import). It is source text because a compiled
 * function would carry the bundler's helpers into the page. It speaks transport.ts's messages: `call` out,
 * `result` / `error` back (progress and events are ignored), and a worker `error` rejects what is pending.
 *
 * Evaluates to `(workerUrl) => ({ call(name, params): Promise<result>, terminate() })`.
 */
export const IN_PAGE_CLIENT = `(workerUrl) => {
	const w = new Worker(workerUrl, { type: 'module' });
	let seq = 0;
	const pending = new Map();
	w.onmessage = (event) => {
		const m = event.data;
		const p = pending.get(m.id);
		if (!p || (m.type !== 'result' && m.type !== 'error')) return;
		pending.delete(m.id);
		if (m.type === 'result') p.resolve(m.result);
		else p.reject(new Error(JSON.stringify(m.error)));
	};
	w.onerror = (e) => {
		for (const p of pending.values()) p.reject(new Error('worker error: ' + e.message));
		pending.clear();
	};
	return {
		call: (name, params) =>
			new Promise((resolve, reject) => {
				const id = String(++seq);
				pending.set(id, { resolve, reject });
				w.postMessage({ type: 'call', id, name, params });
			}),
		terminate: () => w.terminate()
	};
}`;
