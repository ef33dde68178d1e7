/**
 * OCR engines behind one contract, and a pool of them. An engine reads one page image (encoded PNG or
 * JPEG bytes) and answers tesseract's blocks; the pool keeps `size` engines warm, hands each page to the
 * next free one, and stops them all when a run is cancelled.
 */
import { CancelledError } from '../errors.ts';
import { pageFromBlocks, type OcrPage, type RecognizedBlock } from './layout.ts';

export interface OcrImage {
	bytes: Uint8Array;
	width: number;
	height: number;
}

export interface OcrEngine {
	recognize(image: OcrImage): Promise<RecognizedBlock[]>;
	terminate(): Promise<void>;
}

export type OcrEngineStarter = () => Promise<OcrEngine>;

/** One engine as it starts (a promise, so a slow start holds up only the pages given to it). */
interface Slot {
	engine: Promise<OcrEngine>;
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

	async read(image: OcrImage, signal?: AbortSignal): Promise<OcrPage> {
		if (signal?.aborted) throw new CancelledError('Reading the scan');
		this.ensure();
		const slot =
			this.idle.pop() ?? (await new Promise<Slot>((resolve, reject) => this.waiting.push({ resolve, reject })));
		// A terminated tesseract worker never answers, so a cancelled read settles on the signal, not on it.
		let stop = () => {};
		const cancelled = new Promise<never>((_, reject) => {
			stop = () => {
				reject(new CancelledError('Reading the scan'));
				void this.terminate();
			};
			signal?.addEventListener('abort', stop, { once: true });
		});
		cancelled.catch(() => undefined);
		try {
			const blocks = await Promise.race([slot.engine.then((engine) => engine.recognize(image)), cancelled]);
			return pageFromBlocks(blocks, image.width, image.height);
		} finally {
			signal?.removeEventListener('abort', stop);
			this.release(slot);
		}
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
