/**
 * The word-level difference of two near-duplicate texts, for a side-by-side view. jsdiff (`diff`,
 * BSD-3-Clause, no dependencies) runs Myers' O((N+M)·D) algorithm, which is fast exactly when D is small,
 * as it is for near-duplicates; a cap on the edit length keeps an unlike pair from running long.
 */
import { diffWords } from 'diff';

export interface DiffSegment {
	text: string;
	/** `same` on both sides; `removed` only on the left, `added` only on the right. */
	kind: 'same' | 'removed' | 'added';
}

export type SideBySide =
	| {
			status: 'compared';
			left: DiffSegment[];
			right: DiffSegment[];
			/** Words only in the left text, and only in the right. */
			removedWords: number;
			addedWords: number;
	  }
	| { status: 'too-different'; maxEdits: number };

const WORDS = /[\p{L}\p{N}]+/gu;

function countWords(text: string): number {
	return text.match(WORDS)?.length ?? 0;
}

/** Side-by-side segments of `left` and `right`; `maxEdits` (tokens, default 5,000) bounds the work. */
export function sideBySide(left: string, right: string, options: { maxEdits?: number } = {}): SideBySide {
	const maxEdits = options.maxEdits ?? 5000;
	const changes = diffWords(left, right, { maxEditLength: maxEdits });
	if (!changes) return { status: 'too-different', maxEdits };
	const l: DiffSegment[] = [];
	const r: DiffSegment[] = [];
	let removedWords = 0;
	let addedWords = 0;
	for (const c of changes) {
		if (c.added) {
			r.push({ text: c.value, kind: 'added' });
			addedWords += countWords(c.value);
		} else if (c.removed) {
			l.push({ text: c.value, kind: 'removed' });
			removedWords += countWords(c.value);
		} else {
			l.push({ text: c.value, kind: 'same' });
			r.push({ text: c.value, kind: 'same' });
		}
	}
	return { status: 'compared', left: l, right: r, removedWords, addedWords };
}
