import type { OcrPool } from '../ocr/engine.ts';
import type { OcrPage, OcrWord } from '../ocr/layout.ts';
import type { ImageDecoder, PageRenderer } from '../ocr/read-pages.ts';
import type { FamilyKind } from './email/extract-family.ts';
import type { ChildFile, MessageMeta } from './email/types.ts';

/**
 * What extraction yields for one file. The same types serve the browser worker, the CLI and the tests,
 * so a document's state means the same thing everywhere.
 */

/** What the bytes turned out to be (sniffed, not taken from the name alone). */
export type SourceKind = 'pdf' | 'text' | 'markdown' | 'image' | FamilyKind;

/** One page's text, in the order pdf.js reads the content (which is reading order for ordinary files). */
export interface ExtractedPage {
	/** 1-based. */
	page: number;
	/** The text as pdf.js gives it: what the viewer's text layer shows and every stored range refers to. */
	text: string;
	/**
	 * The text as a reader sees it (`reader-text.ts`): furniture blanked, line-end hyphens joined, the same
	 * length as `text`. Absent when equal to `text`.
	 */
	clean?: string;
	/** Where `clean` and `text` differ: `[from, to, delta]` triples (see `reader-text.ts`). */
	shifts?: number[];
	/** The tail, from the next page, of a word hyphenated across this page's end. */
	continuation?: string;
	/** Ranges of running headers, footers and Bates stamps: start, end, start, end, … */
	furniture?: number[];
	/** The printed page label ("2", "xii"), when known. */
	label?: string;
	/** The Bates stamp, when the page has one. */
	bates?: string;
	/**
	 * Set when the text was read from the page's image by OCR: the words' boxes and their confidence.
	 * `from`: where the OCR text starts, on a page whose text layer comes first and only its images were read.
	 */
	ocr?: { confidence: number; words: OcrWord[]; from?: number };
	/** Documents without pages (email, Word, HTML): the end of the header block (see `email/layout.ts`). */
	headerEnd?: number;
	/** Documents without pages: where each paragraph starts; chunks are located by paragraph. */
	paragraphs?: number[];
}

/** What a message or mailbox carries besides its text (`email/types.ts`). */
export interface FamilyExtraction {
	/** A message's metadata. */
	message?: MessageMeta;
	/** Files inside (a message's attachments, a mailbox's messages), to become child documents. */
	children?: ChildFile[];
	/** A mailbox's message count. */
	messages?: number;
}

/** Pages read by OCR in a document, and how sure the reader was. */
export interface OcrSummary {
	pages: number[];
	/** The lowest page's mean word confidence, 0..100. */
	lowestConfidence: number;
	/** Pages under `OCR_CONFIDENCE_FLOOR`: a person should check them against the scan. */
	checkPages: number[];
	/** Of `pages`, those with a text layer whose images alone were read (absent: none). */
	regionPages?: number[];
}

/** Images of text pages left unread because OCR failed, and why, so the document can say so. */
export interface OcrSkipped {
	pages: number[];
	reason: string;
}

/** Images on a page with a text layer that may hold text of their own (`ocr/image-regions.ts`). */
export interface ImageRegions {
	page: number;
	/** Page fractions, origin top left: left, top, right, bottom. */
	boxes: [number, number, number, number][];
}

/** The end states of extraction; the names are DESIGN.md's document statuses. */
export type ExtractionStatus = 'indexed' | 'needs-password' | 'no-text' | 'damaged' | 'unsupported';

interface WithPages {
	kind: SourceKind;
	/** Every page, 1..pageCount, including those without text (their `text` is ''). */
	pages: ExtractedPage[];
	/** pdf.js's `numPages` for PDFs; the number of form-feed-separated parts for text. */
	pageCount: number;
	/** 1-based pages that yielded no text (blank, scanned, or unreadable). */
	pagesWithoutText: number[];
	/** 1-based pages pdf.js could not read at all (also listed in pagesWithoutText). */
	pagesWithErrors: number[];
	/** Present when OCR read at least one page. */
	ocr?: OcrSummary;
	/** PDFs: text pages whose images may hold text (found when `findImageText` or OCR was asked for). */
	imageRegions?: ImageRegions[];
	/** Text pages whose images OCR was to read but could not (the engine failed): their text layer stands. */
	ocrSkipped?: OcrSkipped;
	/** Present for messages and mailboxes. */
	family?: FamilyExtraction;
}

export interface IndexedExtraction extends WithPages {
	status: 'indexed';
}

/** A file that was read but has no text layer on any page (a scan, or blank pages). */
export interface NoTextExtraction extends WithPages {
	status: 'no-text';
	/** Plain words, e.g. "No page has a text layer (pages 1–3); it may be a scan." */
	error: string;
}

export interface NeedsPasswordExtraction {
	status: 'needs-password';
	kind: 'pdf';
	/** `required`: no password was given; `incorrect`: the one given did not open it. */
	reason: 'required' | 'incorrect';
	error: string;
}

export interface DamagedExtraction {
	status: 'damaged';
	kind: SourceKind;
	/** pdf.js's reason in plain words, with what to do next. */
	error: string;
	/** pdf.js's own message, for a bug report. */
	detail?: string;
}

export interface UnsupportedExtraction {
	status: 'unsupported';
	/** `empty`: zero bytes; `format`: bytes of a kind Docket does not read. */
	reason: 'empty' | 'format';
	/** What the bytes look like, when recognised ("PNG image"). */
	detected?: string;
	error: string;
}

export type Extraction =
	IndexedExtraction | NoTextExtraction | NeedsPasswordExtraction | DamagedExtraction | UnsupportedExtraction;

export interface ExtractionInput {
	/** The file's name as given; used only as a hint for the kind (and never as a path). */
	name: string;
	bytes: Uint8Array;
	/** The MIME type the browser or caller reported, if any; a hint like the name. */
	mimeType?: string;
}

export interface ExtractionProgress {
	/** Pages finished so far. */
	pagesDone: number;
	/** Pages in the document, once known. */
	pageCount: number;
	/** While pages without text are read by OCR: "OCR page `done` of `total`". */
	ocr?: { done: number; total: number };
}

export interface ExtractionOptions {
	/** Password for an encrypted PDF. Unicode is fine. */
	password?: string;
	signal?: AbortSignal;
	onProgress?: (progress: ExtractionProgress) => void;
	/**
	 * Looks for images on text pages that may hold text of their own (`imageRegions`), so OCR can read
	 * them later; always on when `ocr` is given.
	 */
	findImageText?: boolean;
	/** Reads pages without a text layer, and the images of `imageRegions`, by OCR (absent: neither). */
	ocr?: {
		pool: OcrPool;
		render: PageRenderer;
		decode: ImageDecoder;
		dpi?: number;
		/** Pages an earlier run of the same job read (resuming it): not read again. */
		known?: ReadonlyMap<number, OcrPage>;
		/** Each page as it is read, so a job cut short resumes after it (`known`). */
		onRead?: (page: number, result: OcrPage) => void | Promise<void>;
	};
}

/** The one extraction contract: the browser worker, the CLI and tests each get one built on their platform. */
export interface Extractor {
	/**
	 * Never throws for a bad file: every file ends in one of the statuses. Throws only `CancelledError`
	 * when `signal` aborts.
	 */
	extract(input: ExtractionInput, options?: ExtractionOptions): Promise<Extraction>;
}

/** Extractions that carry pages (indexed or no-text). */
export function hasPages(extraction: Extraction): extraction is IndexedExtraction | NoTextExtraction {
	return extraction.status === 'indexed' || extraction.status === 'no-text';
}
