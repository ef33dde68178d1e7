import type { ChunkOptions, PageChunk } from './chunker.ts';
import type { ExtractedPage } from './types.ts';

type ChunkPages = (pages: readonly ExtractedPage[], options?: ChunkOptions) => PageChunk[];

/**
 * Chunks a page laid out as header block and paragraphs (`email/layout.ts`): the header block is a passage
 * of its own, located `headers`, and each paragraph is one (or, when long, several), located by its
 * number. Offsets stay the page's.
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
	// One paragraph, one passage (a long one is cut as a page is): a citation names the paragraph exactly.
	for (const [i, from] of starts.entries()) {
		const to = i + 1 < starts.length ? starts[i + 1]! : source.text.length;
		push(from, source.text.slice(from, to), () => ({ paragraph: i + 1 }));
	}
	return out;
}
