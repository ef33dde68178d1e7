import { describe, expect, it } from 'vitest';
import { LoginLimiter, type LoginKey } from './login-limit.ts';

const options = {
	accountFreeFailures: 2,
	addressFreeFailures: 4,
	baseDelayMs: 1000,
	maxDelayMs: 8000,
	forgetAfterMs: 60_000
};

describe('sign-in throttling', () => {
	it('doubles the wait per failure after the free ones, up to the cap', () => {
		let now = 0;
		const limiter = new LoginLimiter(options, () => now);
		const account: LoginKey[] = [{ kind: 'account', id: 'ann@firm.example' }];
		const waits: number[] = [];
		for (let i = 0; i < 7; i++) {
			const verdict = limiter.check(account);
			expect(verdict.ok).toBe(true);
			limiter.fail(account);
			const after = limiter.check(account);
			waits.push(after.ok ? 0 : after.retryAfterMs);
			now += after.ok ? 0 : after.retryAfterMs;
		}
		expect(waits).toEqual([0, 0, 1000, 2000, 4000, 8000, 8000]);
	});

	it('keeps an address’s count through another account’s success; an account’s success clears the account', () => {
		let now = 0;
		const limiter = new LoginLimiter(options, () => now);
		const address: LoginKey = { kind: 'address', id: '10.0.0.9' };
		for (const email of ['a', 'b', 'c', 'd', 'e']) limiter.fail([address, { kind: 'account', id: email }]);
		limiter.succeed('a');
		expect(limiter.check([address, { kind: 'account', id: 'a' }])).toEqual({ ok: false, retryAfterMs: 1000 });
		// Another address is not held up.
		expect(
			limiter.check([
				{ kind: 'address', id: '10.0.0.10' },
				{ kind: 'account', id: 'a' }
			]).ok
		).toBe(true);
		// A long quiet spell forgets everything.
		now += 120_000;
		expect(limiter.check([address]).ok).toBe(true);
		limiter.fail([address]);
		expect(limiter.check([address]).ok).toBe(true);
	});
});
