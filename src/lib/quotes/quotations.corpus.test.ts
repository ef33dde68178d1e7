import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ingestFile } from '../ingest/ingest-file.node.ts';
import { hasPages } from '../ingest/types.ts';
import { extractEvents } from '../timeline/dates.ts';
import { checkQuotations, type QuotablePassage } from './quotations.ts';

const PDF = '../shared/corpus/pdfs/freeculture.pdf';
const available = existsSync(PDF);

/**
 * Page `page`'s text as pdf.js extracts it, line-end hyphens and all (stored chunks hold the reader's
 * text, with those hyphens already joined, so they would not exercise the check's tolerance).
 */
function pageWith(pages: readonly { page: number; text: string }[], page: number, needle: string): string {
	const found = pages.find((p) => p.page === page && p.text.includes(needle));
	if (!found) throw new Error(`Page ${page} does not hold ${JSON.stringify(needle)}.`);
	return found.text;
}

// Skips where ../shared (the team's corpus, beside the repository on dev machines) is not checked out.
describe.skipIf(!available)(
	`quotations and dates on Free Culture as pdf.js extracts it${available ? '' : ' (skipped: ../shared/corpus is missing)'}`,
	() => {
		it('marks quotations across real line-end hyphenation and curly apostrophes', { timeout: 60_000 }, async () => {
			const { extraction } = await ingestFile(PDF);
			const pages = hasPages(extraction) ? extraction.pages : [];
			// The real text breaks "con-\ntrol", "be-\ntween" and "meet-\ning", and prints "don’t".
			const passages: QuotablePassage[] = [
				{ n: 1, text: pageWith(pages, 14, 'local con-\ntrol') },
				{ n: 2, text: pageWith(pages, 15, 'balance be-\ntween') },
				{ n: 3, text: pageWith(pages, 20, 'meet-\ning of the Institute') }
			];
			const answer =
				'The book quotes a senator: "The diffusion of power through local control, thereby encouraging individual ' +
				'participation, is the essence of federalism" [1]. Lessig defends "a balance between anarchy and freedom" [2]. ' +
				'Armstrong "demonstrated the technology at a meeting of the Institute of Radio Engineers" [1]. ' +
				'A free culture is not one in which "artists don\'t get paid" [9].';
			const checks = checkQuotations(answer, passages);
			expect(checks.map((c) => c.status)).toEqual(['verified', 'not-found', 'not-found', 'bad-citation']);
			expect(checks[1]!.closest).toMatchObject({ n: 2 });
			expect(checks[1]!.closest!.text).toContain('balance be-\ntween anarchy and control');
			expect(checks[2]!.closest).toMatchObject({ n: 3, similarity: 1 });
			expect(checks[3]!.closest).toMatchObject({ n: 2, similarity: 1 });
			expect(checks[3]!.closest!.text).toContain('don’t');

			const events = extractEvents(pageWith(pages, 20, 'November 5, 1935'), { order: 'mdy' });
			expect(events.map((e) => [e.date, e.precision, e.inferred])).toContainEqual(['1935-11-05', 'day', false]);
			expect(events.find((e) => e.date === '1935-11-05')!.sentence).toMatch(/^On November 5, 1935, he demonstrated/);
		});
	}
);
