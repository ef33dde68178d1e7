import { chunkBlocks } from './chunk-blocks.ts';
import type { PassageLocation } from './location.ts';
import { pageNameFields } from './page-label.ts';
import { originalOffset, shiftsWithin } from './reader-text.ts';
import type { ExtractedPage } from './types.ts';

/**
 * A passage of one page, in the reader's text (`reader-text.ts`): `start`/`end` are its range in the page
 * text, so citations highlight it exactly; `text` is the same range of the page's clean text (headers
 * blanked, hyphenated words joined), plus the next page's tail of a word hyphenated at the page end.
 * Without joins or furniture, `text === pageText.slice(start, end)`.
 */
export interface PageChunk extends PassageLocation {
	/** Position within the document, from 0. */
	ordinal: number;
	/** 1-based page; a chunk never crosses pages (or documents: the chunker sees one document at a time). */
	page: number;
	/** Character range within the page text (start inclusive, end exclusive). */
	start: number;
	end: number;
	text: string;
	/** Where `text` and the page text differ, relative to the passage (see `pageRange` in `reader-text.ts`). */
	shifts?: number[];
	/** The page's printed label and Bates stamp, so results and citations name the page as printed. */
	label?: string;
	bates?: string;
}

export interface ChunkOptions {
	/** Longest chunk, in characters. */
	size?: number;
	/** Characters a chunk shares with the one before it on the same page (about 15% of `size`). */
	overlap?: number;
}

export const DEFAULT_CHUNK_SIZE = 1000;
export const DEFAULT_CHUNK_OVERLAP = 150;

/**
 * Where to end a chunk: the last paragraph break, else sentence end, else line break, else space in the
 * chunk's final fifth, so passages read as whole sentences; a hard cut only when there is none.
 */
function breakBefore(text: string, start: number, limit: number, size: number): number {
	const floor = start + Math.floor(size * 0.8);
	for (const pattern of [/\n\s*\n/g, /[.!?;:]["'”’)\]]?\s/g, /\n/g, /\s/g]) {
		let best = -1;
		pattern.lastIndex = floor;
		for (let m = pattern.exec(text); m && m.index < limit; m = pattern.exec(text)) {
			// End after the punctuation (and closing quote), before the whitespace.
			const end = m.index + m[0].trimEnd().length;
			if (end > floor && end <= limit) best = end;
			if (m[0].length === 0) pattern.lastIndex++;
		}
		if (best > start) return best;
	}
	return limit;
}

/** Moves a chunk start forward to the start of a word, so an overlap does not begin mid-word. */
function wordStart(text: string, at: number, limit: number): number {
	if (at === 0 || /\s/.test(text[at - 1] ?? ' ')) return at;
	const space = text.slice(at, limit).search(/\s/);
	return space < 0 ? at : at + space + 1;
}

function skipSpace(text: string, at: number): number {
	while (at < text.length && /\s/.test(text[at]!)) at++;
	return at;
}

function trimEndIndex(text: string, start: number, end: number): number {
	while (end > start && /\s/.test(text[end - 1]!)) end--;
	return end;
}

/** Cuts one document's pages into overlapping passages of about `size` characters. */
export function chunkPages(pages: readonly ExtractedPage[], options: ChunkOptions = {}): PageChunk[] {
	const size = options.size ?? DEFAULT_CHUNK_SIZE;
	const overlap = options.overlap ?? DEFAULT_CHUNK_OVERLAP;
	if (!(size > 0) || overlap < 0 || overlap >= size)
		throw new RangeError(`Chunk size ${size} and overlap ${overlap} do not fit.`);
	const chunks: PageChunk[] = [];
	for (const source of pages) {
		if (source.paragraphs) {
			chunks.push(...chunkBlocks(source, { size, overlap }, chunks.length, chunkPages));
			continue;
		}
		const { page } = source;
		const text = source.clean ?? source.text;
		const lastEnd = trimEndIndex(text, 0, text.length);
		const named = pageNameFields(source);
		let start = skipSpace(text, 0);
		while (start < text.length) {
			const limit = Math.min(text.length, start + size);
			const end = trimEndIndex(text, start, limit === text.length ? limit : breakBefore(text, start, limit, size));
			if (end > start) {
				const shifts = shiftsWithin(source.shifts, start, end);
				const continued = end === lastEnd && source.continuation !== undefined ? source.continuation : '';
				chunks.push({
					ordinal: chunks.length,
					page,
					start: originalOffset(source.shifts, start),
					end: originalOffset(source.shifts, end - 1) + 1,
					text: text.slice(start, end) + continued,
					...(shifts.length > 0 ? { shifts } : {}),
					...named
				});
			}
			if (limit === text.length) break;
			// Overlap with the end of this chunk, but always move forward.
			const next = skipSpace(text, wordStart(text, Math.max(end - overlap, start + 1), end));
			start = next > start ? next : end;
		}
	}
	return chunks;
}
