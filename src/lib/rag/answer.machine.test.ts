import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import { answerMachine, MODEL_NOT_LOADED, NOTHING_FOUND, type AnswerInput } from './answer.machine.ts';
import { ScriptedEngine } from './testing.ts';
import type { RetrievedPassage } from './types.ts';

const passages: RetrievedPassage[] = [
	{
		chunkId: 'c1',
		documentId: 'd1',
		documentName: 'lease.pdf',
		page: 2,
		start: 10,
		end: 80,
		text: 'The tenant pays rent monthly.'
	},
	{
		chunkId: 'c2',
		documentId: 'd2',
		documentName: 'letter.pdf',
		page: 5,
		start: 0,
		end: 40,
		text: 'The landlord may terminate.'
	}
];

function start(
	input: AnswerInput,
	retrieve: (question: string) => Promise<RetrievedPassage[]> = () => Promise.resolve(passages)
) {
	const machine = answerMachine.provide({
		actors: { retrieve: fromPromise(({ input: i }: { input: { question: string } }) => retrieve(i.question)) }
	});
	const actor = createActor(machine, { input });
	actor.start();
	return actor;
}

describe('answer machine', () => {
	it('retrieving → generating → done, streaming tokens and resolving citations', async () => {
		const engine = new ScriptedEngine(() => 'Rent is paid monthly [1] and the landlord may end it [2].');
		const actor = start({ question: 'When is rent due?', engine });
		expect(actor.getSnapshot().value).toBe('retrieving');
		await waitFor(actor, (s) => s.matches('generating'));
		const done = await waitFor(actor, (s) => s.status === 'done');
		expect(done.value).toBe('done');
		expect(done.context.answer).toBe('Rent is paid monthly [1] and the landlord may end it [2].');
		expect(done.context.citations).toEqual([
			{ n: 1, chunkId: 'c1', documentId: 'd1', page: 2, start: 10, end: 80 },
			{ n: 2, chunkId: 'c2', documentId: 'd2', page: 5, start: 0, end: 40 }
		]);
		// The prompt numbered the passages with document and page.
		expect(engine.requests[0]![1]!.content).toContain('[2] letter.pdf, p. 5');
	});

	it('generating → cancelled on STOP mid-stream: keeps the partial answer and interrupts the engine', async () => {
		const engine = new ScriptedEngine(() => 'one two three four five six', { pauseAfter: 2 });
		const actor = start({ question: 'q', engine });
		await waitFor(actor, (s) => s.context.answer === 'one two ');
		actor.send({ type: 'STOP' });
		const final = actor.getSnapshot();
		expect(final.value).toBe('cancelled');
		expect(final.context.answer).toBe('one two ');
		expect(engine.interrupted).toBe(1);
		engine.resume();
		await new Promise((r) => setTimeout(r, 10));
		expect(actor.getSnapshot().context.answer).toBe('one two ');
	});

	it('retrieving → cancelled on STOP before any passage arrives', async () => {
		const engine = new ScriptedEngine(() => 'never');
		let release: (p: RetrievedPassage[]) => void = () => {};
		const actor = start({ question: 'q', engine }, () => new Promise((r) => (release = r)));
		actor.send({ type: 'STOP' });
		expect(actor.getSnapshot().value).toBe('cancelled');
		release(passages);
		await new Promise((r) => setTimeout(r, 5));
		expect(engine.requests).toHaveLength(0);
	});

	it('generating → failed when the model fails, with a readable error', async () => {
		const engine = new ScriptedEngine(() => 'a b c d', { failAfter: 2 });
		const actor = start({ question: 'q', engine });
		const final = await waitFor(actor, (s) => s.status === 'done');
		expect(final.value).toBe('failed');
		expect(final.context.error?.message).toBe('The model crashed.');
		expect(final.context.answer).toBe('a b ');
	});

	it('retrieving → failed when retrieval fails', async () => {
		const actor = start({ question: 'q', engine: new ScriptedEngine(() => 'x') }, () =>
			Promise.reject(new Error('index broken'))
		);
		const final = await waitFor(actor, (s) => s.status === 'done');
		expect(final.value).toBe('failed');
		expect(final.context.error?.message).toBe('index broken');
	});

	it('retrieving → done with a notice when nothing is found, without asking the model', async () => {
		const engine = new ScriptedEngine(() => 'invented');
		const actor = start({ question: 'q', engine }, () => Promise.resolve([]));
		const final = await waitFor(actor, (s) => s.status === 'done');
		expect(final.value).toBe('done');
		expect(final.context.notice).toBe(NOTHING_FOUND);
		expect(final.context.answer).toBe('');
		expect(engine.requests).toHaveLength(0);
	});

	it('retrieving → done with the passages and one sentence when no model is loaded', async () => {
		const actor = start({ question: 'q', engine: undefined });
		const final = await waitFor(actor, (s) => s.status === 'done');
		expect(final.value).toBe('done');
		expect(final.context.notice).toBe(MODEL_NOT_LOADED);
		expect(final.context.numbered.map((p) => [p.n, p.documentName, p.page])).toEqual([
			[1, 'lease.pdf', 2],
			[2, 'letter.pdf', 5]
		]);
	});

	it('ignores STOP once finished', async () => {
		const actor = start({ question: 'q', engine: new ScriptedEngine(() => 'ok [1]') });
		await waitFor(actor, (s) => s.status === 'done');
		actor.send({ type: 'STOP' });
		expect(actor.getSnapshot().value).toBe('done');
	});
});
