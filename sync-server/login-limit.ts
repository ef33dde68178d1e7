/**
 * Sign-in throttling with a growing delay, per address and per account. Each key may fail a few times
 * freely; after that every failure doubles the wait before the next attempt is even checked (so a
 * guesser cannot learn anything while waiting), up to a cap. A success clears the account's count;
 * the address's count only fades (`forgetAfterMs` after its last failure), so one good account cannot
 * reset a guesser's address. In memory and per instance, like the request rate limit.
 */
export interface LoginLimitOptions {
	/** Failures an account may make before delays start. */
	accountFreeFailures: number;
	/** Failures an address may make (over all accounts) before delays start. */
	addressFreeFailures: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** A key with no failure for this long starts again from zero. */
	forgetAfterMs: number;
}

export const DEFAULT_LOGIN_LIMIT: LoginLimitOptions = {
	accountFreeFailures: 5,
	addressFreeFailures: 20,
	baseDelayMs: 1000,
	maxDelayMs: 15 * 60_000,
	forgetAfterMs: 24 * 3600_000
};

interface Entry {
	failures: number;
	lastFailureAt: number;
	blockedUntil: number;
}

export type LoginKey = { kind: 'account' | 'address'; id: string };

export class LoginLimiter {
	private readonly entries = new Map<string, Entry>();

	constructor(
		private readonly options: LoginLimitOptions = DEFAULT_LOGIN_LIMIT,
		private readonly now: () => number = () => Date.now()
	) {}

	private entry(key: LoginKey, now: number): Entry | undefined {
		const name = `${key.kind}:${key.id}`;
		const entry = this.entries.get(name);
		if (entry && now - entry.lastFailureAt > this.options.forgetAfterMs) {
			this.entries.delete(name);
			return undefined;
		}
		return entry;
	}

	/** Whether an attempt may be checked now; when not, how long to wait. */
	check(keys: LoginKey[]): { ok: true } | { ok: false; retryAfterMs: number } {
		const now = this.now();
		let until = 0;
		for (const key of keys) until = Math.max(until, this.entry(key, now)?.blockedUntil ?? 0);
		return until > now ? { ok: false, retryAfterMs: until - now } : { ok: true };
	}

	/** The delay the next failure of `failures` so far earns on a key that may fail `free` times freely. */
	delayAfter(failures: number, free: number): number {
		if (failures <= free) return 0;
		return Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (failures - free - 1));
	}

	fail(keys: LoginKey[]): void {
		const now = this.now();
		for (const key of keys) {
			const entry = this.entry(key, now) ?? { failures: 0, lastFailureAt: now, blockedUntil: 0 };
			entry.failures += 1;
			entry.lastFailureAt = now;
			const free = key.kind === 'account' ? this.options.accountFreeFailures : this.options.addressFreeFailures;
			entry.blockedUntil = now + this.delayAfter(entry.failures, free);
			this.entries.set(`${key.kind}:${key.id}`, entry);
		}
		if (this.entries.size > 50_000) this.sweep(now);
	}

	succeed(account: string): void {
		this.entries.delete(`account:${account}`);
	}

	private sweep(now: number): void {
		for (const [name, entry] of this.entries)
			if (now - entry.lastFailureAt > this.options.forgetAfterMs || entry.blockedUntil < now - 3600_000)
				this.entries.delete(name);
	}
}
