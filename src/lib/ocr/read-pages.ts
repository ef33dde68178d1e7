/**
 * OCR of a PDF's pages that have no text layer: each is rendered at `dpi` (the crop box, as pdf.js
 * renders it, so printer's marks outside it are not read) and read by the pool. Rendering runs on the
 * calling thread while the pool's engines read earlier pages, so neither waits for the other. Pages that
 * paint no image are skipped: without an image there is nothing to read.
 */
import { CancelledError } from '../errors.ts';
import type { OcrImage, OcrPool } from './engine.ts';
import type { OcrPage } from './layout.ts';

/** Measured on generated scans (see `npm run bench -- ocr`): accuracy holds at 200 dpi and it reads faster than 300. */
export const OCR_DPI = 300;

/** The parts of a pdf.js page this module uses (PDFPageProxy). */
export interface RenderablePage {
	getViewport(options: { scale: number }): { width: number; height: number };
	getOperatorList(): Promise<{ fnArray: number[] }>;
	render(parameters: never): { promise: Promise<void> };
	cleanup(): void;
}

/** A platform's way to draw a page and encode it (Node: @napi-rs/canvas; browser: OffscreenCanvas). */
export type PageRenderer = (page: RenderablePage, scale: number) => Promise<OcrImage>;

/** pdf.js's operator codes for painting images (`OPS`): a page without them holds nothing to read. */
export function paintsImage(fnArray: readonly number[], ops: Record<string, number>): boolean {
	const codes = new Set(
		[
			'paintImageXObject',
			'paintInlineImageXObject',
			'paintImageMaskXObject',
			'paintImageXObjectRepeat',
			'paintInlineImageXObjectGroup'
		]
			.map((name) => ops[name])
			.filter((code): code is number => code !== undefined)
	);
	return fnArray.some((fn) => codes.has(fn));
}

export interface OcrPagesOptions {
	signal?: AbortSignal;
	dpi?: number;
	/** Each page as it is read, in page order; `index` counts from 1 to `total`. */
	onPage?: (page: number, result: OcrPage | undefined, index: number, total: number) => void | Promise<void>;
}

export interface OcrPagesDeps {
	getPage(n: number): Promise<RenderablePage>;
	ops: Record<string, number>;
	pool: OcrPool;
	render: PageRenderer;
}

/** Reads `pages` (1-based); a page without images answers `undefined`. Results come in page order. */
export async function ocrPages(
	pages: readonly number[],
	deps: OcrPagesDeps,
	options: OcrPagesOptions = {}
): Promise<Map<number, OcrPage | undefined>> {
	const { signal } = options;
	const scale = (options.dpi ?? OCR_DPI) / 72;
	const results = new Map<number, OcrPage | undefined>();
	const reads: Promise<OcrPage | undefined>[] = [];
	let reported = 0;
	const report = async (keep: number) => {
		while (reads.length - reported > keep) {
			const result = await reads[reported]!;
			const page = pages[reported]!;
			results.set(page, result);
			reported++;
			await options.onPage?.(page, result, reported, pages.length);
		}
	};
	for (const n of pages) {
		if (signal?.aborted) throw new CancelledError('Reading the scan');
		const page = await deps.getPage(n);
		const { fnArray } = await page.getOperatorList();
		if (!paintsImage(fnArray, deps.ops)) {
			page.cleanup();
			reads.push(Promise.resolve(undefined));
		} else {
			const image = await deps.render(page, scale);
			page.cleanup();
			const read = deps.pool.read(image, signal);
			read.catch(() => undefined);
			reads.push(read);
		}
		// Keep at most one rendered page waiting per engine: bounded memory, engines never idle.
		await report(deps.pool.size);
	}
	await report(0);
	return results;
}
