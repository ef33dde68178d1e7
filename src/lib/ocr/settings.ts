/**
 * The OCR languages a person chooses in Settings › OCR, kept in Dexie `settings` so every tab and the
 * extraction workers read the same choice. English is always read (its data is precached); French and
 * German data are fetched from the app on first use and cached by the service worker.
 */
import type { DocketDatabase } from '../db/database.ts';

export const OCR_LANGUAGES_KEY = 'ocr.languages';

/** The languages a person may add to English, with their data's download size (best_int, gzipped). */
export const OPTIONAL_OCR_LANGUAGES = [
	{ code: 'fra', name: 'French', size: '0.7 MB' },
	{ code: 'deu', name: 'German', size: '1.3 MB' }
] as const;
export type OptionalOcrLanguage = (typeof OPTIONAL_OCR_LANGUAGES)[number]['code'];

function isOptional(value: unknown): value is OptionalOcrLanguage {
	return OPTIONAL_OCR_LANGUAGES.some((l) => l.code === value);
}

/** The tesseract languages to read with: English first, then the chosen ones in a fixed order. */
export function ocrLanguages(chosen: readonly string[]): string[] {
	return ['eng', ...OPTIONAL_OCR_LANGUAGES.map((l) => l.code).filter((code) => chosen.includes(code))];
}

export async function readOcrLanguages(db: DocketDatabase): Promise<OptionalOcrLanguage[]> {
	const value = (await db.settings.get(OCR_LANGUAGES_KEY))?.value;
	return Array.isArray(value) ? value.filter(isOptional) : [];
}

export async function saveOcrLanguages(db: DocketDatabase, chosen: readonly string[]): Promise<void> {
	await db.settings.put({ key: OCR_LANGUAGES_KEY, value: chosen.filter(isOptional) });
}
