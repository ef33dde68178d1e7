/**
 * How far a scanned page is turned from level, by the projection profile: text lines are dark rows, so
 * the angle at which the page's dark pixels, projected onto the vertical, pile into the sharpest peaks is
 * the angle of its lines. Tesseract straightens a page itself only when its layout analysis finds lines,
 * which at 3–5° it often does not (words split apart, or the whole page read as empty).
 */
import type { OcrImage } from './engine.ts';
import { readPgm } from './pgm.ts';

/** Turns smaller than this are left alone: tesseract reads them as they are. */
export const MIN_SKEW = (0.4 * Math.PI) / 180;
/** Scans are fed a few degrees askew at most; past this a page is more likely a picture or a table. */
const MAX_DEGREES = 8;
const STEP_DEGREES = 0.25;
/** Dark pixels sampled: enough for a full page of text, and a search of all angles in a few milliseconds. */
const MAX_SAMPLES = 40_000;

/** The page's skew in radians (positive: lines fall to the right), or undefined for a PGM-less or empty page. */
export function estimateSkew(image: OcrImage): number | undefined {
	let pgm: ReturnType<typeof readPgm>;
	try {
		pgm = readPgm(image.bytes);
	} catch {
		return undefined;
	}
	const { width, height, grey: pixels } = pgm;
	// Every dark pixel would be millions on a dense page: a stride keeps the sample near MAX_SAMPLES.
	let dark = 0;
	for (let i = 0; i < pixels.length; i += 16) if (pixels[i]! < 128) dark++;
	if (dark < 50) return undefined;
	const stride = Math.max(1, Math.floor((dark * 16) / MAX_SAMPLES));
	const xs: number[] = [];
	const ys: number[] = [];
	for (let i = 0; i < width * height; i += stride)
		if (pixels[i]! < 128) {
			xs.push(i % width);
			ys.push(Math.floor(i / width));
		}
	let best = 0;
	let bestScore = -1;
	const bins = new Float64Array(height + width);
	for (let degrees = -MAX_DEGREES; degrees <= MAX_DEGREES + 1e-9; degrees += STEP_DEGREES) {
		const t = Math.tan((degrees * Math.PI) / 180);
		bins.fill(0);
		const offset = Math.ceil(Math.abs(t) * width);
		for (let k = 0; k < xs.length; k++) {
			const row = Math.round(ys[k]! - xs[k]! * t) + offset;
			if (row >= 0 && row < bins.length) bins[row]!++;
		}
		// Sharp peaks: the sum of squares of the row counts is largest when lines fall into single rows.
		let score = 0;
		for (const n of bins) score += n * n;
		if (score > bestScore) {
			bestScore = score;
			best = degrees;
		}
	}
	return (best * Math.PI) / 180;
}
