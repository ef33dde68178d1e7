import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `../shared/corpus/pdfs` beside the repository root, where the shared test corpus lives on dev machines. */
export const CORPUS_DIR = fileURLToPath(new URL('../../../../../shared/corpus/pdfs/', import.meta.url));

export interface CorpusFile {
	file: string;
	path: string;
	bytes: number;
	password?: string;
}

/** Undefined (so tests skip with a reason) where the shared corpus is not checked out beside the repo. */
export function corpusFiles(): CorpusFile[] | undefined {
	if (!existsSync(`${CORPUS_DIR}index.json`)) return undefined;
	const index: unknown = JSON.parse(readFileSync(`${CORPUS_DIR}index.json`, 'utf8'));
	const passwords = new Map<string, string>();
	if (typeof index === 'object' && index !== null && 'files' in index && Array.isArray(index.files)) {
		for (const entry of index.files as unknown[]) {
			if (typeof entry === 'object' && entry !== null && 'file' in entry && 'password' in entry) {
				passwords.set(String(entry.file), String(entry.password));
			}
		}
	}
	// Every PDF in the folder, not only those index.json lists, so a new file cannot slip past the tests.
	return readdirSync(CORPUS_DIR)
		.filter((f) => f.toLowerCase().endsWith('.pdf'))
		.sort()
		.map((file) => {
			const path = `${CORPUS_DIR}${file}`;
			const password = passwords.get(file);
			return { file, path, bytes: readFileSync(path).length, ...(password === undefined ? {} : { password }) };
		});
}

export const CORPUS_MISSING = `skipped: ${CORPUS_DIR} is missing (the shared corpus sits beside the repository on dev machines only)`;

/**
 * The true state of every corpus file, settled by reading each one (pdf.js text extraction, checked by
 * eye for the no-text ones: blank pages, JBIG2/image-only pages, and form fields whose text lives in
 * annotations rather than on the page). Anything not listed here must be `indexed`.
 */
export const EXPECTED_NO_TEXT = new Set([
	'bitmap-halftone-refine.pdf',
	'bitmap-refine-tpgron.pdf',
	'bitmap-symbol-empty.pdf',
	'bitmap-symbol-symhuff-texthuffB10B13.pdf',
	'bitmap-symbol-texthuffrefinecustomsize.pdf',
	'bitmap-template3-customat-tpgdon.pdf',
	'bitmap-trailing-7fff-stripped-harder.pdf',
	'bug1811510.pdf',
	'bug1863910.pdf',
	'bug1980958.pdf',
	'empty.pdf',
	'empty_protected.pdf',
	'issue13372.pdf',
	'issue15150.pdf',
	'issue17147.pdf',
	'issue18816.pdf',
	'issue19326.pdf',
	'issue3371.pdf',
	'issue3458.pdf',
	'issue6769.pdf',
	'jbig2_file_header.pdf',
	'knockout_nested.pdf',
	'multiline.pdf',
	'named_dest_collision_for_editor.pdf',
	'smask_alpha_bc.pdf'
]);

/** The status a corpus file must end in when opened with its index.json password. */
export function expectedStatus(file: string): 'indexed' | 'no-text' {
	return EXPECTED_NO_TEXT.has(file) ? 'no-text' : 'indexed';
}
