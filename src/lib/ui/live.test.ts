import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttle } from './live.svelte.ts';

describe('throttle', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('passes the first value at once, then only the latest value once per interval', () => {
		const seen: number[] = [];
		const gate = throttle(
			250,
			(v: number) => seen.push(v),
			() => Date.now()
		);
		gate.push(1);
		expect(seen).toEqual([1]);
		gate.push(2);
		gate.push(3);
		expect(seen).toEqual([1]);
		vi.advanceTimersByTime(249);
		expect(seen).toEqual([1]);
		vi.advanceTimersByTime(1);
		expect(seen).toEqual([1, 3]);
		vi.advanceTimersByTime(1000);
		gate.push(4);
		expect(seen).toEqual([1, 3, 4]);
	});

	it('passes every value when the interval is zero, and nothing after cancel', () => {
		const seen: number[] = [];
		const gate = throttle(
			0,
			(v: number) => seen.push(v),
			() => Date.now()
		);
		gate.push(1);
		gate.push(2);
		expect(seen).toEqual([1, 2]);
		const slow = throttle(
			100,
			(v: number) => seen.push(v),
			() => Date.now()
		);
		slow.push(3);
		slow.push(4);
		slow.cancel();
		vi.advanceTimersByTime(500);
		expect(seen).toEqual([1, 2, 3]);
	});
});
