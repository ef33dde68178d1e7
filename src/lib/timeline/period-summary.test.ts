import { describe, expect, it } from 'vitest';
import { checkAnswer, markAnswer } from '../quotes/marks.ts';
import type { ChatEngine } from '../rag/types.ts';
import type { ChronologyEntry } from './chronology.ts';
import { periodPrompt, summarisePeriod } from './period-summary.ts';

function entry(id: string, date: string, sentence: string): ChronologyEntry {
	return {
		id,
		documentId: 'd',
		documentName: 'lease.txt',
		page: 1,
		where: 'p. 1',
		date,
		precision: 'day',
		sentence,
		people: [],
		organisations: [],
		inferred: false,
		approximate: false,
		dropped: false,
		start: 0,
		end: 5
	};
}

const entries = [
	entry('a', '2024-03-03', 'The lease was signed on 3 March 2024.'),
	entry('b', '2024-03-10', 'The keys were handed over on 10 March 2024.')
];

describe('summarising a period', () => {
	it('numbers the events as passages, labelled like chat passages, and leaves out what does not fit', () => {
		const prompt = periodPrompt(entries, 4096);
		expect(prompt.events.map((e) => [e.n, e.eventId])).toEqual([
			[1, 'a'],
			[2, 'b']
		]);
		expect(prompt.messages[1]!.content).toContain('[2] lease.txt, p. 1\n2024-03-10: The keys were handed over');
		expect(prompt.leftOut).toBe(0);
		// A context that holds the instruction and one event only.
		const small = periodPrompt(entries, 1, () => 0);
		expect(small.events).toHaveLength(0);
		expect(small.leftOut).toBe(2);
	});

	it('returns the model’s paragraph, whose quotations and citations are checked against the events', async () => {
		const engine: ChatEngine = {
			modelId: 'fake',
			contextTokens: 4096,
			interrupt: () => undefined,
			async *stream() {
				yield 'The lease was "signed on 3 March 2024" [1] and the keys "handed back" [2].';
			}
		};
		const summary = await summarisePeriod(engine, entries);
		const checks = checkAnswer(summary.text, summary.passages);
		expect(checks.map((c) => c.status)).toEqual(['verified', 'not-found']);
		const linked = markAnswer(summary.text, summary.events, checks).filter((s) => s.kind === 'citation');
		expect(linked.map((s) => (s.kind === 'citation' ? s.citation.eventId : ''))).toEqual(['a', 'b']);
	});
});
