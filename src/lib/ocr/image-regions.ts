/**
 * Where a page with a text layer paints images that may hold text of their own: a scanned exhibit pasted
 * under a typed paragraph, a photographed letter in a report. pdf.js paints every image on the unit square
 * of the current transform, so following `save`/`restore`/`transform` (and forms) through the operator
 * list gives each image's box on the page. Boxes are fractions of the page (0..1, origin top left), as
 * OCR word boxes are.
 *
 * Only boxes big enough to hold a line of text, and not already covered by the text layer, are worth
 * reading: a scan that came with its own (invisible) OCR text has its words over the image, and a logo or
 * a signature is too small to matter.
 */

export type Box = [number, number, number, number];
type Matrix = [number, number, number, number, number, number];

/** The parts of pdf.js's operator list this module reads. */
export interface OperatorList {
	fnArray: readonly number[];
	argsArray: readonly unknown[];
}

/** An image region is read when it covers at least this share of the page… */
export const MIN_REGION_AREA = 0.04;
/** …is at least this share of the page's width and of its height… */
export const MIN_REGION_SIDE = 0.1;
/** …and the text layer covers less than this share of it. */
export const MAX_TEXT_COVER = 0.05;
/**
 * A page whose text covers this share of its area or more is taken as text only, and its operator list
 * (which decodes every image on the page) is never asked for: a full page of text leaves no room for an
 * image big enough to read.
 */
export const SPARSE_TEXT_COVER = 0.3;

const multiply = (m: Matrix, n: Matrix): Matrix => [
	m[0] * n[0] + m[2] * n[1],
	m[1] * n[0] + m[3] * n[1],
	m[0] * n[2] + m[2] * n[3],
	m[1] * n[2] + m[3] * n[3],
	m[0] * n[4] + m[2] * n[5] + m[4],
	m[1] * n[4] + m[3] * n[5] + m[5]
];

function isMatrix(value: unknown): value is Matrix {
	return Array.isArray(value) && value.length === 6 && value.every((v) => typeof v === 'number');
}

/** The box the unit square takes under `m`, in viewport pixels. */
function unitSquare(m: Matrix): Box {
	const xs = [m[4], m[0] + m[4], m[2] + m[4], m[0] + m[2] + m[4]];
	const ys = [m[5], m[1] + m[5], m[3] + m[5], m[1] + m[3] + m[5]];
	return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/**
 * The boxes of the images a page paints. `viewport` is pdf.js's viewport at scale 1 (its `transform` maps
 * PDF space to pixels with the origin top left). Images inside annotations are left out: they are stamps
 * and widgets, not the page.
 */
export function imageBoxes(
	list: OperatorList,
	ops: Record<string, number>,
	viewport: { transform: readonly number[]; width: number; height: number }
): Box[] {
	const op = (name: string) => ops[name] ?? -1;
	const [save, restore, transform, formBegin, formEnd, annotationBegin, annotationEnd] = [
		'save',
		'restore',
		'transform',
		'paintFormXObjectBegin',
		'paintFormXObjectEnd',
		'beginAnnotation',
		'endAnnotation'
	].map(op);
	const single = new Set(['paintImageXObject', 'paintInlineImageXObject', 'paintImageMaskXObject'].map(op));
	const [repeat, maskRepeat, group, maskGroup] = [
		'paintImageXObjectRepeat',
		'paintImageMaskXObjectRepeat',
		'paintInlineImageXObjectGroup',
		'paintImageMaskXObjectGroup'
	].map(op);

	const start = viewport.transform;
	let ctm: Matrix = isMatrix(start) ? [...start] : [1, 0, 0, -1, 0, viewport.height];
	const stack: Matrix[] = [];
	let inAnnotation = 0;
	const pixels: Box[] = [];
	const paint = (m: Matrix) => {
		if (inAnnotation === 0) pixels.push(unitSquare(m));
	};

	list.fnArray.forEach((fn, i) => {
		const args = list.argsArray[i];
		const arg = (k: number): unknown => (Array.isArray(args) ? args[k] : undefined);
		if (fn === save) stack.push(ctm);
		else if (fn === restore) ctm = stack.pop() ?? ctm;
		else if (fn === transform && Array.isArray(args) && isMatrix(args.slice(0, 6)))
			ctm = multiply(ctm, args.slice(0, 6) as Matrix);
		else if (fn === formBegin) {
			stack.push(ctm);
			const matrix = arg(0);
			if (isMatrix(matrix)) ctm = multiply(ctm, matrix);
		} else if (fn === formEnd) ctm = stack.pop() ?? ctm;
		else if (fn === annotationBegin) inAnnotation++;
		else if (fn === annotationEnd) inAnnotation = Math.max(0, inAnnotation - 1);
		else if (single.has(fn)) paint(ctm);
		else if (fn === repeat) {
			const [scaleX, scaleY, positions] = [arg(1), arg(2), arg(3)];
			if (typeof scaleX !== 'number' || typeof scaleY !== 'number' || !isNumbers(positions)) return;
			for (let p = 0; p + 1 < positions.length; p += 2)
				paint(multiply(ctm, [scaleX, 0, 0, scaleY, positions[p]!, positions[p + 1]!]));
		} else if (fn === maskRepeat) {
			const [scaleX, skewX, skewY, scaleY, positions] = [arg(1), arg(2), arg(3), arg(4), arg(5)];
			if (![scaleX, skewX, skewY, scaleY].every((v) => typeof v === 'number') || !isNumbers(positions)) return;
			const [a, b, c, d] = [scaleX, skewX, skewY, scaleY] as number[];
			for (let p = 0; p + 1 < positions.length; p += 2)
				paint(multiply(ctm, [a!, b!, c!, d!, positions[p]!, positions[p + 1]!]));
		} else if (fn === group || fn === maskGroup) {
			const entries = fn === group ? arg(1) : arg(0);
			if (!Array.isArray(entries)) return;
			for (const entry of entries as unknown[]) {
				const t: unknown = typeof entry === 'object' && entry !== null ? Reflect.get(entry, 'transform') : undefined;
				if (isMatrix(t)) paint(multiply(ctm, t));
			}
		}
	});
	return pixels.flatMap((box) => onPage(box, viewport));
}

/** A box in viewport pixels as page fractions, clipped to the page: one box, or none when nothing of it is on it. */
function onPage([x0, y0, x1, y1]: Box, viewport: { width: number; height: number }): Box[] {
	const box: Box = [
		clamp(x0 / viewport.width),
		clamp(y0 / viewport.height),
		clamp(x1 / viewport.width),
		clamp(y1 / viewport.height)
	];
	return box[2] > box[0] && box[3] > box[1] ? [box] : [];
}

function isNumbers(value: unknown): value is number[] {
	return Array.isArray(value) && value.every((v) => typeof v === 'number');
}

const clamp = (v: number) => Math.min(1, Math.max(0, v));

const area = ([x0, y0, x1, y1]: Box) => Math.max(0, x1 - x0) * Math.max(0, y1 - y0);

function intersection(a: Box, b: Box): Box {
	return [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])];
}

/** Boxes that overlap or touch (tiles of one picture meet edge to edge). */
const TOUCH = 0.002;
const overlaps = (a: Box, b: Box) =>
	a[0] <= b[2] + TOUCH && b[0] <= a[2] + TOUCH && a[1] <= b[3] + TOUCH && b[1] <= a[3] + TOUCH;

/** Overlapping boxes as one: the tiles of one picture, or a picture and its frame. */
export function mergeBoxes(boxes: readonly Box[]): Box[] {
	let merged = [...boxes];
	for (let changed = true; changed;) {
		changed = false;
		const out: Box[] = [];
		for (const box of merged) {
			const i = out.findIndex((o) => overlaps(o, box));
			if (i < 0) out.push(box);
			else {
				const o = out[i]!;
				out[i] = [Math.min(o[0], box[0]), Math.min(o[1], box[1]), Math.max(o[2], box[2]), Math.max(o[3], box[3])];
				changed = true;
			}
		}
		merged = out;
	}
	return merged;
}

/** The share of the page the text layer's item boxes cover (overlaps counted twice; it is a guide). */
export function textCover(textBoxes: readonly Box[]): number {
	return textBoxes.reduce((sum, b) => sum + area(b), 0);
}

/**
 * The image regions of a page worth reading by OCR, top to bottom: merged image boxes big enough to hold
 * text, which the text layer does not already cover.
 */
export function regionsToRead(images: readonly Box[], textBoxes: readonly Box[]): Box[] {
	return mergeBoxes(images)
		.filter((box) => {
			if (area(box) < MIN_REGION_AREA) return false;
			if (box[2] - box[0] < MIN_REGION_SIDE || box[3] - box[1] < MIN_REGION_SIDE) return false;
			const covered = textBoxes.reduce((sum, t) => sum + area(intersection(box, t)), 0);
			return covered / area(box) < MAX_TEXT_COVER;
		})
		.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
}

/**
 * The boxes of pdf.js text items (`getTextContent`), as page fractions. An item's transform places its
 * baseline; its box rises by its height from there.
 */
export function textItemBoxes(
	items: readonly unknown[],
	viewport: { transform: readonly number[]; width: number; height: number }
): Box[] {
	const start = viewport.transform;
	if (!isMatrix(start)) return [];
	const boxes: Box[] = [];
	for (const item of items) {
		if (typeof item !== 'object' || item === null) continue;
		const str: unknown = Reflect.get(item, 'str');
		const t: unknown = Reflect.get(item, 'transform');
		const width: unknown = Reflect.get(item, 'width');
		const height: unknown = Reflect.get(item, 'height');
		if (typeof str !== 'string' || str.trim() === '' || !isMatrix(t)) continue;
		if (typeof width !== 'number' || typeof height !== 'number') continue;
		// Text space: x along the baseline by `width`, y up by `height` (both already in page units).
		const [a, b, c, d] = t;
		const scaleX = Math.hypot(a, b) || 1;
		const scaleY = Math.hypot(c, d) || 1;
		const m = multiply(start, [
			(a / scaleX) * width,
			(b / scaleX) * width,
			(c / scaleY) * height,
			(d / scaleY) * height,
			t[4],
			t[5]
		]);
		boxes.push(...onPage(unitSquare(m), viewport));
	}
	return boxes;
}

/** The parts of a pdf.js page `imageTextRegions` reads. */
export interface RegionPage {
	getViewport(options: { scale: number }): { transform: number[]; width: number; height: number };
	getOperatorList(): Promise<OperatorList>;
}

/**
 * A text page's image regions worth reading by OCR. The operator list is asked for only when the text
 * covers little of the page; an image pdf.js cannot decode is no region (the page's text still stands).
 */
export async function imageTextRegions(
	page: RegionPage,
	items: readonly unknown[],
	ops: Record<string, number>
): Promise<Box[]> {
	const viewport = page.getViewport({ scale: 1 });
	const text = textItemBoxes(items, viewport);
	if (textCover(text) >= SPARSE_TEXT_COVER) return [];
	try {
		const images = imageBoxes(await page.getOperatorList(), ops, viewport);
		return images.length === 0 ? [] : regionsToRead(images, text);
	} catch {
		return [];
	}
}
