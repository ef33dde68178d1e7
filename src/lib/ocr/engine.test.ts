import { describe, expect, it } from 'vitest';
import { CancelledError } from '../errors.ts';
import { OcrPool, type OcrEngine } from './engine.ts';
import type { RecognizedBlock } from './layout.ts';

/** Engines that answer only when told to; each knows its number and whether it was stopped. */
function heldEngines() {
	const engines: { n: number; stopped: boolean; pending: ((text: string) => void)[] }[] = [];
	const start = async (): Promise<OcrEngine> => {
		const engine = { n: engines.length + 1, stopped: false, pending: [] as ((text: string) => void)[] };
		engines.push(engine);
		return {
			recognize: () =>
				new Promise<RecognizedBlock[]>((resolve) => {
					engine.pending.push((text) =>
						resolve([
							{ paragraphs: [{ lines: [{ words: [{ text, confidence: 90, bbox: { x0: 0, y0: 0, x1: 5, y1: 5 } }] }] }] }
						])
					);
				}),
			terminate: async () => {
				engine.stopped = true;
			}
		};
	};
	return { engines, start };
}

const image = { bytes: new Uint8Array(1), width: 10, height: 10 };
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('OcrPool', () => {
	it('shares its engines between files; a cancelled read stops only its own engine, and a fresh one takes its place', async () => {
		const { engines, start } = heldEngines();
		const pool = new OcrPool(start, 2);
		const [one, two] = [new AbortController(), new AbortController()];
		const first = pool.read(image, one.signal);
		const second = pool.read(image, two.signal);
		// A third read, of the second file, waits for a free engine.
		const third = pool.read(image, two.signal);
		await tick();
		expect(engines.map((e) => e.pending.length)).toEqual([1, 1]);

		one.abort();
		await expect(first).rejects.toBeInstanceOf(CancelledError);
		await tick();
		expect(engines.filter((e) => e.stopped)).toHaveLength(1);
		// The fresh engine took the waiting read; the other file's reads go on.
		const [kept, fresh] = [engines.find((e) => !e.stopped && e.n < 3)!, engines[2]!];
		expect([kept.pending.length, fresh.pending.length, fresh.stopped]).toEqual([1, 1, false]);
		kept.pending[0]!('Exhibit');
		fresh.pending[0]!('Letter');
		expect((await second).text).toBe('Exhibit');
		expect((await third).text).toBe('Letter');
		await pool.terminate();
		expect(engines.every((e) => e.stopped)).toBe(true);
	});

	it('a read cancelled while it waits for an engine leaves the queue without stopping any engine', async () => {
		const { engines, start } = heldEngines();
		const pool = new OcrPool(start, 1);
		const busy = pool.read(image);
		const controller = new AbortController();
		const waiting = pool.read(image, controller.signal);
		controller.abort();
		await expect(waiting).rejects.toBeInstanceOf(CancelledError);
		await tick();
		engines[0]!.pending[0]!('Kept');
		expect((await busy).text).toBe('Kept');
		expect(engines.map((e) => e.stopped)).toEqual([false]);
		// The engine is free again for the next read.
		const next = pool.read(image);
		await tick();
		engines[0]!.pending[1]!('Next');
		expect((await next).text).toBe('Next');
		await pool.terminate();
	});
});
