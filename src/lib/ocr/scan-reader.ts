/**
 * The OCR side of an extraction worker: one pool of engines for the worker's life (kept warm between
 * files, restarted when the languages change; a cancelled read replaces only its own engine), and for
 * each document the options that make a run resumable: the pages read before, and a store for each page
 * as it is read.
 */
import type { DocketDatabase } from '../db/database.ts';
import { ocrPagesRead, saveOcrPage } from '../db/ocr-pages.ts';
import type { ExtractionOptions } from '../ingest/types.ts';
import type { OcrPool } from './engine.ts';
import type { ImageDecoder, PageRenderer } from './read-pages.ts';
import { ocrLanguages, readOcrLanguages } from './settings.ts';

export type OcrOptions = NonNullable<ExtractionOptions['ocr']>;

export class ScanReader {
	#pool: OcrPool | undefined;
	#languages = '';

	constructor(
		private readonly makePool: (languages: string[]) => OcrPool,
		private readonly render: PageRenderer,
		private readonly decode: ImageDecoder
	) {}

	async optionsFor(db: DocketDatabase, target: { documentId: string; caseId: string }): Promise<OcrOptions> {
		const languages = ocrLanguages(await readOcrLanguages(db));
		const key = languages.join('+');
		if (!this.#pool || key !== this.#languages) {
			void this.#pool?.terminate();
			this.#pool = this.makePool(languages);
			this.#languages = key;
		}
		const known = await ocrPagesRead(db, target.documentId);
		return {
			pool: this.#pool,
			render: this.render,
			decode: this.decode,
			known,
			onRead: async (page, result) => {
				await saveOcrPage(db, target, page, result);
			}
		};
	}

	async dispose(): Promise<void> {
		await this.#pool?.terminate();
		this.#pool = undefined;
	}
}
