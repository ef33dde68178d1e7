/**
 * OCR engines behind one contract, and a pool of them. An engine reads one page image (grey PGM, PNG or
 * JPEG bytes) and answers tesseract's blocks; the pool keeps `size` engines warm and hands each page to
 * the next free one, whichever file it is from; a cancelled read replaces only the engine it was on.
 */
import { CancelledError } from '../errors.ts';
import { pageFromBlocks, type OcrPage, type RecognizedBlock } from './layout.ts';

export interface OcrImage {
	bytes: Uint8Array;
	width: number;
	height: number;
}

export interface OcrEngine {
	/**
	 * With `upsideDown`, the image is read turned half a turn; boxes are then in the turned image.
	 * Otherwise a page scanned askew is read straightened, its boxes put back on the image as it lies.
	 */
	recognize(image: OcrImage, options?: { upsideDown?: boolean }): Promise<RecognizedBlock[]>;
	terminate(): Promise<void>;
}

/**
 * A page with words read at a mean confidence below this is read again upside down, and the better read
 * kept. A sheet fed into the scanner the wrong way up reads as nonsense at about 40 (95 the right way
 * up, on generated scans); tesseract turns sideways text itself, and reading it upside down then also
 * rights a sheet turned the other way. Good pages never pay for the second read.
 */
export const UPSIDE_DOWN_BELOW = 70;

/** A read of the image turned half a turn, with its boxes put back on the image as it is. */
export function turnedBack(page: OcrPage): OcrPage {
	return {
		...page,
		words: page.words.map((word) => {
			const [x0, y0, x1, y1] = word.box;
			return { ...word, box: [1 - x1, 1 - y1, 1 - x0, 1 - y0] };
		})
	};
}

/**
 * Blocks read on the image as tesseract.js turned it to straighten its lines (its `rotateRadians`, about
 * the centre, the same size), put back on the image as it lies: each word's corners turned back, and the
 * box around them, so a highlight covers the word on the askew scan.
 */
export function straightenedBack(
	blocks: RecognizedBlock[],
	radians: number,
	width: number,
	height: number
): RecognizedBlock[] {
	if (radians === 0) return blocks;
	const [cx, cy] = [width / 2, height / 2];
	// The inverse of tesseract.js's turn (the OCR tests check the boxes against the scan's ink).
	const [cos, sin] = [Math.cos(-radians), Math.sin(-radians)];
	const back = (x: number, y: number): [number, number] => [
		cx + (x - cx) * cos - (y - cy) * sin,
		cy + (x - cx) * sin + (y - cy) * cos
	];
	return blocks.map((block) => ({
		...block,
		paragraphs: block.paragraphs.map((paragraph) => ({
			...paragraph,
			lines: paragraph.lines.map((line) => ({
				...line,
				words: line.words.map((word) => {
					const { x0, y0, x1, y1 } = word.bbox;
					const corners = [back(x0, y0), back(x1, y0), back(x0, y1), back(x1, y1)];
					const xs = corners.map(([x]) => x);
					const ys = corners.map(([, y]) => y);
					return {
						...word,
						bbox: {
							x0: Math.max(0, Math.min(...xs)),
							y0: Math.max(0, Math.min(...ys)),
							x1: Math.min(width, Math.max(...xs)),
							y1: Math.min(height, Math.max(...ys))
						}
					};
				})
			}))
		}))
	}));
}

export type OcrEngineStarter = () => Promise<OcrEngine>;

/** One engine as it starts (a promise, so a slow start holds up only the pages given to it). */
interface Slot {
	engine: Promise<OcrEngine>;
}

async function readEitherWayUp(engine: OcrEngine, image: OcrImage): Promise<OcrPage> {
	const upright = pageFromBlocks(await engine.recognize(image), image.width, image.height);
	// Too few words to tell (a blank sheet, a stamp) is not worth a second read.
	if (upright.words.length < 3 || upright.confidence >= UPSIDE_DOWN_BELOW) return upright;
	const turned = turnedBack(
		pageFromBlocks(await engine.recognize(image, { upsideDown: true }), image.width, image.height)
	);
	return turned.confidence > upright.confidence ? turned : upright;
}

export class OcrPool {
	private engines: Slot[] = [];
	private idle: Slot[] = [];
	private waiting: { resolve: (slot: Slot) => void; reject: (error: Error) => void }[] = [];

	constructor(
		private readonly start: OcrEngineStarter,
		readonly size: number
	) {}

	private ensure(): void {
		if (this.engines.length > 0) return;
		this.engines = Array.from({ length: this.size }, () => ({ engine: this.start() }));
		this.idle = [...this.engines];
		// A failed start is reported by the page that waits for it; this only keeps it from being unhandled.
		for (const slot of this.engines) slot.engine.catch(() => undefined);
	}

	/**
	 * Reads one page on the next free engine. A cancelled read stops only its own engine (a terminated
	 * tesseract worker never answers, so the read settles on the signal) and a fresh one takes its place:
	 * reads of other files sharing the pool go on.
	 */
	async read(image: OcrImage, signal?: AbortSignal): Promise<OcrPage> {
		if (signal?.aborted) throw new CancelledError('Reading the scan');
		this.ensure();
		const slot = this.idle.pop() ?? (await this.wait(signal));
		// Handed a slot by a cancel that also cancels this read (the same file): give it straight back.
		if (signal?.aborted) {
			this.release(slot);
			throw new CancelledError('Reading the scan');
		}
		let stop = () => {};
		const cancelled = new Promise<never>((_, reject) => {
			stop = () => {
				reject(new CancelledError('Reading the scan'));
				this.replace(slot);
			};
			signal?.addEventListener('abort', stop, { once: true });
		});
		cancelled.catch(() => undefined);
		try {
			return await Promise.race([slot.engine.then((engine) => readEitherWayUp(engine, image)), cancelled]);
		} finally {
			signal?.removeEventListener('abort', stop);
			this.release(slot);
		}
	}

	private wait(signal: AbortSignal | undefined): Promise<Slot> {
		return new Promise<Slot>((resolve, reject) => {
			const onAbort = () => {
				this.waiting = this.waiting.filter((w) => w !== waiter);
				reject(new CancelledError('Reading the scan'));
			};
			const waiter = {
				resolve: (slot: Slot) => {
					signal?.removeEventListener('abort', onAbort);
					resolve(slot);
				},
				reject
			};
			signal?.addEventListener('abort', onAbort, { once: true });
			this.waiting.push(waiter);
		});
	}

	/** Stops `slot`'s engine and puts a fresh one in its place. */
	private replace(slot: Slot): void {
		const at = this.engines.indexOf(slot);
		if (at < 0) return;
		void slot.engine.then(
			(engine) => engine.terminate(),
			() => undefined
		);
		const fresh: Slot = { engine: this.start() };
		fresh.engine.catch(() => undefined);
		this.engines[at] = fresh;
		this.release(fresh);
	}

	private release(slot: Slot): void {
		if (!this.engines.includes(slot)) return;
		const next = this.waiting.shift();
		if (next) next.resolve(slot);
		else this.idle.push(slot);
	}

	/** Stops every engine; the next read starts fresh ones. */
	async terminate(): Promise<void> {
		const engines = this.engines;
		this.engines = [];
		this.idle = [];
		for (const waiter of this.waiting.splice(0)) waiter.reject(new CancelledError('Reading the scan'));
		await Promise.all(engines.map(async (slot) => (await slot.engine.catch(() => undefined))?.terminate()));
	}
}
