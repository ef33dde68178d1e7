/**
 * One tesseract.js worker as an OcrEngine, for both platforms: they differ only in where the engine's
 * files come from (the options) and in what image type `recognize` takes.
 */
import { createWorker, OEM, PSM, type ImageLike, type WorkerOptions } from 'tesseract.js';
import { OcrUnavailableError } from '../errors.ts';
import { straightenedBack, type OcrEngine, type OcrImage } from './engine.ts';
import { estimateSkew, MIN_SKEW } from './skew.ts';
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
				// Upright, a page scanned askew is read straightened (2–3° split words apart, 5° lost the page:
				// tesseract straightens only what its layout finds lines in), and its boxes put back on the scan.
				const skew = options.upsideDown ? undefined : estimateSkew(image);
				// Turned against the skew, which straightens the lines.
				const turn = skew !== undefined && Math.abs(skew) >= MIN_SKEW ? -skew : 0;
				const { data } = await worker.recognize(
					imageOf(image),
					options.upsideDown ? { rotateRadians: Math.PI } : turn !== 0 ? { rotateRadians: turn } : {},
					{ blocks: true, text: false }
				);
				const blocks: RecognizedBlock[] = data.blocks ?? [];
				return straightenedBack(blocks, turn, image.width, image.height);
			},
			async terminate() {
				await worker.terminate();
			}
		};
	} finally {
		clearTimeout(timer);
	}
}
