import { FAMILY_LIMITS } from './email/types.ts';
import type { IngestedFile, IngestOptions } from './ingest-file.node.ts';
import { hasPages } from './types.ts';

/** How a child file is named on the command line: its parent's name, then its own ("box.mbox › 3.eml"). */
export function childLabel(parent: string, name: string): string {
	return `${parent} › ${name}`;
}

/**
 * The files inside an ingested file (a message's attachments, a mailbox's messages), each ingested in
 * turn, depth first, as the app would: the same bytes met twice are reported once more as `duplicateOf`
 * the first, not extracted again; deeper than the family limit they are reported `unsupported`, with why.
 * The parent's child bytes are released as each is read, so memory holds one branch at a time.
 */
export async function* ingestChildren(
	parent: IngestedFile,
	ingest: (label: string, bytes: Uint8Array, sha256: string) => Promise<IngestedFile>,
	seen: Map<string, string>,
	depth = 1
): AsyncGenerator<IngestedFile> {
	const extraction = parent.extraction;
	const children = hasPages(extraction) ? (extraction.family?.children ?? []) : [];
	if (hasPages(extraction) && extraction.family) delete extraction.family.children;
	for (const child of children) {
		const label = childLabel(parent.file, child.name);
		const first = seen.get(child.sha256);
		if (first !== undefined) {
			yield { ...(await placeholder(label, child.sha256, parent.file)), duplicateOf: first };
			continue;
		}
		seen.set(child.sha256, label);
		if (depth > FAMILY_LIMITS.maxDepth) {
			yield {
				file: label,
				sha256: child.sha256,
				parent: parent.file,
				chunks: [],
				extraction: {
					status: 'unsupported',
					reason: 'format',
					error: `Not opened: it is nested more than ${FAMILY_LIMITS.maxDepth} levels deep in other messages. Its bytes stay inside ${parent.file}.`
				}
			};
			continue;
		}
		const result = { ...(await ingest(label, child.bytes, child.sha256)), parent: parent.file };
		yield result;
		yield* ingestChildren(result, ingest, seen, depth + 1);
	}
}

async function placeholder(file: string, sha256: string, parent: string): Promise<IngestedFile> {
	return {
		file,
		sha256,
		parent,
		chunks: [],
		extraction: { status: 'indexed', kind: 'text', pages: [], pageCount: 0, pagesWithoutText: [], pagesWithErrors: [] }
	};
}

export type { IngestOptions };
