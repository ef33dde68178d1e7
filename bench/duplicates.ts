import { chunkPages } from '../src/lib/ingest/chunker.ts';
import { nodeExtractor } from '../src/lib/ingest/extract.node.ts';
import { makePdf } from '../src/lib/ingest/testing/make-pdf.ts';
import { hasPages } from '../src/lib/ingest/types.ts';
import { groupNearDuplicates, type SignedDocument } from '../src/lib/duplicates/groups.ts';
import { minhashSignature } from '../src/lib/duplicates/minhash.ts';
import { letter, withThreeWordsChanged } from '../src/lib/duplicates/testing.ts';
import { eventsOfDocument } from '../src/lib/timeline/dates.ts';
import { percentile, sample, type Bench, type BenchContext } from './report.ts';

const DOCUMENTS = 300;
const PLANTED = 20;

/** A case of generated documents of 1 to 20 pages (a page: a letter of 40 sentences), 20 of them copies. */
function caseDocuments(): { id: string; pages: string[] }[] {
	const docs: { id: string; pages: string[] }[] = [];
	const pagesOf = (seed: number, count: number, change = false) =>
		Array.from({ length: count }, (_, p) => {
			const text = letter(seed * 100 + p, 40);
			return change && p === 0 ? withThreeWordsChanged(text) : text;
		});
	for (let i = 0; i < DOCUMENTS - PLANTED; i++) docs.push({ id: `doc-${i}`, pages: pagesOf(i, 1 + (i % 20)) });
	for (let i = 0; i < PLANTED; i++)
		docs.push({ id: `copy-${i * 13}`, pages: pagesOf(i * 13, 1 + ((i * 13) % 20), true) });
	return docs;
}

/** The signatures ingestion computes and stores, one per document. */
function signCase(docs: readonly { id: string; pages: string[] }[]): SignedDocument[] {
	const signed: SignedDocument[] = [];
	for (const d of docs) {
		const signature = minhashSignature(d.pages.join('\n'));
		if (signature) signed.push({ id: d.id, signature });
	}
	return signed;
}

export const duplicatesBench: Bench = {
	name: 'duplicates',
	summary: 'Near-duplicate groups of a generated 300-document case against ingesting its largest document',
	async run(context: BenchContext) {
		const docs = caseDocuments();
		const largest = docs.reduce((a, b) => (b.pages.length > a.pages.length ? b : a));
		const bytes = makePdf({ pages: largest.pages.length, lines: (p) => largest.pages[p - 1]!.split(/(?<=\.) /u) });
		const signed = signCase(docs);
		const groups = groupNearDuplicates(signed).length;
		context.log(
			`${docs.length} documents, ${groups} groups found (${PLANTED} planted); largest: ${largest.pages.length} pages`
		);
		if (groups !== PLANTED) throw new Error(`Expected ${PLANTED} groups, found ${groups}: the grouping is wrong.`);
		const ingest = await sample(
			async () => {
				const result = await nodeExtractor().extract({ name: 'largest.pdf', bytes }, {});
				if (hasPages(result)) chunkPages(result.pages);
			},
			{ iterations: 5, warmup: 1 }
		);
		const grouping = await sample(() => groupNearDuplicates(signed), { iterations: 5, warmup: 1 });
		const signing = await sample(() => minhashSignature(largest.pages.join('\n')), { iterations: 5, warmup: 1 });
		// The rest of what the chronology worker derives per document: its dated events (chrono-node, people).
		const pages = largest.pages.map((text, i) => ({ page: i + 1, start: 0, text }));
		const dating = await sample(() => eventsOfDocument(pages, { order: 'dmy' }), { iterations: 5, warmup: 1 });
		const baseline = 'ingesting the largest document (extract + chunk, median)';
		// The target: the groups of the whole case, from the stored signatures.
		context.report({
			figure: `groups of ${docs.length} documents from their signatures (median)`,
			value: percentile(grouping, 50),
			unit: 'ms',
			baseline,
			baseline_value: percentile(ingest, 50)
		});
		// What the signature adds to that document's own ingestion.
		context.report({
			figure: 'signature of the largest document (median)',
			value: percentile(signing, 50),
			unit: 'ms',
			baseline,
			baseline_value: percentile(ingest, 50)
		});
		context.report({
			figure: 'dated events of the largest document (median)',
			value: percentile(dating, 50),
			unit: 'ms',
			baseline,
			baseline_value: percentile(ingest, 50)
		});
	}
};
