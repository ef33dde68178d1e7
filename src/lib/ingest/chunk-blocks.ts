import type { ChunkOptions, PageChunk } from './chunker.ts';
import { paragraphAt } from './location.ts';
import type { ExtractedPage } from './types.ts';

type ChunkPages = (pages: readonly ExtractedPage[], options?: ChunkOptions) => PageChunk[];

/**
 * Chunks a page laid out as header block and paragraphs (`email/layout.ts`): the header block is a passage
 * of its own, located `headers`; the body is cut as any page is (paragraph breaks preferred), and each
 * passage is located by the paragraphs it starts and ends in. Offsets stay the page's.
 */
export function chunkBlocks(
	source: ExtractedPage,
	options: ChunkOptions,
	firstOrdinal: number,
	chunkPages: ChunkPages
): PageChunk[] {
	const starts = source.paragraphs ?? [];
	const headerEnd = source.headerEnd ?? 0;
	const out: PageChunk[] = [];
	const push = (from: number, text: string, located: (c: PageChunk) => Partial<PageChunk>) => {
		for (const c of chunkPages([{ page: source.page, text }], options))
			out.push({
				...c,
				ordinal: firstOrdinal + out.length,
				start: c.start + from,
				end: c.end + from,
				...located({ ...c, start: c.start + from, end: c.end + from })
			});
	};
	if (headerEnd > 0) push(0, source.text.slice(0, headerEnd), () => ({ block: 'headers' }));
	const bodyStart = starts[0] ?? source.text.length;
	push(bodyStart, source.text.slice(bodyStart), (c) => {
		const paragraph = paragraphAt(starts, c.start);
		const paragraphEnd = paragraphAt(starts, c.end - 1);
		return paragraphEnd === paragraph ? { paragraph } : { paragraph, paragraphEnd };
	});
	return out;
}
