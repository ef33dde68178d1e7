import type { TextContent } from 'pdfjs-dist/types/src/display/api.js';

/**
 * Builds a page's text from pdf.js text items: each item's string in content order, a newline where pdf.js
 * marks the end of a line. Control characters (which broken font encodings produce) become spaces one for
 * one, so the text length — and every character range a citation keeps — still lines up with the items.
 *
 * The viewer rebuilds the same string from the same items to map a highlight's range onto the text layer,
 * so this is the one definition of "page text".
 */
export function pageTextFromItems(items: TextContent['items']): { text: string; itemStarts: number[] } {
	let text = '';
	const itemStarts: number[] = [];
	for (const item of items) {
		if (!('str' in item)) {
			itemStarts.push(text.length);
			continue;
		}
		itemStarts.push(text.length);
		text += item.str;
		if (item.hasEOL) text += '\n';
	}
	return { text: cleanControlCharacters(text), itemStarts };
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function cleanControlCharacters(text: string): string {
	return text.replace(CONTROL, ' ');
}

/** True when a page's text has something a person could search for. */
export function hasText(text: string): boolean {
	return text.trim().length > 0;
}
