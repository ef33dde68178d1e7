import PostalMime from 'postal-mime';
import { chunkPages } from '../src/lib/ingest/chunker.ts';
import { splitMbox } from '../src/lib/ingest/email/mbox.ts';
import { makeEml, makeMbox } from '../src/lib/ingest/email/testing.ts';
import { nodeExtractor } from '../src/lib/ingest/extract.node.ts';
import { hasPages } from '../src/lib/ingest/types.ts';
import type { BenchContext } from './report.ts';

/** A generated mailbox: replies in threads, a few paragraphs each, every fifth with a 20 KB attachment. */
export function benchMailbox(messages: number): Uint8Array {
	const attachment = new Uint8Array(20_000).map((_, i) => (i * 31) & 0xff);
	const out: string[] = [];
	for (let i = 0; i < messages; i++) {
		const paragraphs = Array.from(
			{ length: 4 },
			(_, p) =>
				`Message ${i}, paragraph ${p + 1}: the parties discussed the lease of unit ${i % 40}, the deposit and the date of completion, and counsel agreed to write again.`
		);
		out.push(
			makeEml({
				from: `Person ${i % 7} <p${i % 7}@firm.example>`,
				to: `Person ${(i + 1) % 7} <p${(i + 1) % 7}@firm.example>`,
				subject: `${i % 10 === 0 ? '' : 'Re: '}Lease ${Math.floor(i / 10)}`,
				date: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toUTCString(),
				messageId: `m${i}@firm.example`,
				...(i % 10 === 0 ? {} : { inReplyTo: `m${i - 1}@firm.example` }),
				text: paragraphs.join('\n\n'),
				...(i % 5 === 0
					? { attachments: [{ name: `schedule-${i}.bin`, mimeType: 'application/octet-stream', bytes: attachment }] }
					: {})
			})
		);
	}
	return new TextEncoder().encode(makeMbox(out));
}

/** Docket's path for a mailbox: split, then each message read (headers, body, attachments hashed), laid out and chunked. */
async function docketPass(mbox: Uint8Array): Promise<number> {
	const extractor = nodeExtractor();
	const box = await extractor.extract({ name: 'bench.mbox', bytes: mbox });
	const children = hasPages(box) ? (box.family?.children ?? []) : [];
	for (const child of children) {
		const message = await extractor.extract({ name: child.name, bytes: child.bytes });
		if (hasPages(message)) chunkPages(message.pages);
	}
	return children.length;
}

/** The least a reader of the same mailbox can do: postal-mime on each message, nothing kept. */
async function barePass(mbox: Uint8Array): Promise<number> {
	const parts = splitMbox(mbox);
	for (const part of parts) await PostalMime.parse(part);
	return parts.length;
}

/** Messages per second through Docket's extraction, against bare postal-mime parsing in the same run. */
export async function mailFigures(context: BenchContext, messages = 1000, rounds = 3): Promise<void> {
	const mbox = benchMailbox(messages);
	await docketPass(benchMailbox(20));
	await barePass(benchMailbox(20));
	let docket = Infinity;
	let bare = Infinity;
	for (let r = 0; r < rounds; r++) {
		let t = performance.now();
		if ((await docketPass(mbox)) !== messages) throw new Error('The bench mailbox did not split into its messages.');
		docket = Math.min(docket, (performance.now() - t) / 1000);
		t = performance.now();
		await barePass(mbox);
		bare = Math.min(bare, (performance.now() - t) / 1000);
	}
	context.report({
		figure: `mailbox of ${messages} messages (${(mbox.length / 1048576).toFixed(1)} MB, a fifth with attachments), single-threaded`,
		value: messages / docket,
		unit: 'messages/s',
		baseline: 'bare postal-mime parse of each message',
		baseline_value: messages / bare
	});
}
