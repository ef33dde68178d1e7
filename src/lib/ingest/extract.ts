import { CancelledError, OcrUnavailableError } from '../errors.ts';
import { imageFormat } from '../ocr/image-format.ts';
import { extractPdfPages, finishPdf, type PageRange, type PdfPages } from './pdf.ts';
import type { PdfPlatform } from './pdf-platform.ts';
import { sniff } from './sniff.ts';
import { extractText } from './text.ts';
import type { Extraction, ExtractionInput, ExtractionOptions, Extractor } from './types.ts';

/** A file's outcome, or (a PDF that opened) the pages of the range asked for, still to be joined. */
export type PagesResult = Extraction | PdfPages;

/** The core a worker of the ingestion pool runs: `extract` for a whole file, `extractPages` for a range. */
export interface RangeExtractor extends Extractor {
	/** As `extract`, but a PDF that opens yields only the pages of `range` (default: all), unjudged. */
	extractPages(input: ExtractionInput, options?: ExtractionOptions & { range?: PageRange }): Promise<PagesResult>;
}

/**
 * The extractor every platform shares: sniff the bytes, then read them as PDF or text. Whatever the file,
 * the result is a status; one bad file never stops the next.
 */
export function createExtractor(platform: PdfPlatform): RangeExtractor {
	const extractPages = async (
		input: ExtractionInput,
		options: ExtractionOptions & { range?: PageRange } = {}
	): Promise<PagesResult> => {
		options.signal?.throwIfAborted();
		const sniffed = sniff(input.bytes, input.name, input.mimeType);
		try {
			switch (sniffed.kind) {
				case 'empty':
					return {
						status: 'unsupported',
						reason: 'empty',
						error:
							'This file is empty (0 bytes), so there is nothing to index. Check that it was saved or copied completely.'
					};
				case 'other':
					return {
						status: 'unsupported',
						reason: 'format',
						...(sniffed.detected === undefined ? {} : { detected: sniffed.detected }),
						error: `${sniffed.detected ? `This is a ${sniffed.detected}, not a PDF or text file.` : 'This file is neither a PDF nor text.'} Docket reads PDF, text, Markdown, email (.eml, .msg, .mbox), Word (.docx) and HTML files, and PNG, JPEG and TIFF images; save it as one of these first (a picture as PNG, anything that prints as PDF).`
					};
				case 'text':
				case 'markdown': {
					const result = extractText(input.bytes, sniffed.kind);
					options.onProgress?.({ pagesDone: result.pageCount, pageCount: result.pageCount });
					return result;
				}
				case 'email':
				case 'mbox':
				case 'docx':
				case 'html': {
					// Mail, Word and image readers load on first use: most workers read only PDFs, and loading
					// them all cost each new worker about 0.2 s before its first page (measured).
					const { extractFamily } = await import('./email/extract-family.ts');
					const result = await extractFamily(sniffed.kind, input);
					options.onProgress?.({ pagesDone: 1, pageCount: 1 });
					return result;
				}
				case 'image': {
					const { extractImage } = await import('../ocr/image-document.ts');
					return await extractImage(input.bytes, imageFormat(input.bytes) ?? 'png', options);
				}
				case 'pdf':
				case 'pdf-suspect':
					return await extractPdfPages(platform, input.bytes, options);
			}
		} catch (error) {
			if (error instanceof CancelledError || options.signal?.aborted) throw new CancelledError('Extraction');
			// The OCR engine failing says nothing about the file: the job fails with that reason, to retry.
			if (error instanceof OcrUnavailableError) throw error;
			// Anything pdf.js throws that is not a known state still means this file cannot be read.
			return {
				status: 'damaged',
				kind: sniffed.kind === 'markdown' || sniffed.kind === 'text' ? sniffed.kind : 'pdf',
				error: 'Docket could not read this file. Open it in another reader to check it, or get a fresh copy.',
				detail: error instanceof Error ? error.message : String(error)
			};
		}
	};
	return {
		extractPages,
		async extract(input, options = {}) {
			const result = await extractPages(input, options);
			return result.status === 'pages' ? finishPdf(result) : result;
		}
	};
}
