import { readFileSync } from 'node:fs';
import { ingestFile } from './src/lib/ingest/ingest-file.node.ts';
import { FullTextIndex } from './src/lib/search/full-text.ts';
import { searchCase, type PassageSource, type SearchBackend } from './src/lib/search/hybrid.ts';
const qa = JSON.parse(readFileSync('../shared/eval/freeculture-qa.json', 'utf8'));
const ingested = await ingestFile('../shared/corpus/pdfs/freeculture.pdf');
const chunks: PassageSource[] = ingested.chunks.map((c: any) => ({ id: `fc:${c.ordinal}`, documentId: 'fc', page: c.page, start: c.start, end: c.end, text: c.text }));
const byId = new Map(chunks.map((c) => [c.id, c]));
const text = FullTextIndex.empty(); text.add(chunks);
const backend: SearchBackend = { text, chunks: (ids) => Promise.resolve(ids.map((id) => byId.get(id))) };
let found = 0;
for (const q of qa.questions) {
  const r = await searchCase(backend, q.question, { k: 50, mode: 'lexical' });
  const pages: number[] = [];
  for (const x of r.results) if (!pages.includes(x.page) && pages.length < 10) pages.push(x.page);
  const hit = pages.some((p) => q.pages.includes(p));
  if (hit) found++;
  const rank = r.results.findIndex((x) => q.pages.includes(x.page));
  console.log(hit ? 'HIT ' : 'MISS', q.id, q.lexical_overlap, 'answer', q.pages.join(','), 'rank', rank, 'top', pages.join(','), '|', q.question);
  if (!hit) console.log('      evidence:', q.evidence.slice(0, 200));
}
console.log('recall', found / qa.questions.length, 'chunks', chunks.length);
