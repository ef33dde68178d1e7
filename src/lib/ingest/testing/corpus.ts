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
