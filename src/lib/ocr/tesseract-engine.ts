/**
 * One tesseract.js worker as an OcrEngine, for both platforms: they differ only in where the engine's
 * files come from (the options) and in what image type `recognize` takes.
 */
import { createWorker, OEM, PSM, type ImageLike, type WorkerOptions } from 'tesseract.js';
import { OcrUnavailableError } from '../errors.ts';
import type { OcrEngine, OcrImage } from './engine.ts';
import type { RecognizedBlock } from './layout.ts';

/** A missing or broken language file makes createWorker wait forever (ENVIRONMENT.md): give up after this. */
const START_TIMEOUT_MS = 60_000;

export async function startTesseractEngine(
	languages: string,
	options: Partial<WorkerOptions>,
	imageOf: (image: OcrImage) => ImageLike
): Promise<OcrEngine> {
	let failure: unknown;
	const starting = createWorker(languages, OEM.LSTM_ONLY, {
		...options,
		gzip: true,
		// The files come with the app (or the package); tesseract's own cache would only copy them.
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
			async recognize(image, options = {}) {
				const { data } = await worker.recognize(imageOf(image), options.upsideDown ? { rotateRadians: Math.PI } : {}, {
					blocks: true,
					text: false
				});
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
