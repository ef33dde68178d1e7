import { describe, expect, it } from 'vitest';
import { CancelledError } from '../errors.ts';
import { ScanLane, type ScanPhase } from './scan-lane.ts';

describe('ScanLane', () => {
	const job = () => ({ scan: undefined as ScanPhase | undefined });

	it('lets scans in one at a time, in order, and none while text work runs', async () => {
		const lane = new ScanLane<ReturnType<typeof job>>();
		const [a, b] = [job(), job()];
		const order: string[] = [];
		const turns = [lane.turn(a, new AbortController().signal), lane.turn(b, new AbortController().signal)];
		void turns[0]!.then(() => order.push('a'));
		void turns[1]!.then(() => order.push('b'));
		lane.admit([a, b], true);
		await Promise.resolve();
		expect([a.scan, b.scan]).toEqual(['waiting', 'waiting']);
		lane.admit([a, b], false);
		await turns[0];
		expect([a.scan, b.scan]).toEqual(['reading', 'waiting']);
		lane.admit([a, b], false);
		expect(b.scan).toBe('waiting');
		a.scan = undefined;
		lane.admit([a, b], false);
		await turns[1];
		expect(order).toEqual(['a', 'b']);
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
