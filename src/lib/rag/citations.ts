import type { CitationRef } from '../db/schema.ts';
import { pageNameFields } from '../ingest/page-label.ts';
import type { NumberedPassage } from './prompt.ts';

export interface Citation extends CitationRef {
	documentName: string;
}

export type AnswerSegment = { kind: 'text'; text: string } | { kind: 'citation'; citation: Citation };

/** `[3]`, `[1, 2]`, `[1,2,4]`, `[2-4]`: what models write for citations. */
const MARKER = /\[(\d+(?:\s*[-–,]\s*\d+)*)\]/g;

function numbersIn(inner: string): number[] {
	const out: number[] = [];
	for (const part of inner.split(',')) {
		const range = part.split(/[-–]/).map((s) => Number.parseInt(s.trim(), 10));
		const [a, b] = range;
		if (a === undefined || Number.isNaN(a)) continue;
		if (b === undefined || Number.isNaN(b)) out.push(a);
		else for (let n = a; n <= Math.min(b, a + 50); n++) out.push(n);
	}
	return out;
}

/**
 * Splits an answer into text and citations. A marker whose numbers all name passages of the prompt
 * becomes one citation segment per number, each pointing at (document, page, character range);
 * a marker naming a passage the model was never given stays as plain text, so nothing links nowhere.
 */
export function parseAnswer(answer: string, passages: readonly NumberedPassage[]): AnswerSegment[] {
	const byN = new Map(passages.map((p) => [p.n, p]));
	const segments: AnswerSegment[] = [];
	let last = 0;
	const pushText = (text: string) => {
		if (!text) return;
		const prev = segments.at(-1);
		if (prev?.kind === 'text') prev.text += text;
		else segments.push({ kind: 'text', text });
	};
	for (const match of answer.matchAll(MARKER)) {
		const numbers = numbersIn(match[1]!);
		if (numbers.length === 0 || !numbers.every((n) => byN.has(n))) continue;
		pushText(answer.slice(last, match.index));
		for (const n of numbers) {
			const p = byN.get(n)!;
			segments.push({
				kind: 'citation',
				citation: {
					n,
					chunkId: p.chunkId,
					documentId: p.documentId,
					documentName: p.documentName,
					page: p.page,
					...pageNameFields(p),
					start: p.start,
					end: p.end
				}
			});
		}
		last = match.index + match[0].length;
	}
	pushText(answer.slice(last));
	return segments;
}

/** The distinct citations of an answer, in order of first appearance (stored with the message). */
export function citationsOf(answer: string, passages: readonly NumberedPassage[]): CitationRef[] {
	const seen = new Set<number>();
	const out: CitationRef[] = [];
	for (const segment of parseAnswer(answer, passages)) {
		if (segment.kind !== 'citation' || seen.has(segment.citation.n)) continue;
		seen.add(segment.citation.n);
		const { n, chunkId, documentId, page, start, end } = segment.citation;
		out.push({ n, chunkId, documentId, page, ...pageNameFields(segment.citation), start, end });
	}
	return out;
}

/** The document viewer's address for a citation (DESIGN: page 1-based, range within the page text). */
export function viewerHref(caseId: string, c: Pick<CitationRef, 'documentId' | 'page' | 'start' | 'end'>): string {
	return `/cases/${encodeURIComponent(caseId)}/documents/${encodeURIComponent(c.documentId)}?page=${c.page}&start=${c.start}&end=${c.end}`;
}

/** A stored answer split into text and [n] links, from the citations saved with it. */
export function segmentsOf(
	content: string,
	citations: readonly CitationRef[]
): ({ kind: 'text'; text: string } | { kind: 'citation'; citation: CitationRef })[] {
	const byN = new Map(citations.map((c) => [c.n, c]));
	const out: ({ kind: 'text'; text: string } | { kind: 'citation'; citation: CitationRef })[] = [];
	let last = 0;
	for (const match of content.matchAll(MARKER)) {
		const numbers = numbersIn(match[1]!);
		if (numbers.length === 0 || !numbers.every((n) => byN.has(n))) continue;
		if (match.index > last) out.push({ kind: 'text', text: content.slice(last, match.index) });
		for (const n of numbers) out.push({ kind: 'citation', citation: byN.get(n)! });
		last = match.index + match[0].length;
	}
	if (last < content.length) out.push({ kind: 'text', text: content.slice(last) });
	return out;
}
