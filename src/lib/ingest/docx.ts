import mammoth from 'mammoth';
import { FAMILY_LIMITS } from './email/types.ts';
import { checkZip, ZipRefusal } from './zip-guard.ts';

/** A ZIP holds a Word document when its parts include the main document part. */
export function isDocxEntries(names: readonly string[]): boolean {
	return names.includes('word/document.xml');
}

/**
 * A Word file's paragraphs, in order, by mammoth (headings, list items and table cells are paragraphs
 * of their own). The ZIP is measured first (`zip-guard.ts`); a bomb or a broken file throws `ZipRefusal`.
 */
export async function docxParagraphs(bytes: Uint8Array): Promise<string[]> {
	const entries = await checkZip(bytes, {
		maxEntries: 10_000,
		maxTotalBytes: FAMILY_LIMITS.maxDocxUncompressedBytes,
		maxRatio: FAMILY_LIMITS.maxDocxRatio
	});
	if (!isDocxEntries(entries.map((e) => e.name)))
		throw new ZipRefusal('damaged', 'This ZIP file has no Word document inside (no word/document.xml).');
	// mammoth's Node build reads `buffer`, its browser build `arrayBuffer`: both get the same bytes.
	const input = { buffer: bytes, arrayBuffer: bytes } as unknown as { arrayBuffer: ArrayBuffer };
	const result = await mammoth.extractRawText(input);
	const paragraphs: string[] = [];
	let total = 0;
	for (const part of result.value.split(/\n{2,}/)) {
		const paragraph = part.trim();
		if (paragraph === '') continue;
		if (total >= FAMILY_LIMITS.maxTextChars) break;
		paragraphs.push(paragraph);
		total += paragraph.length;
	}
	return paragraphs;
}
