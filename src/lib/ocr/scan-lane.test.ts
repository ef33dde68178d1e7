import { describe, expect, it } from 'vitest';
import { CancelledError } from '../errors.ts';
import { ScanLane, type ScanPhase } from './scan-lane.ts';

describe('ScanLane', () => {
	const job = () => ({ scan: undefined as ScanPhase | undefined });

	it('lets scans in two at a time, in order, and none while text work runs', async () => {
		const lane = new ScanLane<ReturnType<typeof job>>();
		const [a, b, c] = [job(), job(), job()];
		const order: string[] = [];
		const turns = [a, b, c].map((j) => lane.turn(j, new AbortController().signal));
		turns.forEach((turn, i) => void turn.then(() => order.push('abc'[i]!)));
		lane.admit([a, b, c], true);
		await Promise.resolve();
		expect([a.scan, b.scan, c.scan]).toEqual(['waiting', 'waiting', 'waiting']);
		lane.admit([a, b, c], false);
		await Promise.all(turns.slice(0, 2));
		expect([a.scan, b.scan, c.scan]).toEqual(['reading', 'reading', 'waiting']);
		lane.admit([a, b, c], false);
		expect(c.scan).toBe('waiting');
		a.scan = undefined;
		lane.admit([a, b, c], false);
		await turns[2];
		expect(order).toEqual(['a', 'b', 'c']);
	});

	it('drops a cancelled scan from the queue', async () => {
		const lane = new ScanLane<ReturnType<typeof job>>();
		const [a, b] = [job(), job()];
		const controller = new AbortController();
		const first = lane.turn(a, controller.signal);
		const second = lane.turn(b, new AbortController().signal);
		controller.abort();
		await expect(first).rejects.toBeInstanceOf(CancelledError);
		lane.admit([a, b], false);
		await second;
		expect(b.scan).toBe('reading');
		const late = new AbortController();
		late.abort();
		await expect(lane.turn(job(), late.signal)).rejects.toBeInstanceOf(CancelledError);
	});
});
