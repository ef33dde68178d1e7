import { describe, expect, it } from 'vitest';
import { CancelledError } from '../errors.ts';
import { OcrPool, straightenedBack, UPSIDE_DOWN_BELOW, type OcrEngine } from './engine.ts';
import { decodeImageNode } from './render.node.ts';
import { estimateSkew } from './skew.ts';
import { scanLines } from './testing/make-scan.ts';
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

	it('reads a page again upside down when it reads as nonsense, keeps the better read, and puts its boxes back', async () => {
		// An engine reading a sheet fed upside down: nonsense at 40 the way it lies, words at 95 turned.
		const calls: boolean[] = [];
		let count = 3;
		const word = (text: string, confidence: number, x0: number) => ({
			text,
			confidence,
			bbox: { x0, y0: 2, x1: x0 + 2, y1: 3 }
		});
		const pool = new OcrPool(
			async () => ({
				recognize: async (_image, options) => {
					const turned = options?.upsideDown === true;
					calls.push(turned);
					const words = Array.from({ length: count }, (_, i) =>
						turned ? word(`word${i}`, 95, 2 * i) : word(`pJoM${i}`, 40, 8 - 2 * i)
					);
					return [{ paragraphs: [{ lines: [{ words }] }] }];
				},
				terminate: async () => undefined
			}),
			1
		);
		const page = await pool.read(image);
		expect(calls).toEqual([false, true]);
		expect(page.text).toBe('word0 word1 word2');
		expect(page.confidence).toBe(95);
		// On 10 × 10 pixels, the first word at x 0–2, y 2–3 of the turned image is at x 8–10, y 7–8 as it lies.
		expect(page.words[0]!.box.map((v) => Math.round(v * 10))).toEqual([8, 7, 10, 8]);
		expect(UPSIDE_DOWN_BELOW).toBeGreaterThan(40);

		// Two words are too few to tell a turned sheet from a stamp: read once.
		calls.length = 0;
		count = 2;
		expect((await pool.read(image)).text).toBe('pJoM0 pJoM1');
		expect(calls).toEqual([false]);
		await pool.terminate();
	});
});

describe('pages scanned askew', () => {
	it('measures how far a page is turned from its lines', async () => {
		const lines = [
			'The deposition of Margaret Holloway was taken on March 3, 2024 in Boston.',
			'She testified that the supply agreement was signed by both parties',
			'before the shipment left the warehouse, and that the invoice was sent.'
		];
		for (const skew of [-5, -2, 0, 3, 7]) {
			const scan = await scanLines(lines, { dpi: 150, skew });
			const radians = estimateSkew(await decodeImageNode(scan.jpeg));
			expect(Math.abs((radians! * 180) / Math.PI - skew), `${skew}°`).toBeLessThanOrEqual(0.3);
		}
		// Nothing to measure on a blank sheet, or on bytes that are not a grey PGM.
		expect(estimateSkew(await decodeImageNode((await scanLines([], { dpi: 72 })).jpeg))).toBeUndefined();
		expect(estimateSkew({ bytes: new Uint8Array([0xff, 0xd8, 0xff]), width: 1, height: 1 })).toBeUndefined();
	});

	it('puts boxes read on the straightened image back where the words lie', () => {
		const block = (x0: number, y0: number, x1: number, y1: number): RecognizedBlock[] => [
			{ paragraphs: [{ lines: [{ words: [{ text: 'w', confidence: 90, bbox: { x0, y0, x1, y1 } }] }] }] }
		];
		expect(straightenedBack(block(10, 10, 20, 20), 0, 100, 100)).toEqual(block(10, 10, 20, 20));
		// A box at the centre stays there; one off centre moves along the turn, and stays on the page.
		const centre = straightenedBack(block(45, 45, 55, 55), 0.1, 100, 100)[0]!.paragraphs[0]!.lines[0]!.words[0]!.bbox;
		expect((centre.x0 + centre.x1) / 2).toBeCloseTo(50);
		expect((centre.y0 + centre.y1) / 2).toBeCloseTo(50);
		const edge = straightenedBack(block(0, 0, 100, 5), 0.1, 100, 100)[0]!.paragraphs[0]!.lines[0]!.words[0]!.bbox;
		expect(edge.x0).toBeGreaterThanOrEqual(0);
		expect(edge.y1).toBeGreaterThan(5);
	});
});
