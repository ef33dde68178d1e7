/**
 * tesseract.js in Node, fully offline: the LSTM-only engine with the `best_int` English data shipped in
 * `@tesseract.js-data/eng`, read from the package and never cached to the working directory.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { OcrPool, type OcrEngine } from './engine.ts';
import { startTesseractEngine } from './tesseract-engine.ts';

function langPath(): string {
	const pkg = createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json');
	return join(dirname(pkg), '4.0.0_best_int');
}

export function startNodeOcrEngine(): Promise<OcrEngine> {
	return startTesseractEngine('eng', { langPath: langPath() }, (image) => Buffer.from(image.bytes));
}

/** One engine per core, at least two (each runs in its own worker thread). */
export function nodeOcrPool(size = Math.max(2, availableParallelism())): OcrPool {
	return new OcrPool(startNodeOcrEngine, size);
}
