import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/ingest-file.node.ts';
import { CpuVectorIndex } from './cpu-index.ts';
import { FullTextIndex } from './full-text.ts';
import { searchCase, type PassageSource, type SearchBackend, type SearchMode } from './hybrid.ts';
import { HashingEmbedder } from './testing.ts';

const PDF = '../shared/corpus/pdfs/freeculture.pdf';
const QA = '../shared/eval/freeculture-qa.json';
const available = existsSync(PDF) && existsSync(QA);

interface Qa {
	questions: { id: string; question: string; pages: number[] }[];
	misspellings: { id: string; query: string; correct: string; pages: number[] }[];
}

/** Fraction of questions with an answer page among the first 10 distinct pages of the results. */
async function recallByPage(
	backend: SearchBackend,
	qa: Qa,
	mode: SearchMode,
	embedder?: HashingEmbedder
): Promise<number> {
	let found = 0;
	for (const q of qa.questions) {
		const response = await searchCase(backend, q.question, { k: 50, mode, ...(embedder ? { embedder } : {}) });
		const pages: number[] = [];
		for (const r of response.results) if (!pages.includes(r.page) && pages.length < 10) pages.push(r.page);
		if (pages.some((p) => q.pages.includes(p))) found++;
	}
	return found / qa.questions.length;
}

describe.skipIf(!available)(
	`retrieval eval on Free Culture${available ? '' : ' (skipped: ../shared/eval/freeculture-qa.json or the corpus is missing)'}`,
	() => {
		it(
			'lexical recall@10 by page ≥ 0.8, hybrid reported, no "did you mean" on plain questions, misspellings corrected',
			{ timeout: 120_000 },
			async () => {
				const qa = JSON.parse(readFileSync(QA, 'utf8')) as Qa;
				const ingested = await ingestFile(PDF);
				expect(ingested.extraction.status).toBe('indexed');
				const chunks: PassageSource[] = ingested.chunks.map((c) => ({
					id: `fc:${c.ordinal}`,
					documentId: 'fc',
					page: c.page,
					start: c.start,
					end: c.end,
					text: c.text,
					...(c.shifts ? { shifts: c.shifts } : {})
				}));
				const byId = new Map(chunks.map((c) => [c.id, c]));
				const text = FullTextIndex.empty();
				text.add(chunks);
				const backend: SearchBackend = { text, chunks: (ids) => Promise.resolve(ids.map((id) => byId.get(id))) };

				const lexical = await recallByPage(backend, qa, 'lexical');

				// No real embedding model can be loaded here: the hashing test embedder stands in, so this number
				// says that fusion works end to end, not how good semantic retrieval is.
				const embedder = new HashingEmbedder(256);
				const vectors = new CpuVectorIndex(embedder.dim);
				vectors.add(
					chunks.map((c) => c.id),
					await embedder.embed(chunks.map((c) => c.text))
				);
				const hybrid = await recallByPage(
					{ ...backend, vectors: (q, k) => vectors.search(q, k) },
					qa,
					'hybrid',
					embedder
				);
				console.log(
					`freeculture eval: ${qa.questions.length} questions, ${chunks.length} chunks; lexical recall@10 by page ${lexical.toFixed(2)}, hybrid (hashing test embedder) ${hybrid.toFixed(2)}`
				);
				expect(lexical).toBeGreaterThanOrEqual(0.8);

				// "Did you mean" stays quiet on plain questions (their words are real, or in the case).
				for (const q of qa.questions)
					expect((await searchCase(backend, q.question, { k: 0 })).suggestion, q.id).toBeUndefined();

				for (const m of qa.misspellings) {
					const response = await searchCase(backend, m.query, { k: 10 });
					expect(response.suggestion, m.id).toBeDefined();
					expect(response.suggestion!.split(/\s+/), m.id).toContain(m.correct);
					const corrected = await searchCase(backend, response.suggestion!, { k: 10 });
					expect(
						corrected.results.some((r) => m.pages.includes(r.page)),
						m.id
					).toBe(true);
				}
			}
		);
	}
);
