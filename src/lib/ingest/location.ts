/**
 * Where a passage sits in a document without pages (email, Word, HTML): the header block of a message,
 * or its paragraphs. Chunks carry it beside `page` (always 1 there), and citations and the viewer name it.
 */
export interface PassageLocation {
	/** `headers`: the message's header block (From, To, Date, Subject). */
	block?: 'headers';
	/** 1-based paragraph the passage starts in, and (when it runs on) the one it ends in. */
	paragraph?: number;
	paragraphEnd?: number;
}

/** The location fields of a chunk-like object, for copying onto another (a row, a result). */
export function locationFields(from: PassageLocation): PassageLocation {
	return {
		...(from.block === undefined ? {} : { block: from.block }),
		...(from.paragraph === undefined ? {} : { paragraph: from.paragraph }),
		...(from.paragraphEnd === undefined ? {} : { paragraphEnd: from.paragraphEnd })
	};
}

/** Whether a passage is located by paragraph or header block rather than by page. */
export function hasLocation(from: PassageLocation): boolean {
	return from.block !== undefined || from.paragraph !== undefined;
}

/** "¶ 2", "¶¶ 2–3", "headers". */
export function formatLocation(from: PassageLocation): string {
	if (from.block === 'headers') return 'headers';
	if (from.paragraph === undefined) return '';
	if (from.paragraphEnd !== undefined && from.paragraphEnd !== from.paragraph)
		return `¶¶ ${from.paragraph}–${from.paragraphEnd}`;
	return `¶ ${from.paragraph}`;
}

/** The paragraph (1-based) holding character `offset`, given where each paragraph starts. */
export function paragraphAt(starts: readonly number[], offset: number): number {
	let lo = 0;
	let hi = starts.length - 1;
	let found = 0;
	while (lo <= hi) {
		const mid = (lo + hi) >> 1;
		if (starts[mid]! <= offset) {
			found = mid;
			lo = mid + 1;
		} else hi = mid - 1;
	}
	return found + 1;
}
