import { CancelledError, toDocketError } from '../errors.ts';
import { hasText, pageTextFromItems } from './page-text.ts';
import { readerPages } from './reader-text.ts';
import { saslprep } from './saslprep.ts';
import { binaryDataFactory, type PdfPlatform } from './pdf-platform.ts';
import { MAX_IMAGE_PIXELS } from '../ocr/image-format.ts';
import { applyOcr, joinOcrSummaries } from '../ocr/apply.ts';
import { imageTextRegions, type Box } from '../ocr/image-regions.ts';
import type { OcrPage } from '../ocr/layout.ts';
import { ocrPages } from '../ocr/read-pages.ts';
import type {
	DamagedExtraction,
	ExtractedPage,
	Extraction,
	ExtractionOptions,
	ImageRegions,
	NeedsPasswordExtraction,
	OcrSkipped,
	OcrSummary
} from './types.ts';

/** pdf.js's `PasswordResponses`: the codes its `onPassword` callback and `PasswordException` carry. */
const NEED_PASSWORD = 1;
const INCORRECT_PASSWORD = 2;
/** How long extraction may run before letting the thread's other messages (e.g. cancel) through. */
const YIELD_EVERY_MS = 50;

/**
 * The spellings of one typed password worth trying. pdf.js encodes the password for the file's security
 * revision (UTF-8 for AES-256, bytes for older ones), but people type the same letters in different
 * Unicode forms (é as one code point or e + accent), and some tools wrote UTF-8 bytes into old-style
 * files. AES-256 (revision 6) files want the password through SASLprep (PDF 2.0), which drops soft
 * hyphens and maps compatibility forms and non-ASCII spaces. Trying these few forms inside one loading
 * task costs nothing when the first one works.
 */
export function passwordCandidates(password: string): string[] {
	// No revision reads past 127 bytes of a password (R6 cuts its UTF-8 there, R2–R4 at 32).
	const utf8AsBytes = String.fromCharCode(...new TextEncoder().encode(password).subarray(0, 127));
	const prepared = saslprep(password);
	return [
		...new Set([
			password,
			password.normalize('NFC'),
			password.normalize('NFD'),
			password.normalize('NFKC'),
			...(prepared === undefined ? [] : [prepared]),
			utf8AsBytes
		])
	];
}

/** pdf.js's reasons, in words a person can act on. */
export function damagedReason(error: unknown): DamagedExtraction {
	const name = property(error, 'name') ?? '';
	const message = property(error, 'message') ?? String(error);
	let plain: string;
	if (/zero bytes|is empty/i.test(message)) plain = 'The file is empty (0 bytes).';
	else if (/Invalid PDF structure/i.test(message) || name === 'InvalidPDFException')
		plain =
			'The file is not a readable PDF: its structure is broken, often because it was cut short while copying or downloading.';
	else if (/xref|trailer|startxref/i.test(message))
		plain = 'The PDF’s table of contents (its cross-reference table) is broken.';
	else if (/stream|decode|filter|flate/i.test(message))
		plain = 'Part of the PDF’s compressed content cannot be decoded.';
	else if (/font/i.test(message)) plain = 'A font in the PDF is broken, so its text cannot be read.';
	else if (/encrypt|decrypt|cipher/i.test(message)) plain = 'The PDF’s encryption data is broken.';
	else plain = 'pdf.js could not read this PDF.';
	return {
		status: 'damaged',
		kind: 'pdf',
		error: `${plain} Open it in another PDF reader to check it, or get a fresh copy, then add it again.`,
		detail: message
	};
}

/** pdf.js's exceptions cross its message port as plain objects, so read them by field, not by class. */
function property(value: unknown, key: 'name' | 'message'): string | undefined {
	if (typeof value !== 'object' || value === null || !(key in value)) return undefined;
	const field: unknown = Reflect.get(value, key);
	return typeof field === 'string' ? field : undefined;
}

function pageList(pages: number[]): string {
	// "1–3, 7" reads better than a long list, and stays short for a 2,000-page scan.
	const ranges: string[] = [];
	for (let i = 0; i < pages.length;) {
		let j = i;
		while (j + 1 < pages.length && pages[j + 1] === pages[j]! + 1) j++;
		ranges.push(i === j ? `${pages[i]}` : `${pages[i]}–${pages[j]}`);
		i = j + 1;
	}
	return ranges.join(', ');
}

/** A scan OCR read and found nothing on: it says so (naming the pages), rather than asking for the OCR that just ran. */
function noTextAfterOcr(pagesWithoutText: number[], pageCount: number): string {
	const where = pageCount === 1 ? 'the page' : `pages ${pageList(pagesWithoutText)}`;
	return `OCR read ${where} and found no text; ${pageCount === 1 ? 'it' : 'they'} may be blank or a picture, or hold an image too large to read (over ${MAX_IMAGE_PIXELS / 1e6} million pixels).`;
}

export function noTextMessage(pagesWithoutText: number[], pageCount: number): string {
	return pageCount === 1
		? 'The page has no text layer; it may be a scan or an image. Run it through OCR to make it searchable.'
		: `No page has a text layer (pages ${pageList(pagesWithoutText)}); it may be a scan. Run it through OCR to make it searchable.`;
}

/**
 * One page range's text, before the document-level verdict: what a worker returns for its share of a big
 * file. `joinPdfPages` puts the ranges of one file back together and `finishPdf` decides its status, so a
 * file split across workers ends exactly as if one worker had read it.
 */
export interface PdfPages {
	status: 'pages';
	kind: 'pdf';
	/** Pages in the whole document (not only this range). */
	pageCount: number;
	/** The range read, 1-based and inclusive (clamped to the document). */
	first: number;
	last: number;
	pages: ExtractedPage[];
	pagesWithoutText: number[];
	pagesWithErrors: number[];
	/** pdf.js's message for the first page it could not read, kept for the damaged verdict. */
	firstPageError?: { name: string; message: string };
	/** The PDF's own page labels (the whole document's), the first choice for a page's printed name. */
	labels?: string[] | null;
	/** Pages of this range read by OCR. */
	ocr?: OcrSummary;
	/** Text pages of this range whose images may hold text. */
	imageRegions?: ImageRegions[];
	/** Image regions of this range that OCR failed to read. */
	ocrSkipped?: OcrSkipped;
	/** OCR read pages of this range (whether or not it found text on them). */
	ocrRead?: true;
}

/** Where a range comes from; `last` beyond the document is clamped. */
export interface PageRange {
	first: number;
	last: number;
}

/**
 * Extracts every page's text from a PDF with pdf.js. Bad files end in a status, never an exception;
 * only cancellation throws. `bytes` is not modified (pdf.js gets its own copy, which it may transfer).
 */
export async function extractPdf(
	platform: PdfPlatform,
	bytes: Uint8Array,
	options: ExtractionOptions = {}
): Promise<Extraction> {
	const result = await extractPdfPages(platform, bytes, options);
	return result.status === 'pages' ? finishPdf(result) : result;
}

/** Joins the ranges of one file (any order, no gaps, no overlaps) into the whole file's pages. */
export function joinPdfPages(parts: readonly PdfPages[]): PdfPages {
	const sorted = [...parts].sort((a, b) => a.first - b.first);
	const head = sorted[0];
	if (!head) throw new Error('joinPdfPages needs at least one range.');
	let next = head.first;
	for (const part of sorted) {
		if (part.first !== next || part.pageCount !== head.pageCount)
			throw new Error(`Page ranges do not join: expected page ${next}, got ${part.first}.`);
		next = part.last + 1;
	}
	const firstPageError = sorted.find((p) => p.firstPageError !== undefined)?.firstPageError;
	const labels = sorted.find((p) => p.labels)?.labels;
	const ocr = joinOcrSummaries(sorted.map((p) => p.ocr));
	const imageRegions = sorted.flatMap((p) => p.imageRegions ?? []);
	const skipped = sorted.flatMap((p) => (p.ocrSkipped ? [p.ocrSkipped] : []));
	return {
		status: 'pages',
		kind: 'pdf',
		pageCount: head.pageCount,
		first: head.first,
		last: sorted[sorted.length - 1]!.last,
		pages: sorted.flatMap((p) => p.pages),
		pagesWithoutText: sorted.flatMap((p) => p.pagesWithoutText),
		pagesWithErrors: sorted.flatMap((p) => p.pagesWithErrors),
		...(firstPageError === undefined ? {} : { firstPageError }),
		...(labels ? { labels } : {}),
		...(ocr ? { ocr } : {}),
		...(imageRegions.length > 0 ? { imageRegions } : {}),
		...(skipped.length > 0
			? { ocrSkipped: { pages: skipped.flatMap((s) => s.pages), reason: skipped[0]!.reason } }
			: {}),
		...(sorted.some((p) => p.ocrRead) ? { ocrRead: true as const } : {})
	};
}

/** The verdict on a whole file's pages: indexed, no-text, or damaged when no page could be read. */
export function finishPdf(result: PdfPages): Extraction {
	const { pageCount, pages, pagesWithoutText, pagesWithErrors } = result;
	if (result.first !== 1 || result.last !== pageCount || pages.length !== pageCount)
		throw new Error(`finishPdf needs every page of the file; it got ${result.first}–${result.last} of ${pageCount}.`);
	if (pageCount > 0 && pagesWithErrors.length === pageCount)
		return damagedReason(result.firstPageError ?? { name: 'Error', message: 'No page could be read.' });
	// Running heads, footers and printed labels are found across the whole file, so only once it is joined.
	const base = {
		kind: 'pdf' as const,
		pages: readerPages(pages, result.labels ?? null),
		pageCount,
		pagesWithoutText,
		pagesWithErrors,
		...(result.ocr ? { ocr: result.ocr } : {}),
		...(result.imageRegions ? { imageRegions: result.imageRegions } : {}),
		...(result.ocrSkipped ? { ocrSkipped: result.ocrSkipped } : {})
	};
	if (pagesWithoutText.length === pageCount)
		return {
			status: 'no-text',
			...base,
			error: result.ocrRead ? noTextAfterOcr(pagesWithoutText, pageCount) : noTextMessage(pagesWithoutText, pageCount)
		};
	return { status: 'indexed', ...base };
}

/**
 * Reads pages `range` (default: all) of a PDF. A file that does not open ends in its status (password,
 * damaged); one that opens yields its pages in `PdfPages`, for `finishPdf` or `joinPdfPages`.
 */
export async function extractPdfPages(
	platform: PdfPlatform,
	bytes: Uint8Array,
	options: ExtractionOptions & { range?: PageRange } = {}
): Promise<PdfPages | NeedsPasswordExtraction | DamagedExtraction> {
	const { signal, onProgress } = options;
	signal?.throwIfAborted();
	const pdfjs = await platform.loadPdfjs();
	const candidates = options.password === undefined ? [] : passwordCandidates(options.password);
	let passwordOutcome: typeof NEED_PASSWORD | typeof INCORRECT_PASSWORD | undefined;

	const task = pdfjs.getDocument({
		// A plain Uint8Array copy: pdf.js refuses Node Buffers and may transfer (detach) what it is given.
		data: new Uint8Array(bytes),
		verbosity: pdfjs.VerbosityLevel.ERRORS,
		// Nothing may be fetched: assets come from the platform, and no code is generated from PDF content.
		useWorkerFetch: false,
		BinaryDataFactory: binaryDataFactory(platform),
		...(platform.CanvasFactory ? { CanvasFactory: platform.CanvasFactory } : {}),
		isEvalSupported: false,
		disableFontFace: true,
		useSystemFonts: false,
		isOffscreenCanvasSupported: false,
		isImageDecoderSupported: false,
		// An image larger than this is left out of the page, not decoded: a 400 KB PDF can hold a 20000² image.
		maxImageSize: MAX_IMAGE_PIXELS,
		stopAtErrors: false,
		enableXfa: false
	});
	task.onPassword = (update: (password: string | Error) => void, reason: number) => {
		const next = candidates.shift();
		if (next !== undefined) {
			update(next);
			return;
		}
		passwordOutcome =
			reason === INCORRECT_PASSWORD || options.password !== undefined ? INCORRECT_PASSWORD : NEED_PASSWORD;
		update(new Error('password'));
	};
	const abort = () => void task.destroy();
	signal?.addEventListener('abort', abort, { once: true });

	try {
		let doc;
		try {
			doc = await task.promise;
		} catch (error) {
			if (signal?.aborted) throw new CancelledError('Extraction');
			if (passwordOutcome !== undefined || property(error, 'name') === 'PasswordException') {
				const incorrect = passwordOutcome === INCORRECT_PASSWORD;
				return {
					status: 'needs-password',
					kind: 'pdf',
					reason: incorrect ? 'incorrect' : 'required',
					error: incorrect
						? 'That password did not open the PDF. Check it (including capitals and accents) and try again.'
						: 'This PDF is protected by a password. Enter its password to index it.'
				};
			}
			return damagedReason(error);
		}

		const pageCount = doc.numPages;
		const first = Math.max(1, options.range?.first ?? 1);
		const last = Math.min(pageCount, options.range?.last ?? pageCount);
		const pages: ExtractedPage[] = [];
		const pagesWithoutText: number[] = [];
		const pagesWithErrors: number[] = [];
		const imageRegions: ImageRegions[] = [];
		const findImages = options.findImageText === true || options.ocr !== undefined;
		let firstPageError: unknown;
		let lastYield = Date.now();
		onProgress?.({ pagesDone: 0, pageCount });
		for (let n = first; n <= last; n++) {
			// pdf.js runs in this thread and awaits only promises, so without a macrotask now and then a
			// cancel message from the page would wait until the whole file is done.
			if (Date.now() - lastYield >= YIELD_EVERY_MS) {
				await new Promise((resolve) => setTimeout(resolve, 0));
				lastYield = Date.now();
			}
			if (signal?.aborted) throw new CancelledError('Extraction');
			let text = '';
			try {
				const page = await doc.getPage(n);
				const content = await page.getTextContent();
				text = pageTextFromItems(content.items).text;
				if (findImages && hasText(text)) {
					const boxes = await imageTextRegions(page, content.items, pdfjs.OPS);
					if (boxes.length > 0) imageRegions.push({ page: n, boxes });
				}
				// Fonts and operator lists of finished pages are not needed again; freeing them keeps a
				// 2,000-page file within memory.
				page.cleanup();
			} catch (error) {
				if (signal?.aborted) throw new CancelledError('Extraction');
				firstPageError ??= error;
				pagesWithErrors.push(n);
			}
			pages.push({ page: n, text });
			if (!hasText(text)) pagesWithoutText.push(n);
			// Progress counts pages of this range: a split file's parts add up to the whole.
			onProgress?.({ pagesDone: n - first + 1, pageCount });
		}

		const pageError =
			firstPageError === undefined
				? undefined
				: {
						name: property(firstPageError, 'name') ?? 'Error',
						message: property(firstPageError, 'message') ?? String(firstPageError)
					};
		let ocr: OcrSummary | undefined;
		let ocrSkipped: OcrSkipped | undefined;
		let ocrRead = false;
		const regions = new Map<number, readonly Box[]>(imageRegions.map((r) => [r.page, r.boxes]));
		if (options.ocr && (pagesWithoutText.length > pagesWithErrors.length || regions.size > 0)) {
			const { pool, render, dpi, known, onRead } = options.ocr;
			const unread = [...pagesWithoutText.filter((n) => !pagesWithErrors.includes(n)), ...regions.keys()].sort(
				(a, b) => a - b
			);
			onProgress?.({ pagesDone: last - first + 1, pageCount, ocr: { done: 0, total: unread.length } });
			const reading = ocrPages(
				unread,
				{ getPage: (n) => doc.getPage(n), ops: pdfjs.OPS, pool, render },
				{
					...(signal ? { signal } : {}),
					...(dpi ? { dpi } : {}),
					...(known ? { known } : {}),
					regions,
					onPage: async (page, result, done, total) => {
						if (result && onRead && !known?.has(page)) await onRead(page, result);
						onProgress?.({ pagesDone: last - first + 1, pageCount, ocr: { done, total } });
					}
				}
			);
			let read: Map<number, OcrPage | undefined>;
			try {
				read = await reading;
			} catch (error) {
				// A scan has nothing to index without OCR, so its job fails (and can be retried). A PDF with a
				// text layer never fails for its pictures: its text stands, with the pages read before the
				// failure, and it says which pages went unread.
				if (signal?.aborted || error instanceof CancelledError || !pages.some((p) => hasText(p.text))) throw error;
				read = new Map(unread.flatMap((n) => (known?.has(n) ? [[n, known.get(n)] as const] : [])));
				ocrSkipped = {
					pages: unread.filter((n) => !read.has(n)),
					reason: toDocketError(error).userMessage
				};
			}
			ocr = applyOcr(pages, pagesWithoutText, read, first, regions);
			ocrRead = read.size > 0;
		}
		// A broken label tree is no label.
		const labels = await doc.getPageLabels().catch(() => null);
		return {
			status: 'pages',
			kind: 'pdf',
			pageCount,
			first: Math.min(first, last + 1),
			last,
			pages,
			pagesWithoutText,
			pagesWithErrors,
			...(pageError === undefined ? {} : { firstPageError: pageError }),
			...(ocr ? { ocr } : {}),
			...(imageRegions.length > 0 ? { imageRegions } : {}),
			...(ocrSkipped ? { ocrSkipped } : {}),
			...(ocrRead ? { ocrRead: true as const } : {}),
			labels
		};
	} finally {
		signal?.removeEventListener('abort', abort);
		await task.destroy().catch(() => undefined);
	}
}
