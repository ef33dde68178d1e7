import { describe, expect, it } from 'vitest';
import type { ChunkRow } from '../db/schema.ts';
import { freshDatabase } from '../testing/db.ts';
import { searchStoredCase } from './case-search.ts';
import { FullTextIndex, editDistance, type IndexedChunk } from './full-text.ts';
import { CaseTextStore } from './full-text-store.ts';
import { ModelNeededError } from '../errors.ts';
import { highlightRanges, reciprocalRankFusion, searchCase, type PassageSource } from './hybrid.ts';
import { isEnglishWord } from './spelling.ts';
import { parseQuery, stem } from './terms.ts';
import { HashingEmbedder } from './testing.ts';
import { CaseVectorStore } from './vector-store.ts';

const texts: Record<string, string[]> = {
	lease: [
		'The tenant shall pay rent on the first day of each month to the landlord.',
		'The landlord may terminate the lease if the tenant fails to pay rent for two months.',
		'Notices under this lease must be delivered in writing to the landlord’s address.'
	],
	letter: [
		'Dear Ms. Causby, we write regarding the airplanes flying over your farm.',
		'The chickens died of fright when the airplanes flew low over the Causby farm.',
		'Causby sued the United States for trespass; the Supreme Court agreed in part.'
	],
	memo: [
		'Copyright protects original works of authorship.',
		'Copyrighted works may be used under fair use.',
		'The copyright term was extended by Congress.'
	]
};

function chunks(): IndexedChunk[] {
	return Object.entries(texts).flatMap(([doc, list]) =>
		list.map((text, i) => ({ id: `${doc}-${i}`, documentId: doc, page: i + 1, text, start: 0, end: text.length }))
	);
}

function backendOf(index: FullTextIndex, extra: Partial<Parameters<typeof searchCase>[0]> = {}) {
	const byId = new Map<string, PassageSource>(chunks().map((c) => [c.id, { ...c, start: 0, end: c.text.length }]));
	return {
		text: index,
		chunks: (ids: readonly string[]) => Promise.resolve(ids.map((id) => byId.get(id))),
		// A few real words stand in for the English word list (one test loads the real one).
		englishWords: () => Promise.resolve(new Set(['lessee', 'airplanes', 'rents'])),
		...extra
	};
}

describe('terms', () => {
	it('stems plural and verb forms together, and parses phrases and prefixes', () => {
		expect(stem('licenses')).toBe(stem('licensed'));
		expect(stem('licensing')).toBe(stem('license'));
		const q = parseQuery('What did "fair use" protect about copyr* Côté');
		expect(q.phrases).toEqual([['fair', 'use']]);
		expect(q.prefixes).toEqual(['copyr']);
		expect(q.words).toEqual(['protect', 'cote']);
	});

	it('measures edit distance with transpositions', () => {
		expect(editDistance('causbey', 'causby')).toBe(1);
		expect(editDistance('sarnov', 'sarnoff')).toBe(2);
		expect(editDistance('ab', 'ba')).toBe(1);
	});
});

describe('FullTextIndex', () => {
	it('ranks by BM25 and returns passages with their document and page', () => {
		const index = FullTextIndex.empty();
		index.add(chunks());
		const hits = index.search('tenant pays rent');
		expect(
			hits
				.map((h) => h.id)
				.slice(0, 2)
				.sort()
		).toEqual(['lease-0', 'lease-1']);
		expect(hits[0]).toMatchObject({ documentId: 'lease' });
		expect(index.search('the of and')).toEqual([]);
		// A limit returns the head of the full ordering.
		const all = index.search('landlord tenant causby copyright rent');
		expect(all.length).toBeGreaterThan(4);
		expect(index.search('landlord tenant causby copyright rent', { limit: 3 })).toEqual(all.slice(0, 3));
	});

	it('matches quoted phrases in order and prefixes', () => {
		const index = FullTextIndex.empty();
		index.add(chunks());
		const byId = new Map(chunks().map((c) => [c.id, c.text]));
		expect(
			index
				.search('"pay rent"', { textOf: (id) => byId.get(id) })
				.map((h) => h.id)
				.sort()
		).toEqual(['lease-0', 'lease-1']);
		// The same words out of order are not the phrase.
		expect(index.search('"rent pay"', { textOf: (id) => byId.get(id) })).toEqual([]);
		expect(index.search('copyr*').map((h) => h.documentId)).toEqual(['memo', 'memo', 'memo']);
		expect(
			index
				.search('airplan*', { documentIds: ['letter'] })
				.map((h) => h.id)
				.sort()
		).toEqual(['letter-0', 'letter-1']);
		expect(index.search('airplan*', { documentIds: ['lease'] })).toEqual([]);
	});

	it('suggests a common spelling for a word that matches nothing, keeping the rest of the query', () => {
		const index = FullTextIndex.empty();
		index.add(chunks());
		expect(index.suggest('Causbey chickens')).toEqual({
			query: 'Causby chickens',
			corrections: [{ word: 'causbey', suggestion: 'causby' }]
		});
		expect(index.suggest('tenant rent')).toBeUndefined();
		expect(index.suggest('zzzzqqq')).toBeUndefined();
	});

	describe('"did you mean" only helps', () => {
		// A case where "places", "uphold" and "witnessed" are common, "planes"/"witness" occur once, and
		// "Sarnoff"/"negligence" are frequent.
		const para = (i: number, extra: string) => ({
			id: `d-${i}`,
			documentId: 'd',
			page: i + 1,
			text: `Places and more places. The court will uphold the order. ${extra}`
		});
		const index = FullTextIndex.empty();
		index.add([
			para(0, 'Sarnoff testified that negligence was witnessed.'),
			para(1, 'Sarnoff again; the negligence was witnessed by Doujinshi artists.'),
			para(2, 'Doujinshi and Sarnoff, negligence witnessed early.'),
			para(3, 'Early planes crashed; one witness came forward.'),
			para(4, 'Early filings by Kowalczyk.')
		]);
		const english = new Set(['planes', 'upheld', 'yearly', 'witness', 'negligence', 'places', 'early', 'deposition']);
		const suggest = (q: string) => index.suggest(q, { isWord: (w) => english.has(w) })?.query;

		it.each([
			['correct words the case contains', 'planes places uphold'],
			['a word the case holds once (rare, but present)', 'witness planes'],
			['a word present only in another inflection', 'witnesses upheld'],
			['a real word the case lacks, close to a case word', 'yearly upheld'],
			['a real word the case lacks, far from every case word', 'deposition'],
			['a misspelling with no close spelling in the case', 'qwertyuiop'],
			['a short word (too many close neighbours)', 'Sarn'],
			['numbers', 'early 1839']
		])('leaves alone %s', (_, query) => {
			expect(suggest(query)).toBeUndefined();
		});

		it.each([
			['a misspelt name', 'Sarnov testified', 'Sarnoff testified'],
			['a misspelling of a common word', 'negligance witnessed', 'negligence witnessed'],
			['a dropped letter', 'dojinshi artists', 'doujinshi artists'],
			['only the misspelt word of several', 'Sarnof planes places', 'Sarnoff planes places']
		])('corrects %s', (_, query, expected) => {
			expect(suggest(query)).toBe(expected);
		});

		it('in a large case, never offers a spelling that occurs in a single chunk', () => {
			// In this small case one occurrence stands out; among 100+ chunks it could be a one-off slip.
			expect(suggest('Kowalczik')).toBe('Kowalczyk');
			const large = FullTextIndex.empty();
			large.add([
				para(0, 'Early filings by Kowalczyk.'),
				...Array.from({ length: 120 }, (_, i) => para(i + 1, 'Sarnoff testified.'))
			]);
			expect(large.suggest('Kowalczik')).toBeUndefined();
			expect(large.suggest('Sarnov')?.query).toBe('Sarnoff');
		});

		it('writes a correction as the word was typed: its capitals, hyphen, apostrophe and possessive', () => {
			const names = FullTextIndex.empty();
			names.add(
				['The co-defendant appeared.', "O'Brien and McAllister testified.", 'Müller signed the lease.'].map(
					(text, i) => ({
						id: `n-${i}`,
						documentId: 'n',
						page: i + 1,
						text
					})
				)
			);
			const fix = (q: string) => names.suggest(q)?.query;
			expect(fix('co-defendent')).toBe('co-defendant');
			expect(fix('O’Brian testified')).toBe('O’Brien testified');
			expect(fix("O'Brian's notes")).toBe("O'Brien's notes");
			expect(fix('McAlister')).toBe('McAllister');
			// Every occurrence, though the folded word ("mulller") is not what was typed.
			expect(fix('Mülller and Mulller')).toBe('Müller and Müller');
			// A suggestion is never the query itself.
			expect(fix('Müller')).toBeUndefined();
			// It is written as the case writes the name, diacritics and all, and survives a reload.
			expect(fix('Mueller signed')).toBe('Müller signed');
			expect(FullTextIndex.fromJSON(names.toJSON()).suggest('Mueller')?.query).toBe('Müller');
		});

		it('leaves alone days, months and contractions the case does not use', () => {
			const dated = FullTextIndex.empty();
			dated.add([{ id: 'x', documentId: 'x', page: 1, text: "The meeting was on Thursday. It wasn't paid in June." }]);
			const english = new Set(['has', 'they', 'meeting', 'paid', 'signed']);
			const fix = (q: string) => dated.suggest(q, { isWord: (w) => isEnglishWord(english, w) })?.query;
			expect(fix('meeting on Tuesday')).toBeUndefined();
			expect(fix('paid in July')).toBeUndefined();
			expect(fix("hasn't paid")).toBeUndefined();
			expect(fix("they're paid")).toBeUndefined();
			expect(fix("won't pay")).toBeUndefined();
			expect(fix('meeting on Thursdy')).toBe('meeting on Thursday');
		});

		it('finds letters that carry their mark inside them as typed without it', () => {
			const names = FullTextIndex.empty();
			names.add([{ id: 'y', documentId: 'y', page: 1, text: 'Łukasiewicz and Øverby signed at the Straße office.' }]);
			for (const q of ['Lukasiewicz', 'Łukasiewicz', 'Overby', 'Strasse'])
				expect(
					names.search(q).map((h) => h.id),
					q
				).toEqual(['y']);
		});

		it('measures edits with a cut-off', () => {
			expect(editDistance('sarnov', 'sarnoff')).toBe(2);
			expect(editDistance('causbey', 'causby')).toBe(1);
			expect(editDistance('ab', 'ba')).toBe(1);
			expect(editDistance('negligence', 'intelligence', 2)).toBe(3);
			expect(editDistance('kitten', 'sitting')).toBe(3);
		});
	});

	it('loads the English word list and searches with it', { timeout: 60_000 }, async () => {
		const index = FullTextIndex.empty();
		index.add(chunks());
		// "rents" is in the case as "rent"; "lessee" is a real word the case lacks; "Causbey" a misspelling.
		const { englishWords: _, ...real } = backendOf(index);
		const response = await searchCase(real, 'lessee rents Causbey', { k: 1 });
		expect(response.suggestion).toBe('lessee rents Causby');
		expect((await searchCase(real, 'leases', { k: 1 })).suggestion).toBeUndefined();
	});

	it('survives a round trip through JSON and removes documents', () => {
		const index = FullTextIndex.empty();
		index.add(chunks());
		const copy = FullTextIndex.fromJSON(index.toJSON());
		expect(copy.search('causby farm')).toEqual(index.search('causby farm'));
		expect(copy.frequency('causby')).toBe(3);
		copy.remove(chunks().filter((c) => c.documentId === 'letter'));
		expect(copy.search('causby farm')).toEqual([]);
		expect(copy.frequency('causby')).toBe(0);
		expect(() => FullTextIndex.fromJSON('{"format":0}')).toThrow(/unknown format/);
	});
});

describe('hybrid search', () => {
	it('fuses ranked lists by reciprocal rank, ties by id', () => {
		const fused = reciprocalRankFusion([
			['b', 'a', 'd'],
			['a', 'b', 'c']
		]);
		expect(fused.map((f) => f.id)).toEqual(['a', 'b', 'c', 'd']);
		expect(fused[0]!.score).toBeCloseTo(1 / 61 + 1 / 62);
		expect(fused[0]!.score).toBe(fused[1]!.score);
	});

	it('marks the matched words of a passage', () => {
		const text = 'Tenants paid the rent; rental terms apply.';
		const ranges = highlightRanges(text, parseQuery('tenant rent*'));
		expect(ranges.map(([s, e]) => text.slice(s, e))).toEqual(['Tenants', 'rent', 'rental']);
		// A word split at a line end matches whole, and its range covers both halves.
		const split = 'The deliv- ery records.';
		expect(highlightRanges(split, parseQuery('delivery')).map(([s, e]) => split.slice(s, e))).toEqual(['deliv- ery']);
	});

	it('runs lexical search with no model, semantic and hybrid with an embedder, and says when a model is needed', async () => {
		const index = FullTextIndex.empty();
		index.add(chunks());
		const lexical = await searchCase(backendOf(index), 'Causbey airplanes', { k: 2 });
		expect(lexical.suggestion).toBe('Causby airplanes');
		expect(lexical.results.map((r) => r.id).sort()).toEqual(['letter-0', 'letter-1']);
		expect(lexical.results[0]!.highlights.length).toBeGreaterThan(0);
		await expect(searchCase(backendOf(index), 'rent', { mode: 'semantic' })).rejects.toBeInstanceOf(ModelNeededError);

		const embedder = new HashingEmbedder(64);
		const vectors = await embedder.embed(chunks().map((c) => c.text));
		const ids = chunks().map((c) => c.id);
		const { CpuVectorIndex } = await import('./cpu-index.ts');
		const vectorIndex = new CpuVectorIndex(64);
		vectorIndex.add(ids, vectors);
		const backend = backendOf(index, { vectors: (q: Float32Array, k: number) => vectorIndex.search(q, k) });
		const semantic = await searchCase(backend, 'chickens airplanes', { mode: 'semantic', embedder, k: 1 });
		expect(semantic.results[0]!.id).toBe('letter-1');
		const hybrid = await searchCase(backend, 'landlord terminate lease', {
			mode: 'hybrid',
			embedder,
			k: 3,
			documentIds: ['lease']
		});
		expect(hybrid.results[0]!.id).toBe('lease-1');
		expect(hybrid.results.every((r) => r.documentId === 'lease')).toBe(true);
	});
});

describe('CaseTextStore', () => {
	it('indexes documents as they arrive, persists, and reloads without re-indexing', async () => {
		const db = await freshDatabase();
		const rows = (doc: string): ChunkRow[] =>
			texts[doc]!.map((text, i) => ({
				id: `${doc}-${i}`,
				caseId: 'case-1',
				documentId: doc,
				ordinal: i,
				page: i + 1,
				start: 0,
				end: text.length,
				text,
				rev: 0
			}));
		await db.chunks.bulkPut(rows('lease'));
		const store = new CaseTextStore(db);
		expect((await store.get('case-1')).size).toBe(3);
		expect((await db.searchIndexes.get('case-1'))?.documentIds).toEqual(['lease']);

		await db.chunks.bulkPut(rows('letter'));
		await store.addChunks('case-1', 'letter');
		const stored = await db.searchIndexes.get('case-1');
		expect(stored?.documentIds.sort()).toEqual(['lease', 'letter']);

		// A new store (a reload) reads the stored index and catches up with a document it does not cover.
		await db.chunks.bulkPut(rows('memo'));
		const reloaded = new CaseTextStore(db);
		const index = await reloaded.get('case-1');
		expect(index.size).toBe(9);
		expect(index.search('causby').length).toBe(3);

		const result = await searchStoredCase(
			db,
			{ text: reloaded, vectors: new CaseVectorStore(db) },
			'case-1',
			'"fair use"'
		);
		expect(result.results.map((r) => r.id)).toEqual(['memo-1']);

		await db.chunks.bulkDelete(rows('letter').map((c) => c.id));
		await reloaded.removeChunks('case-1', 'letter', rows('letter'));
		expect((await reloaded.get('case-1')).search('causby')).toEqual([]);
		// Removed while cold: the next store (a reload) sees the stored index covers chunks that are gone.
		await db.chunks.bulkDelete(rows('memo').map((c) => c.id));
		expect((await new CaseTextStore(db).get('case-1')).size).toBe(3);
		await db.delete();
	});
});

describe('short-prefix compounds', () => {
	it('finds "co-defendant" as "codefendant", "co-defendant", "defendant" and the quoted phrase', () => {
		const index = FullTextIndex.empty();
		index.add([
			{ id: 'a', documentId: 'd', page: 1, text: 'The co-defendant signed the e-mail in re Smith.' },
			{ id: 'b', documentId: 'd', page: 2, text: 'In re Jones, the court ruled.' }
		]);
		for (const q of ['codefendant', 'co-defendant', 'defendant', '"co-defendant signed"', 'email', 'e-mail'])
			expect(
				index
					.search(parseQuery(q), { textOf: () => 'The co-defendant signed the e-mail in re Smith.' })
					.map((h) => h.id),
				q
			).toEqual(['a']);
	});
});

describe('compounds written together in the query', () => {
	const index = FullTextIndex.empty();
	index.add([
		{ id: 'a', documentId: 'd', page: 1, text: 'Home taping on audio tape was said to kill music.' },
		{ id: 'b', documentId: 'd', page: 2, text: 'The file sharing service let users swap songs.' },
		{ id: 'c', documentId: 'd', page: 3, text: 'Together the parties signed the agreement at home.' }
	]);

	it('searches a word the case lacks as the two words it joins, and does not call it a misspelling', () => {
		expect(index.compoundParts('audiotape')).toEqual(['audio', 'tape']);
		expect(index.search('audiotape').map((h) => h.id)).toEqual(['a']);
		expect(index.search('filesharing service').map((h) => h.id)).toEqual(['b']);
		expect(index.unknownWords('audiotape filesharing')).toEqual([]);
	});

	it('never splits a word the case contains, or into pieces it lacks, short pieces or stop words', () => {
		// "together" is in the case, though "to" + "get" + "her" are words.
		expect(index.compoundParts('together')).toBeUndefined();
		// "hometaping": "home" and "taping" are both in the case.
		expect(index.compoundParts('hometaping')).toEqual(['home', 'taping']);
		// A misspelling whose pieces are not words of the case stays a misspelling.
		expect(index.compoundParts('agreemnet')).toBeUndefined();
		expect(index.unknownWords('agreemnet')).toEqual(['agreemnet']);
		// "theparties": "the" is a stop word, so no split; "adtape": "ad" is shorter than a part may be.
		expect(index.compoundParts('theparties')).toBeUndefined();
		expect(index.compoundParts('adtape')).toBeUndefined();
	});
});
