/**
 * An OCR result as Docket keeps it: the page's text as a reader would type it (lines in reading order,
 * paragraphs separated by a blank line), and each word with its box and confidence, so search can
 * highlight words where they sit on the scan. Boxes are fractions of the page (0..1, origin top left),
 * independent of the resolution the page was read at and of the zoom it is shown at.
 */

export interface OcrWord {
	text: string;
	/** 0..100, tesseract's confidence. */
	confidence: number;
	/** Left, top, right, bottom as fractions of the page's width and height. */
	box: [number, number, number, number];
	/** Where the word sits in `OcrPage.text`: [start, end). */
	start: number;
	end: number;
}

export interface OcrPage {
	text: string;
	words: OcrWord[];
	/** Mean word confidence, 0..100 (0 for a page with no words). */
	confidence: number;
}

/** The parts of tesseract.js's result this module reads (its `blocks` output). */
export interface RecognizedBlock {
	paragraphs: { lines: { words: { text: string; confidence: number; bbox: Box }[] }[] }[];
}
interface Box {
	x0: number;
	y0: number;
	x1: number;
	y1: number;
}

/** Words tesseract reads out of specks and lines on a blank scan: low confidence, no letters or digits. */
function isNoise(word: { text: string; confidence: number }): boolean {
	return !/[\p{L}\p{N}]/u.test(word.text) && word.confidence < 60;
}

/**
 * The page with only the words `keep` accepts: the text rebuilt from them, each gap as the original had
 * it (a paragraph break, a line break or a space), offsets and the mean confidence recomputed.
 */
export function keepWords(page: OcrPage, keep: (word: OcrWord) => boolean): OcrPage {
	let text = '';
	const words: OcrWord[] = [];
	let previous: OcrWord | undefined;
	for (const word of page.words) {
		if (!keep(word)) continue;
		if (previous) {
			const gap = page.text.slice(previous.end, word.start);
			text += gap.includes('\n\n') ? '\n\n' : gap.includes('\n') ? '\n' : ' ';
		}
		const start = text.length;
		text += word.text;
		words.push({ ...word, start, end: text.length });
		previous = word;
	}
	const confidence = words.length === 0 ? 0 : words.reduce((sum, w) => sum + w.confidence, 0) / words.length;
	return { text, words, confidence };
}

export function pageFromBlocks(blocks: readonly RecognizedBlock[], width: number, height: number): OcrPage {
	let text = '';
	const words: OcrWord[] = [];
	for (const block of blocks)
		for (const paragraph of block.paragraphs) {
			let wroteLine = false;
			for (const line of paragraph.lines) {
				const kept = line.words.filter((w) => w.text.trim() !== '' && !isNoise(w));
				if (kept.length === 0) continue;
				if (wroteLine) text += '\n';
				kept.forEach((word, i) => {
					if (i > 0) text += ' ';
					const start = text.length;
					text += word.text.trim();
					const { x0, y0, x1, y1 } = word.bbox;
					words.push({
						text: word.text.trim(),
						confidence: word.confidence,
						box: [x0 / width, y0 / height, x1 / width, y1 / height],
						start,
						end: text.length
					});
				});
				wroteLine = true;
			}
			if (wroteLine) text += '\n\n';
		}
	text = text.replace(/\n+$/, '');
	const confidence = words.length === 0 ? 0 : words.reduce((sum, w) => sum + w.confidence, 0) / words.length;
	return { text, words, confidence };
}
