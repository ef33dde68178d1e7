/**
 * A token bucket per key (per access token; per address for requests without one). In memory: each server
 * instance limits on its own, which is what a limit against a runaway client needs.
 */
export interface RateLimitOptions {
	/** Requests a key may make at once. */
	burst: number;
	/** Requests per second a key earns back. */
	perSecond: number;
}

export class RateLimiter {
	private readonly buckets = new Map<string, { tokens: number; at: number }>();

	constructor(
		private readonly options: RateLimitOptions,
		private readonly now: () => number = () => performance.now()
	) {}

	/** Takes one request's token; returns the seconds to wait when there is none. */
	take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
		const now = this.now();
		const bucket = this.buckets.get(key) ?? { tokens: this.options.burst, at: now };
		bucket.tokens = Math.min(this.options.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.options.perSecond);
		bucket.at = now;
		this.buckets.set(key, bucket);
		if (this.buckets.size > 10_000) this.sweep();
		if (bucket.tokens >= 1) {
			bucket.tokens -= 1;
			return { ok: true };
		}
		return { ok: false, retryAfterSeconds: Math.ceil((1 - bucket.tokens) / this.options.perSecond) };
	}

	/** Seconds until `key` has a token again, or 0 when it has one now; takes nothing. */
	peek(key: string): number {
		const bucket = this.buckets.get(key);
		if (!bucket) return 0;
		const tokens = Math.min(
			this.options.burst,
			bucket.tokens + ((this.now() - bucket.at) / 1000) * this.options.perSecond
		);
		return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / this.options.perSecond);
	}

	/** Full buckets carry no information; dropping them bounds memory. */
	private sweep(): void {
		for (const [key, bucket] of this.buckets) if (bucket.tokens >= this.options.burst - 1) this.buckets.delete(key);
	}
}
