import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, SimulatedClock } from 'xstate';
import { createTypingMachine, IDLE_MS } from './typing.machine.ts';

function setupActor(lookup: (text: string, signal: AbortSignal) => Promise<string[]>) {
	const clock = new SimulatedClock();
	const calls: string[] = [];
	const aborted: string[] = [];
	const machine = createTypingMachine<string>().provide({
		actors: {
			related: fromPromise<string[], { text: string }>(({ input, signal }) => {
				calls.push(input.text);
				signal.addEventListener('abort', () => aborted.push(input.text));
				return lookup(input.text, signal);
			})
		}
	});
	const actor = createActor(machine, { clock });
	actor.start();
	return { actor, clock, calls, aborted };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('typing/idle machine', () => {
	it('looks up related passages only after a pause, then shows them', async () => {
		const { actor, clock, calls } = setupActor((text) => Promise.resolve([`about ${text}`]));
		expect(actor.getSnapshot().value).toBe('idle');
		actor.send({ type: 'INPUT', text: 'rent' });
		expect(actor.getSnapshot().value).toBe('typing');
		clock.increment(IDLE_MS - 1);
		actor.send({ type: 'INPUT', text: 'rent due' });
		clock.increment(IDLE_MS - 1);
		expect(calls).toEqual([]);
		clock.increment(1);
		expect(actor.getSnapshot().value).toBe('looking');
		await flush();
		expect(actor.getSnapshot().value).toBe('showing');
		expect(actor.getSnapshot().context.related).toEqual(['about rent due']);
		expect(calls).toEqual(['rent due']);
	});

	it('cancels a lookup in flight when the person types again', async () => {
		const { actor, clock, calls, aborted } = setupActor(() => new Promise(() => {}));
		actor.send({ type: 'INPUT', text: 'landlord' });
		clock.increment(IDLE_MS);
		expect(actor.getSnapshot().value).toBe('looking');
		actor.send({ type: 'INPUT', text: 'landlord notice' });
		expect(actor.getSnapshot().value).toBe('typing');
		expect(aborted).toEqual(['landlord']);
		await flush();
		expect(calls).toEqual(['landlord']);
	});

	it('goes back to typing from showing, to idle on CLEAR and for too-short input', async () => {
		const { actor, clock } = setupActor((text) => Promise.resolve([text]));
		actor.send({ type: 'INPUT', text: 'tenant' });
		clock.increment(IDLE_MS);
		await flush();
		expect(actor.getSnapshot().value).toBe('showing');
		actor.send({ type: 'INPUT', text: 'tenants' });
		expect(actor.getSnapshot().value).toBe('typing');
		actor.send({ type: 'INPUT', text: 'te' });
		expect(actor.getSnapshot().value).toBe('idle');
		clock.increment(IDLE_MS * 2);
		expect(actor.getSnapshot().value).toBe('idle');
		actor.send({ type: 'INPUT', text: 'tenant' });
		actor.send({ type: 'CLEAR' });
		expect(actor.getSnapshot().value).toBe('idle');
		expect(actor.getSnapshot().context).toMatchObject({ text: '', related: [] });
	});

	it('returns to idle with the error when the lookup fails', async () => {
		const { actor, clock } = setupActor(() => Promise.reject(new Error('index unavailable')));
		actor.send({ type: 'INPUT', text: 'tenant' });
		clock.increment(IDLE_MS);
		await flush();
		expect(actor.getSnapshot().value).toBe('idle');
		expect(actor.getSnapshot().context.error?.message).toBe('index unavailable');
	});
});
