import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { words } from '../search/terms.ts';
import { chunkPages } from './chunker.ts';
import { nodeExtractor } from './extract.node.ts';
import { ingestFile } from './ingest-file.node.ts';
import {
	cleanOffset,
	findPageFurniture,
	lineSignature,
	originalOffset,
	pageRange,
	readerPages,
	shiftsWithin
} from './reader-text.ts';
import { makePdf } from './testing/make-pdf.ts';
import { hasPages, type ExtractedPage } from './types.ts';

const pagesOf = (...texts: string[]): ExtractedPage[] => texts.map((text, i) => ({ page: i + 1, text }));

const TERMS =
	'lease tenant landlord rent notice breach repair deposit premises covenant default arrears eviction clause'.split(
		' '
	);
const term = (n: number) => TERMS[n % TERMS.length]!;
/** Body lines that differ from page to page, as real pages do (numbers alone would not make them differ). */
const prose = (n: number) => [
	`The ${term(n)} and the ${term(n + 3)} were argued at length that day.`,
	`Counsel for the ${term(2 * n + 1)} raised the ${term(5 * n + 2)} once more.`
];

describe('line-end hyphens', () => {
	it('joins a word broken at a line end, keeping the length and mapping back to the page', () => {
		const text = 'The taking was unconsti-\ntutional, said the court.';
		const [page] = readerPages(pagesOf(text));
		expect(page!.clean).toBe('The taking was unconstitutional,   said the court.');
		expect(page!.clean!.length).toBe(text.length);
		const [chunk] = chunkPages([page!]);
		expect(chunk!.text).toContain('unconstitutional,');
		expect(words(chunk!.text)).toContain('unconstitutional');
		// The joined word highlights the page's "unconsti-\ntutional".
		const at = chunk!.text.indexOf('unconstitutional');
		const [s, e] = pageRange(chunk!, at, at + 'unconstitutional'.length);
		expect(text.slice(s, e)).toBe('unconsti-\ntutional');
		// Text after the join lines up again.
		const said = chunk!.text.indexOf('said');
		expect(text.slice(...pageRange(chunk!, said, said + 4))).toBe('said');
		expect(cleanOffset(page!.shifts, text.indexOf('said'))).toBe(page!.clean!.indexOf('said'));
	});

	it('keeps real compounds hyphenated, so both "free-software" and "free software" find them', () => {
		const [page] = readerPages(
			pagesOf('We use free-software tools.\nThe firm chose free-\nsoftware for its filings.\nA Anglo-\nAmerican rule.')
		);
		expect(page!.clean).toContain('chose free-software  for');
		expect(page!.clean).toContain('Anglo-American');
		const list = words(page!.clean!);
		expect(list.join(' ')).toContain('chose free software for');
	});

	it('takes two real words either side as a compound, a known joined word as one word', () => {
		const [page] = readerPages(
			pagesOf('The court said some-\nthing about something.\nIt was a price-\nfixing scheme. Price and fixing.')
		);
		expect(page!.clean).toMatch(/said something {3}about/);
		expect(page!.clean).toContain('price-fixing');
	});

	it('joins a word hyphenated across the page end into the first page’s last passage', () => {
		const pages = readerPages(pagesOf('Am I al-\n1', 'lowed to enter into an exclusive license?\n2'));
		const chunks = chunkPages(pages);
		expect(chunks[0]!.text).toBe('Am I allowed');
		expect(chunks[0]!.end).toBeLessThanOrEqual('Am I al-'.length);
		expect(chunks[1]!.text.startsWith('lowed to enter')).toBe(true);
	});

	it('finds the page-end word whole, whatever its script, and only before a single hyphen', () => {
		// Greek and a letter outside the basic plane (a surrogate pair) walk back as letters.
		const [greek] = readerPages(pagesOf('η σύμβα-\n', 'ση υπεγράφη'));
		expect(greek!.continuation).toBe('ση');
		expect(greek!.clean).toContain('σύμβα ');
		const [astral] = readerPages(pagesOf('word \u{1d400}\u{1d401}-  \n', 'cd and more'));
		expect(astral!.continuation).toBe('cd');
		const [dashes] = readerPages(pagesOf('a dash --\n', 'next page'));
		expect(dashes!.continuation).toBeUndefined();
	});

	it('drops soft hyphens inside and at the end of words', () => {
		const [page] = readerPages(pagesOf('a con\u00adtract and a war\u00ad\nranty'));
		expect(words(page!.clean!)).toEqual(['a', 'contract', 'and', 'a', 'warranty']);
		// Every soft hyphen of a word, and each piece maps back to the page.
		const text = 'a con\u00adtrac\u00adtual term';
		const [twice] = readerPages(pagesOf(text));
		expect(twice!.clean).toBe('a contractual   term');
		const at = twice!.clean!.indexOf('tual');
		expect(text.slice(originalOffset(twice!.shifts, at), originalOffset(twice!.shifts, at) + 4)).toBe('tual');
		expect(twice!.clean!.indexOf('term')).toBe(text.indexOf('term'));
	});

	it('maps a passage that starts inside a joined word back to the page, past the word too', () => {
		const text = 'see the counter-\nsignature of the tenant here';
		const [page] = readerPages(pagesOf(text));
		expect(page!.clean).toContain('countersignature');
		const start = page!.clean!.indexOf('signature');
		const passage = {
			start: originalOffset(page!.shifts, start),
			end: text.length,
			shifts: shiftsWithin(page!.shifts, start, text.length)
		};
		const passageText = page!.clean!.slice(start);
		for (const word of ['signature', 'tenant', 'here']) {
			const at = passageText.indexOf(word);
			expect(text.slice(...pageRange(passage, at, at + word.length))).toBe(word);
		}
	});

	it('joins halves of a word across a page end even when each half looks like a word', () => {
		const pages = readerPages(pagesOf('the agreement was termi-\n', 'nated on Monday.'));
		expect(chunkPages(pages)[0]!.text).toBe('the agreement was terminated');
	});

	it('keeps the hyphen of a suspended compound, a lone letter, an address, and across a paragraph break', () => {
		const [page] = readerPages(
			pagesOf(
				[
					'both pre-\nand post-trial motions; full-\nor part-time staff.',
					'See Exhibit A-\nthe lease, at example.com/some-\npath or john.smith-\njones@firm.com.',
					'as follows: re-',
					'',
					'the parties agree.'
				].join('\n')
			)
		);
		for (const glued of ['preand', 'fullor', 'Athe', 'somepath', 'smithjones', 'rethe'])
			expect(page!.clean).not.toContain(glued);
		for (const kept of ['pre-and', 'full-or', 'A-the', 'some-path', 'smith-jones@', 're-'])
			expect(page!.clean).toContain(kept);
	});

	it('joins a heading in capitals only into a word the document has whole, and CRLF line ends', () => {
		const [page] = readerPages(
			pagesOf('OPPOSITION. MEMORANDUM IN OPPO-\nSITION; MOTION TO DIS-\nMISS.\r\nThe taking was unconsti-\r\ntutional.')
		);
		expect(page!.clean).toContain('IN OPPOSITION;');
		expect(page!.clean).toContain('DIS-MISS');
		expect(page!.clean).toContain('unconstitutional.');
	});
});

describe('running headers and footers', () => {
	it('anonymises numbers, roman numerals at the edges included', () => {
		expect(lineSignature('INTRODUCTION 3')).toBe(lineSignature('INTRODUCTION 11'));
		expect(lineSignature('Page 3 of 10')).toBe(lineSignature('Page 4 of 10'));
		expect(lineSignature('xii PREFACE')).toBe(lineSignature('xiv PREFACE'));
	});

	it('finds a running head and printed numbers; a page without a header has no label', () => {
		const body = prose;
		const texts = Array.from({ length: 8 }, (_, i) => {
			const n = i + 1;
			if (n === 1) return body(n).join('\n');
			return [`SMITH v. JONES`, ...body(n), `${n + 10}`].join('\n');
		});
		const found = findPageFurniture(texts);
		expect(found[0]).toEqual({ furniture: [] });
		expect(found.slice(1).map((f) => f.label)).toEqual(['12', '13', '14', '15', '16', '17', '18']);
		for (const [i, f] of found.entries())
			if (i > 0) expect(texts[i]!.slice(f.furniture[0], f.furniture[1])).toBe('SMITH v. JONES');
	});

	it('does not take numbered body lines for a running head', () => {
		const texts = Array.from({ length: 5 }, (_, p) =>
			Array.from({ length: 10 }, (_, i) => `${i + 1} Q. Did you sign it on day ${p}? A. Yes.`).join('\n')
		);
		expect(findPageFurniture(texts).every((f) => f.furniture.length === 0 && f.label === undefined)).toBe(true);
	});

	it("cuts a printer's mark glued onto heads and body lines, and keeps a phrase that merely ends paragraphs", () => {
		const mark = '<http://example-press.org/get-it>';
		const texts = Array.from({ length: 8 }, (_, i) => {
			const n = i + 1;
			const lines = [...prose(n), `The ${term(n + 7)} was heard by the Court.`];
			// The mark rides on the head of even pages and on the last body line of odd ones.
			return n % 2 === 0
				? [`${n} SMITH v. JONES${mark}`, ...lines].join('\n')
				: [`SMITH v. JONES ${n}`, ...lines.slice(0, -1), `${lines.at(-1)!}${mark}`].join('\n');
		});
		const found = findPageFurniture(texts);
		for (const [i, f] of found.entries()) {
			const cut = f.furniture.flatMap((v, k) => (k % 2 === 0 ? [texts[i]!.slice(v, f.furniture[k + 1])] : []));
			expect(cut.join(' | ')).toContain(mark);
			expect(cut.join(' | ')).not.toContain('Court.');
		}
		const pages = readerPages(texts.map((text, i) => ({ page: i + 1, text })));
		for (const p of pages) {
			expect(p.clean ?? p.text).not.toContain('get-it');
			expect(p.clean ?? p.text).toContain('was heard by the Court.');
		}
	});

	it('reads numbers printed between dashes, and the page of a court’s filing stamp', () => {
		const dashed = Array.from({ length: 6 }, (_, i) =>
			[...prose(i + 1), i % 2 ? `— ${i + 1} —` : `- ${i + 1} -`].join('\n')
		);
		expect(findPageFurniture(dashed).map((f) => f.label)).toEqual(['1', '2', '3', '4', '5', '6']);
		const stamp = (n: number) =>
			`Case 1:20-CV-01234-ABC Document 45 Filed 03/04/21 Page ${n} of 6 PageID #: ${400 + n}`;
		const filed = Array.from({ length: 6 }, (_, i) => [stamp(i + 1), ...prose(i + 1)].join('\n'));
		const found = findPageFurniture(filed);
		expect(found.map((f) => f.label)).toEqual(['1', '2', '3', '4', '5', '6']);
		// The docket number is the same on every page: not a Bates stamp.
		expect(found.every((f) => f.bates === undefined)).toBe(true);
		for (const [i, f] of found.entries()) expect(filed[i]!.slice(f.furniture[0], f.furniture[1])).toBe(stamp(i + 1));
	});

	it('takes no page number from a sentence that ends in one', () => {
		// Two pages whose sentence-final numbers happen to be in step ("item 2." then "item 3."), above the real footers.
		const texts = [1, 2].map((n) => [...prose(n), `Here we reference item ${n + 1}.`, `${n}`].join('\n'));
		expect(findPageFurniture(texts).map((f) => f.label)).toEqual(['1', '2']);
	});

	it('ignores a lone number that is not in step with its neighbours (a year)', () => {
		const texts = [
			'THE PRESS\nNEW YORK\n2004',
			...[2, 3, 4].map((n) => [...prose(n), n > 2 ? `${n - 2}` : ''].join('\n'))
		];
		const found = findPageFurniture(texts);
		expect(found[0]!.label).toBeUndefined();
		expect(found[0]!.furniture).toEqual([]);
		expect(found.slice(2).map((f) => f.label)).toEqual(['1', '2']);
	});
});

describe('page labels on generated PDFs', () => {
	const extractor = nodeExtractor();
	const extract = async (bytes: Uint8Array) => {
		const result = await extractor.extract({ name: 'g.pdf', bytes });
		if (!hasPages(result)) throw new Error(result.status);
		return result.pages;
	};
	const lines = prose;

	it('numbers at the top and bottom, roman front matter, and a first page without either', async () => {
		const pages = await extract(
			makePdf({
				pages: 9,
				lines,
				// Even pages number the header, odd pages the footer, as books do.
				header: (n) => (n === 1 ? undefined : n % 2 === 0 ? `${n <= 4 ? '' : n - 4} DEPOSITION`.trim() : 'DEPOSITION'),
				footer: (n) => (n === 1 ? undefined : n <= 4 ? ['', '', 'ii', 'iii', 'iv'][n] : n % 2 ? `${n - 4}` : undefined)
			})
		);
		expect(pages.map((p) => p.label)).toEqual([undefined, 'ii', 'iii', 'iv', '1', '2', '3', '4', '5']);
		const chunks = chunkPages(pages);
		expect(chunks.filter((c) => /DEPOSITION/.test(c.text))).toEqual([]);
		expect(chunks.find((c) => c.page === 7)).toMatchObject({ label: '3' });
		expect(
			chunks
				.filter((c) => c.page === 7)
				.map((c) => c.text)
				.join(' ')
		).toContain(prose(7)[0]);
	});

	it('"Page 3 of 10" footers', async () => {
		const pages = await extract(makePdf({ pages: 10, lines, footer: (n) => `Page ${n} of 10` }));
		expect(pages.map((p) => p.label)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
		expect(chunkPages(pages).some((c) => c.text.includes('of 10'))).toBe(false);
	});

	it('Bates stamps, stored per page and kept out of passages', async () => {
		const pages = await extract(
			makePdf({ pages: 4, lines, footer: (n) => `SMITH-${String(122 + n).padStart(6, '0')}` })
		);
		expect(pages.map((p) => p.bates)).toEqual(['SMITH-000123', 'SMITH-000124', 'SMITH-000125', 'SMITH-000126']);
		expect(pages.map((p) => p.label)).toEqual([undefined, undefined, undefined, undefined]);
		const chunks = chunkPages(pages);
		expect(chunks.some((c) => c.text.includes('SMITH'))).toBe(false);
		expect(chunks[0]).toMatchObject({ bates: 'SMITH-000123' });
	});

	it('prefers the PDF’s own page labels to printed numbers', async () => {
		const pages = await extract(
			makePdf({
				pages: 6,
				lines,
				footer: (n) => `${n}`,
				pageLabels: '<< /Nums [0 << /S /r >> 2 << /S /D /St 1 >>] >>'
			})
		);
		expect(pages.map((p) => p.label)).toEqual(['i', 'ii', '1', '2', '3', '4']);
	});

	it('ignores PDF labels that only repeat the PDF page numbers', () => {
		const texts = ['one\n7', 'two\n8', 'three\n9'];
		expect(findPageFurniture(texts, ['1', '2', '3']).map((f) => f.label)).toEqual(['7', '8', '9']);
		expect(findPageFurniture(texts, ['A-1', 'A-2', '']).map((f) => f.label)).toEqual(['A-1', 'A-2', undefined]);
		expect(findPageFurniture(['a', 'b'], null).map((f) => f.label)).toEqual([undefined, undefined]);
	});

	it('Bates stamps with a space, and none for numbers out of step', () => {
		const found = findPageFurniture(['x\nABC 0001234', 'y\nABC 0001235', 'z\nABC 0009999']);
		expect(found.map((f) => f.bates)).toEqual(['ABC 0001234', 'ABC 0001235', undefined]);
	});

	it('takes the stamp in the margin, not a numbered reference in the text, nor a docket number', () => {
		const pad = (n: number) => String(n).padStart(6, '0');
		// Invoices numbered in step, cited inside a sentence of each page, above the real stamp.
		const texts = Array.from({ length: 4 }, (_, i) =>
			[
				...prose(i + 1),
				...prose(i + 11),
				`Payment of invoice INV-${pad(1001 + i)} was late, the tenant said.`,
				...prose(i + 21),
				...prose(i + 31),
				`Case 1:20-CV-01234 Document 12 Filed 01/02/21`,
				`SMITH-${pad(500 + i)}`
			].join('\n')
		);
		const found = findPageFurniture(texts);
		expect(found.map((f) => f.bates)).toEqual(['SMITH-000500', 'SMITH-000501', 'SMITH-000502', 'SMITH-000503']);
		const clean = readerPages(texts.map((text, i) => ({ page: i + 1, text })));
		expect(clean.every((p, i) => (p.clean ?? p.text).includes(`INV-${pad(1001 + i)}`))).toBe(true);
		// A stamp glued onto the last word of the page, as pdf.js reads some.
		const glued = texts.map((t, i) => t.replace(`\nSMITH-${pad(500 + i)}`, `deniedSMITH-${pad(500 + i)}`));
		expect(findPageFurniture(glued).map((f) => f.bates)).toEqual(found.map((f) => f.bates));
		// One page: only a stamp on the last line (or alone on its line) counts.
		expect(findPageFurniture(['Case 1:20-CV-01234 Document 12\nORDER granting the motion.'])[0]!.bates).toBeUndefined();
		expect(findPageFurniture(['INVOICE INV-000123\nAmount due: $500.'])[0]!.bates).toBeUndefined();
		expect(findPageFurniture(['The order.\nCONFIDENTIAL SMITH-000123'])[0]!.bates).toBe('SMITH-000123');
	});
});

const FREE_CULTURE = '../shared/corpus/pdfs/freeculture.pdf';

// Skips where ../shared (the team's corpus, beside the repository on dev machines) is not checked out.
describe.skipIf(!existsSync(FREE_CULTURE))(
	`Free Culture${existsSync(FREE_CULTURE) ? '' : ' (skipped: ../shared/corpus/pdfs/freeculture.pdf is missing)'}`,
	() => {
		it('prints "2" on PDF page 18, joins "unconstitutional" there, and keeps running heads out', async () => {
			expect(readFileSync(FREE_CULTURE).length).toBeGreaterThan(0);
			const { extraction, chunks } = await ingestFile(FREE_CULTURE);
			if (!hasPages(extraction)) throw new Error(extraction.status);
			expect(extraction.pages[17]!.label).toBe('2');
			expect(extraction.pages[18]!.label).toBe('3');
			const page18 = chunks.filter((c) => c.page === 18);
			expect(page18.some((c) => words(c.text).includes('unconstitutional'))).toBe(true);
			expect(page18.every((c) => c.label === '2')).toBe(true);
			expect(page18.some((c) => c.text.includes('FREE CULTURE'))).toBe(false);
			expect(chunks.filter((c) => /^INTRODUCTION \d+$/m.test(c.text)).map((c) => c.page)).toEqual([]);
			expect(chunks.filter((c) => /^\d+ FREE CULTURE$/m.test(c.text)).map((c) => c.page)).toEqual([]);
		}, 60_000);
	}
);
