import { parseArgs } from 'node:util';
import { groupNearDuplicates, type SignedDocument } from '../../src/lib/duplicates/groups.ts';
import { minhashSignature } from '../../src/lib/duplicates/minhash.ts';
import { expandPaths, ingestAll } from '../../src/lib/ingest/ingest-file.node.ts';
import { hasPages } from '../../src/lib/ingest/types.ts';
import { UsageError, type Command } from '../command.ts';

/** One line of `docket duplicates --json`: a group of near-identical files. */
export interface DuplicatesLine {
	/** The least estimated Jaccard similarity among the pairs that link the group. */
	similarity: number;
	files: string[];
	pairs: { a: string; b: string; similarity: number }[];
}

export const duplicatesCommand: Command = {
	name: 'duplicates',
	summary: 'Group near-identical files (copies, drafts) by MinHash over word shingles',
	usage: `Usage: docket duplicates --docs FILE|FOLDER… [--threshold 0.8] [--json]

Extracts the files (the app's own extraction) and groups those whose three-word phrases overlap at least
the threshold (estimated Jaccard similarity, above 0 and at most 1), as the app's Near-duplicates tab does.
  --threshold T  least similarity to group two files (default 0.8)
  --json         one JSON line per group, largest first: { similarity, files, pairs: [{ a, b, similarity }] }`,
	async run(argv, io) {
		const { values, positionals } = parseArgs({
			args: argv,
			options: {
				docs: { type: 'string', multiple: true },
				threshold: { type: 'string', default: '0.8' },
				json: { type: 'boolean' }
			},
			allowPositionals: true,
			strict: true
		});
		const docs = [...(values.docs ?? []), ...positionals];
		if (docs.length === 0) throw new UsageError('Name the files to compare with --docs.');
		const threshold = Number(values.threshold);
		if (!(threshold > 0 && threshold <= 1)) throw new UsageError('--threshold must be above 0 and at most 1.');

		const signed: SignedDocument[] = [];
		const files = [
			...new Set(await expandPaths(docs, (skipped, why) => io.stderr(`docket duplicates: ${skipped}: ${why}`)))
		];
		// Through ingestAll, so a mailbox's messages and a message's attachments are compared too.
		for await (const done of ingestAll(files, { ahead: 1 })) {
			if ('error' in done) {
				io.stderr(
					`docket duplicates: cannot read ${done.file}: ${done.error instanceof Error ? done.error.message : String(done.error)}`
				);
				continue;
			}
			const { extraction, file, duplicateOf } = done.result;
			// The same bytes met twice (an attachment forwarded again) are one document, not a near-duplicate.
			if (duplicateOf !== undefined) continue;
			const signature = hasPages(extraction)
				? minhashSignature(extraction.pages.map((p) => p.text).join('\n'))
				: undefined;
			if (signature) signed.push({ id: file, signature });
			else
				io.stderr(
					`docket duplicates: ${extraction.status === 'no-text' || extraction.status === 'indexed' ? 'no text in' : `${extraction.status}:`} ${file}; left out`
				);
		}
		for (const group of groupNearDuplicates(signed, { threshold })) {
			const line: DuplicatesLine = { similarity: group.similarity, files: group.members, pairs: group.pairs };
			if (values.json) io.stdout(JSON.stringify(line));
			else io.stdout(`${Math.round(group.similarity * 100)}% alike: ${group.members.join(', ')}`);
		}
		return 0;
	}
};
