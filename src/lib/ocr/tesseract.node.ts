/**
 * tesseract.js in Node, fully offline: the LSTM-only engine with the `best_int` English data shipped in
 * `@tesseract.js-data/eng`, read from the package and never cached to the working directory.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createWorker, OEM, PSM } from 'tesseract.js';
import { OcrUnavailableError } from '../errors.ts';
import { OcrPool, type OcrEngine } from './engine.ts';
import type { RecognizedBlock } from './layout.ts';

/** A missing or broken language file makes createWorker wait forever (ENVIRONMENT.md): give up after this. */
const START_TIMEOUT_MS = 60_000;

function langPath(): string {
	const pkg = createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json');
	return join(dirname(pkg), '4.0.0_best_int');
}

export async function startNodeOcrEngine(): Promise<OcrEngine> {
	let failure: unknown;
	const starting = createWorker('eng', OEM.LSTM_ONLY, {
		langPath: langPath(),
		gzip: true,
		cacheMethod: 'none',
		errorHandler: (error: unknown) => {
			failure = error;
		}
	});
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(
			() => reject(new OcrUnavailableError(String(failure ?? 'it did not start in time'))),
			START_TIMEOUT_MS
		);
	});
	try {
		const worker = await Promise.race([starting, timeout]);
		await worker.setParameters({ tessedit_pageseg_mode: PSM.AUTO });
		return {
			async recognize(image) {
				const { data } = await worker.recognize(Buffer.from(image.bytes), {}, { blocks: true, text: false });
				const blocks: RecognizedBlock[] = data.blocks ?? [];
				return blocks;
			},
			async terminate() {
				await worker.terminate();
			}
		};
	} finally {
		clearTimeout(timer);
	}
}

/** One engine per core, at least two (each runs in its own worker thread). */
export function nodeOcrPool(size = Math.max(2, availableParallelism())): OcrPool {
	return new OcrPool(startNodeOcrEngine, size);
}
