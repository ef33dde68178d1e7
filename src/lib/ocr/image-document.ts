/**
 * A PNG, JPEG or TIFF file as a document: every page is an image, so every page goes to OCR, and the
 * result ends like a scanned PDF's (indexed with OCR text, or without text when nothing legible is on it).
 */
import { CancelledError, ImageDecodeError } from '../errors.ts';
import { readerPages } from '../ingest/reader-text.ts';
import type {
	DamagedExtraction,
	ExtractedPage,
	ExtractionOptions,
	IndexedExtraction,
	NoTextExtraction
} from '../ingest/types.ts';
import { applyOcr } from './apply.ts';
import { imagePages, type ImagePages } from './image.ts';
import type { ImageFormat } from './image-format.ts';
import { readImages } from './read-pages.ts';

const FORMAT_NAMES: Record<ImageFormat, string> = { png: 'PNG image', jpeg: 'JPEG image', tiff: 'TIFF image' };

export async function extractImage(
	bytes: Uint8Array,
	format: ImageFormat,
	options: ExtractionOptions = {}
): Promise<IndexedExtraction | NoTextExtraction | DamagedExtraction> {
	const { signal, onProgress } = options;
	let source: ImagePages;
	try {
		source = imagePages(bytes, format);
	} catch (error) {
		return damaged(format, error);
	}
	const pageCount = source.count;
	const numbers = Array.from({ length: pageCount }, (_, i) => i + 1);
	const pages: ExtractedPage[] = numbers.map((page) => ({ page, text: '' }));
	const pagesWithoutText = [...numbers];
	onProgress?.({ pagesDone: 0, pageCount });
	const base = { kind: 'image' as const, pageCount, pagesWithErrors: [] };
	if (!options.ocr)
		return {
			status: 'no-text',
			...base,
			pages,
			pagesWithoutText,
			error: `This is a ${FORMAT_NAMES[format]}: Docket reads images by OCR, which was off for it.`
		};
	const { pool, known, onRead, decode } = options.ocr;
	onProgress?.({ pagesDone: 0, pageCount, ocr: { done: 0, total: pageCount } });
	// PNG and JPEG are drawn as they display (a phone's EXIF turn applied) and read as grey PGM.
	const imageOf = (n: number) => (format === 'tiff' ? source.page(n) : decode(bytes));
	let read;
	try {
		read = await readImages(numbers, imageOf, pool, {
			...(signal ? { signal } : {}),
			...(known ? { known } : {}),
			onPage: async (page, result, done, total) => {
				if (result && onRead && !known?.has(page)) await onRead(page, result);
				onProgress?.({ pagesDone: done, pageCount, ocr: { done, total } });
			}
		});
	} catch (error) {
		if (error instanceof CancelledError || signal?.aborted) throw new CancelledError('Reading the scan');
		// A page that does not decode is the file's fault; an engine that does not start is not.
		if (error instanceof ImageDecodeError) return damaged(format, error);
		throw error;
	}
	const ocr = applyOcr(pages, pagesWithoutText, read, 1);
	const finished = { ...base, pages: readerPages(pages, null), pagesWithoutText, ...(ocr ? { ocr } : {}) };
	if (!ocr)
		return {
			status: 'no-text',
			...finished,
			error:
				pageCount === 1
					? 'OCR found no text in this image; it may be blank or a photograph.'
					: 'OCR found no text on any page of this image; they may be blank or photographs.'
		};
	return { status: 'indexed', ...finished };
}

function damaged(format: ImageFormat, error: unknown): DamagedExtraction {
	const detail = error instanceof Error ? error.message : String(error);
	return {
		status: 'damaged',
		kind: 'image',
		error: `Docket could not decode this ${FORMAT_NAMES[format]}. ${detail} Open it in an image viewer to check it, or scan it again.`,
		detail
	};
}
