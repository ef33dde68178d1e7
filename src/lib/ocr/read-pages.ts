/**
 * OCR of a PDF's pages that have no text layer: each is rendered at `dpi` (the crop box, as pdf.js
 * renders it, so printer's marks outside it are not read) and read by the pool. Rendering runs on the
 * calling thread while the pool's engines read earlier pages, so neither waits for the other. Pages that
 * paint no image are skipped: without an image there is nothing to read.
 */
import { CancelledError } from '../errors.ts';
import type { OcrImage, OcrPool } from './engine.ts';
import type { Box } from './image-regions.ts';
import type { OcrPage } from './layout.ts';

/**
 * Tesseract's documentation asks for at least 300 dpi. Generated 12 pt pages read as accurately at 200 dpi
 * and 10–15 % faster (`npm run bench -- ocr --dpi 200`), but 8 pt footnotes and stamps would then have an
 * x-height near 11 px, at the edge of what its models read: the speed is not worth a misread exhibit.
 */
export const OCR_DPI = 300;

/** The parts of a pdf.js page this module uses (PDFPageProxy). */
export interface RenderablePage {
	getViewport(options: { scale: number }): { width: number; height: number };
	getOperatorList(): Promise<{ fnArray: number[] }>;
	render(parameters: never): { promise: Promise<void> };
	cleanup(): void;
}

/**
 * A platform's way to draw a page and encode it (Node: @napi-rs/canvas; browser: OffscreenCanvas).
 * With `keep`, only those regions (page fractions) are drawn and the rest stays white, so the text layer's
 * own text around an image is not read again.
 */
export type PageRenderer = (page: RenderablePage, scale: number, keep?: readonly Box[]) => Promise<OcrImage>;

/**
 * A platform's way to draw a PNG or JPEG file as image viewers show it (EXIF orientation applied) into the
 * grey PGM OCR reads, so the words' boxes fit the picture the viewer draws. An undecodable image throws
 * ImageDecodeError.
 */
export type ImageDecoder = (bytes: Uint8Array) => Promise<OcrImage>;

/** Clips `context` to `keep` (page fractions of a `width` × `height` canvas), a little beyond each box. */
export function clipTo(
	context: { beginPath(): void; rect(x: number, y: number, w: number, h: number): void; clip(): void },
	keep: readonly Box[],
	width: number,
	height: number
): void {
	const margin = 0.005;
	context.beginPath();
	for (const [x0, y0, x1, y1] of keep) {
		const [left, top] = [Math.max(0, x0 - margin) * width, Math.max(0, y0 - margin) * height];
		const [right, bottom] = [Math.min(1, x1 + margin) * width, Math.min(1, y1 + margin) * height];
		context.rect(left, top, right - left, bottom - top);
	}
	context.clip();
}

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
	/**
	 * Pages read by an earlier run of the same job (stored as they were read): not read again. They are
	 * reported first, so progress resumes where the last run stopped.
	 */
	known?: ReadonlyMap<number, OcrPage>;
	/** Pages with a text layer whose image regions alone are read (the rest of the page is drawn white). */
	regions?: ReadonlyMap<number, readonly Box[]>;
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
	const scale = (options.dpi ?? OCR_DPI) / 72;
	return readImages(
		pages,
		async (n) => {
			const page = await deps.getPage(n);
			try {
				const keep = options.regions?.get(n);
				if (keep) return await deps.render(page, scale, keep);
				const { fnArray } = await page.getOperatorList();
				return paintsImage(fnArray, deps.ops) ? await deps.render(page, scale) : undefined;
			} finally {
				page.cleanup();
			}
		},
		deps.pool,
		options
	);
}

/**
 * Reads page images by OCR: `imageOf` draws (or decodes) one page, undefined for a page with nothing to
 * read. Drawing runs on the calling thread while the pool's engines read earlier pages, so neither waits
 * for the other. Results come in page order; pages in `options.known` are taken as read.
 */
export async function readImages(
	pages: readonly number[],
	imageOf: (page: number) => Promise<OcrImage | undefined>,
	pool: OcrPool,
	options: OcrPagesOptions = {}
): Promise<Map<number, OcrPage | undefined>> {
	const { signal, known } = options;
	const results = new Map<number, OcrPage | undefined>();
	let reported = 0;
	for (const n of pages) {
		const page = known?.get(n);
		if (!page) continue;
		results.set(n, page);
		reported++;
		await options.onPage?.(n, page, reported, pages.length);
	}
	const unread = pages.filter((n) => !results.has(n));
	const reads: Promise<OcrPage | undefined>[] = [];
	let next = 0;
	const report = async (keep: number) => {
		while (reads.length - next > keep) {
			const result = await reads[next]!;
			const page = unread[next]!;
			results.set(page, result);
			next++;
			reported++;
			await options.onPage?.(page, result, reported, pages.length);
		}
	};
	for (const n of unread) {
		if (signal?.aborted) throw new CancelledError('Reading the scan');
		const image = await imageOf(n);
		if (!image) reads.push(Promise.resolve(undefined));
		else {
			const read = pool.read(image, signal);
			read.catch(() => undefined);
			reads.push(read);
		}
		// Keep at most one drawn page waiting per engine: bounded memory, engines never idle.
		await report(pool.size);
	}
	await report(0);
	return results;
}
