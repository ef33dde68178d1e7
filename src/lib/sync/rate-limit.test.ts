import { describe, expect, it } from 'vitest';
import { MAX_WAIT_MS, patientFetch, retryAfterMs, waitFor } from './rate-limit.ts';

const answer = (status: number, headers: Record<string, string> = {}) =>
	new Response(status === 204 ? null : JSON.stringify({ status }), { status, headers });

/** A fetch that gives the scripted answers in turn, recording each request's body. */
function scripted(answers: Response[]) {
	const bodies: unknown[] = [];
	const fetcher: typeof fetch = (_input, init) => {
		bodies.push(init?.body);
		const next = answers.shift();
		return next ? Promise.resolve(next) : Promise.reject(new Error('no more answers'));
	};
	return { fetcher, bodies };
}

describe('Retry-After', () => {
	it('reads delta-seconds and HTTP dates, and nothing else', () => {
		const now = Date.parse('2026-12-03T12:00:00Z');
		expect(retryAfterMs('3', now)).toBe(3000);
		expect(retryAfterMs(' 0 ', now)).toBe(0);
		expect(retryAfterMs('Thu, 03 Dec 2026 12:00:05 GMT', now)).toBe(5000);
		expect(retryAfterMs('Thu, 03 Dec 2026 11:59:00 GMT', now)).toBe(0);
		for (const junk of [null, undefined, '', 'soon', '-1', '1.5']) expect(retryAfterMs(junk, now)).toBeUndefined();
	});

	it('waits what the server names, never past the cap, and doubles from 1 s without a name', () => {
		expect(waitFor('2', 0)).toBe(2000);
		expect(waitFor('86400', 0)).toBe(MAX_WAIT_MS);
		expect([0, 1, 2, 3].map((attempt) => waitFor(null, attempt))).toEqual([1000, 2000, 4000, 8000]);
		expect(waitFor(null, 20)).toBe(MAX_WAIT_MS);
	});
});

describe('patientFetch', () => {
	it('sends a refused request again after the named wait, with the same body, and returns the answer', async () => {
		const { fetcher, bodies } = scripted([answer(429, { 'retry-after': '2' }), answer(429), answer(200)]);
		const waits: number[] = [];
		const patient = patientFetch(fetcher, { jitter: () => 0, sleep: async (ms) => void waits.push(ms) });
		const response = await patient('https://docket.example/api/v1/push', { method: 'POST', body: '{"a":1}' });
		expect(response.status).toBe(200);
		expect(waits).toEqual([2000, 2000]);
		expect(bodies).toEqual(['{"a":1}', '{"a":1}', '{"a":1}']);
	});

	it('gives the caller the last refusal after its tries, and every other answer at once', async () => {
		const refusals = scripted(Array.from({ length: 3 }, () => answer(429, { 'retry-after': '1' })));
		const patient = patientFetch(refusals.fetcher, { tries: 3, sleep: async () => undefined });
		expect((await patient('https://docket.example/x')).status).toBe(429);
		expect(refusals.bodies).toHaveLength(3);
		for (const status of [200, 204, 401, 404, 500, 503]) {
			const once = scripted([answer(status), answer(200)]);
			expect(
				(await patientFetch(once.fetcher, { sleep: async () => undefined })('https://docket.example/x')).status
			).toBe(status);
			expect(once.bodies).toHaveLength(1);
		}
		// A 503 that names when to come back is a refusal for now, like a 429.
		const maintenance = scripted([answer(503, { 'retry-after': '1' }), answer(200)]);
		expect(
			(await patientFetch(maintenance.fetcher, { sleep: async () => undefined })('https://docket.example/x')).status
		).toBe(200);
	});

	it('spreads the waits of clients refused together, and gives up past its time budget', async () => {
		const waits: number[] = [];
		const many = scripted(Array.from({ length: 8 }, () => answer(429, { 'retry-after': '2' })));
		const patient = patientFetch(many.fetcher, {
			budgetMs: 10_000,
			jitter: () => 0.999,
			sleep: async (ms) => void waits.push(ms)
		});
		expect((await patient('https://docket.example/x')).status).toBe(429);
		// 2 s and up to 500 ms more each; the fifth wait would pass 10 s in all.
		expect(waits).toEqual([2499, 2499, 2499, 2499]);
		const short = scripted([answer(429, { 'retry-after': '1' }), answer(200)]);
		const shortWaits: number[] = [];
		await patientFetch(short.fetcher, { jitter: () => 0.5, sleep: async (ms) => void shortWaits.push(ms) })(
			'https://docket.example/x'
		);
		expect(shortWaits).toEqual([1250]);
	});

	it('stops waiting when the request is cancelled', async () => {
		const { fetcher, bodies } = scripted([answer(429, { 'retry-after': '30' }), answer(200)]);
		const controller = new AbortController();
		const pending = patientFetch(fetcher)('https://docket.example/x', { signal: controller.signal });
		setTimeout(() => controller.abort(new Error('cancelled by the user')), 20);
		await expect(pending).rejects.toThrow('cancelled by the user');
		expect(bodies).toHaveLength(1);
	});
});
