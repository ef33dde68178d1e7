/**
 * Waiting out the team server's rate limit (429 with Retry-After, sync-server/app.ts). A client that
 * treats a 429 as a failure turns a busy moment (a bulk import, a teammate's first pull of a big case)
 * into a failed sync or a failed file; one that waits what the server asks, and tries again, does not.
 * The sync API and the CLI's requests go through `patientFetch`, tus uploads through `patientHttpStack`.
 */
import { defaultOptions, type HttpRequest, type HttpStack } from 'tus-js-client';

/** The longest one wait may be, whatever the server asks: past it, the caller's own retry takes over. */
export const MAX_WAIT_MS = 60_000;
/** Without a Retry-After: 1 s, then doubling. */
const FALLBACK_WAIT_MS = 1_000;

/**
 * The wait a Retry-After header asks for, in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * `undefined` for a missing or unreadable value.
 */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
	const text = value?.trim();
	if (!text) return undefined;
	if (/^\d+$/.test(text)) return Number(text) * 1000;
	// The three date forms HTTP allows all name a month and a time of day; Date.parse alone reads "1.5" as a date.
	if (!/[A-Za-z]{3}/.test(text) || !/\d{2}:\d{2}:\d{2}/.test(text)) return undefined;
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The wait before try `attempt` (0-based) after a refusal: the server's, capped, else a doubling fallback. */
export function waitFor(retryAfter: string | null | undefined, attempt: number, now = Date.now()): number {
	return Math.min(MAX_WAIT_MS, retryAfterMs(retryAfter, now) ?? FALLBACK_WAIT_MS * 2 ** attempt);
}

/** 429, or a 503 that names when to come back (a server in maintenance): worth the same request later. */
function refusedForNow(status: number, retryAfter: string | null): boolean {
	return status === 429 || (status === 503 && retryAfter !== null);
}

export interface Patience {
	/** Tries in all, the first included (default 20). */
	tries?: number;
	/** The most time spent waiting for one request, all waits together (default 5 min). */
	budgetMs?: number;
	/** A fraction in [0, 1) for the jitter added to each wait (default Math.random). */
	jitter?: () => number;
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const DEFAULT_TRIES = 20;
const DEFAULT_BUDGET_MS = 5 * 60_000;

/**
 * The wait before the next try, or undefined to give up. Each wait gets up to half of itself (at most
 * 500 ms) added at random: clients refused together would otherwise all come back in the same instant
 * and be refused together again (in a test, one request of a 12-file import lost five times in a row).
 */
function nextWait(patience: Patience, attempt: number, retryAfter: string | null, waited: number): number | undefined {
	const { tries = DEFAULT_TRIES, budgetMs = DEFAULT_BUDGET_MS, jitter = Math.random } = patience;
	if (attempt + 1 >= tries) return undefined;
	const base = waitFor(retryAfter, attempt);
	const wait = base + Math.floor(jitter() * Math.min(base / 2, 500));
	return waited + wait > budgetMs ? undefined : wait;
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) {
			reject(signal.reason);
			return;
		}
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', abort);
			resolve();
		}, ms);
		const abort = () => {
			clearTimeout(timer);
			reject(signal?.reason);
		};
		signal?.addEventListener('abort', abort, { once: true });
	});
}

/**
 * `fetcher`, but a request the server refuses for now (429, or 503 with Retry-After) is sent again after
 * the wait it names (plus jitter), within `tries` and `budgetMs`; the last answer, whatever it is, goes
 * to the caller. The
 * request's own signal cuts a wait short. Bodies must be re-sendable (strings, buffers): the callers'
 * are.
 */
export function patientFetch(fetcher: typeof fetch, patience: Patience = {}): typeof fetch {
	const pause = patience.sleep ?? sleep;
	return async (input, init) => {
		for (let attempt = 0, waited = 0; ; attempt++) {
			const response = await fetcher(input, init);
			const retryAfter = response.headers.get('retry-after');
			if (!refusedForNow(response.status, retryAfter)) return response;
			const wait = nextWait(patience, attempt, retryAfter, waited);
			if (wait === undefined) return response;
			// The refusal's body is not needed; reading it frees the connection for the next try.
			await response.arrayBuffer().catch(() => undefined);
			await pause(wait, init?.signal ?? undefined);
			waited += wait;
		}
	};
}

/** Whether a request body can be sent a second time: buffers and blobs can, a stream cannot. */
function resendable(body: unknown): boolean {
	return !(typeof body === 'object' && body !== null && 'pipe' in body && typeof body.pipe === 'function');
}

/**
 * tus's HTTP stack, but a request the server refuses for now is sent again, with the same headers and
 * body, after the wait it names, before tus sees the answer. tus-js-client itself gives up on every 4xx
 * but 409 and 423, and its own retries would spend their delays (and their count) on a busy server.
 */
export function patientHttpStack(inner: HttpStack = defaultOptions.httpStack, patience: Patience = {}): HttpStack {
	const pause = patience.sleep ?? sleep;
	return {
		getName: () => `patient ${inner.getName()}`,
		createRequest(method, url): HttpRequest {
			const headers = new Map<string, string>();
			let progress: ((bytesSent: number) => void) | undefined;
			let current = inner.createRequest(method, url);
			const cancelled = new AbortController();
			return {
				getMethod: () => method,
				getURL: () => url,
				setHeader(header, value) {
					headers.set(header, value);
					current.setHeader(header, value);
				},
				getHeader: (header) => current.getHeader(header),
				setProgressHandler(handler) {
					progress = handler;
					current.setProgressHandler(handler);
				},
				async send(body: unknown) {
					for (let attempt = 0, waited = 0; ; attempt++) {
						const response = await current.send(body);
						const retryAfter = response.getHeader('retry-after') ?? null;
						if (cancelled.signal.aborted || !refusedForNow(response.getStatus(), retryAfter) || !resendable(body))
							return response;
						const wait = nextWait(patience, attempt, retryAfter, waited);
						if (wait === undefined) return response;
						await pause(wait, cancelled.signal);
						waited += wait;
						current = inner.createRequest(method, url);
						for (const [header, value] of headers) current.setHeader(header, value);
						if (progress) current.setProgressHandler(progress);
					}
				},
				abort() {
					cancelled.abort(new Error('The upload was cancelled.'));
					return current.abort();
				},
				getUnderlyingObject: () => current.getUnderlyingObject()
			};
		}
	};
}
