/**
 * OCR text layers for teammates. Page rows stay on the device that read the file (they hold every page's
 * text, which the chunks already carry); the words OCR read and their boxes exist nowhere else, so each
 * OCR page also gets one synced `ocrLayers` row. A teammate's viewer draws its text layer from it.
 *
 * Plain functions over a transaction the caller holds (`documents.ts`), and the schema upgrade that
 * gives pages read before layers existed theirs; no value import from the database modules, which
 * import this one.
 */
import type { Transaction } from 'dexie';
import { LIMITS } from '../sync/protocol.ts';
import { utf8Length } from '../sync/safe-json.ts';
import type { OcrLayerRow, OutboxRow, PageRow, PageWord } from './schema.ts';
import type { Writes } from './writes.ts';

/** Boxes to 1/100 000 of the page (a hundredth of a pixel at 300 dpi), confidences to a tenth. */
const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

/** The layer row of an OCR page; undefined for a page without OCR, or one too dense for one row. */
export function layerOf(page: PageRow, id: string = crypto.randomUUID()): OcrLayerRow | undefined {
	if (!page.ocr) return undefined;
	const layer: OcrLayerRow = {
		id,
		caseId: page.caseId,
		documentId: page.documentId,
		page: page.page,
		text: page.text,
		confidence: round(page.ocr.confidence, 1),
		...(page.ocr.from === undefined ? {} : { from: page.ocr.from }),
		words: page.ocr.words.map((w) => [
			w.text,
			round(w.confidence, 1),
			...(w.box.map((v) => round(v, 5)) as [number, number, number, number]),
			w.start,
			w.end
		]),
		rev: 0
	};
	// The server takes rows up to LIMITS.maxFieldsBytes: some 4000 words. A denser page stays on this device.
	return utf8Length(JSON.stringify(layer)) <= LIMITS.maxFieldsBytes ? layer : undefined;
}

/** What the viewer needs of a page row, from a layer pulled from a teammate. */
export function pageOfLayer(layer: OcrLayerRow): Pick<PageRow, 'documentId' | 'page' | 'caseId' | 'text' | 'ocr'> {
	const words: PageWord[] = layer.words.map(([text, confidence, x0, y0, x1, y1, start, end]) => ({
		text,
		confidence,
		box: [x0, y0, x1, y1],
		start,
		end
	}));
	return {
		documentId: layer.documentId,
		page: layer.page,
		caseId: layer.caseId,
		text: layer.text,
		ocr: { confidence: layer.confidence, words, ...(layer.from === undefined ? {} : { from: layer.from }) }
	};
}

/** Deletes a document's layers on this device; with `record`, for the team too. */
export async function deleteOcrLayers(w: Writes, documentId: string, record: boolean): Promise<void> {
	const old = await w.db.ocrLayers.where('documentId').equals(documentId).toArray();
	if (old.length === 0) return;
	await w.db.ocrLayers.bulkDelete(old.map((l) => l.id));
	if (record)
		await w.record(
			old.map((l) => ({ table: 'ocrLayers', rowId: l.id, caseId: l.caseId, op: 'delete', baseRev: l.rev, fields: {} }))
		);
}

/** Replaces a document's layers with those of its newly stored pages, for the team too. */
export async function replaceOcrLayers(w: Writes, documentId: string, pages: readonly PageRow[]): Promise<void> {
	await deleteOcrLayers(w, documentId, true);
	const layers = pages.flatMap((p) => layerOf(p) ?? []);
	if (layers.length === 0) return;
	await w.db.ocrLayers.bulkAdd(layers);
	await w.record(
		layers.map((l) => ({ table: 'ocrLayers', rowId: l.id, caseId: l.caseId, op: 'put', baseRev: 0, fields: { ...l } }))
	);
}

/** Schema version 4: a layer, queued for the team, for every page OCR had read before layers existed. */
export async function layersFromReadPages(tx: Transaction): Promise<void> {
	const layers: OcrLayerRow[] = [];
	await tx
		.table<PageRow>('pages')
		.filter((p) => p.ocr !== undefined)
		.each((p) => {
			const layer = layerOf(p);
			if (layer) layers.push(layer);
		});
	if (layers.length === 0) return;
	await tx.table<OcrLayerRow>('ocrLayers').bulkAdd(layers);
	const createdAt = Date.now();
	await tx.table<OutboxRow>('outbox').bulkAdd(
		layers.map((l) => ({
			mutationId: crypto.randomUUID(),
			table: 'ocrLayers',
			rowId: l.id,
			caseId: l.caseId,
			op: 'put',
			baseRev: 0,
			fields: { ...l },
			createdAt
		}))
	);
}
