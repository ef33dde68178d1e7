import { describe, expect, it, vi } from 'vitest';
import { chatClient } from '../rag/ai-chat-engine.ts';
import { connect } from '../worker/transport.ts';
import { aiProtocol, type AiFromWorker, type AiToWorker } from './protocol.ts';
import {
	SharedEngine,
	type ChannelLike,
	type LockManagerLike,
	type RelayMessage,
	type WorkerHandle
} from './shared-engine.ts';

/** Web Locks in miniature: one holder per name, waiters served in order when it is released. */
class FakeLocks implements LockManagerLike {
	private held = new Set<string>();
	private waiting = new Map<string, (() => void)[]>();
	async request(name: string, _options: { mode: 'exclusive' }, callback: () => Promise<void>): Promise<unknown> {
		if (this.held.has(name))
			await new Promise<void>((resolve) => this.waiting.set(name, [...(this.waiting.get(name) ?? []), resolve]));
		this.held.add(name);
		try {
			return await callback();
		} finally {
			this.held.delete(name);
			const next = this.waiting.get(name)?.shift();
			next?.();
		}
	}
}

/** BroadcastChannel in miniature: delivers to every other channel on the bus, asynchronously, as a copy. */
class FakeBus {
	private channels = new Set<FakeChannel>();
	open(): FakeChannel {
		const channel = new FakeChannel(this);
		this.channels.add(channel);
		return channel;
	}
	broadcast(from: FakeChannel, message: RelayMessage) {
		for (const c of this.channels) if (c !== from) setTimeout(() => c.receive(structuredClone(message)), 0);
	}
	remove(c: FakeChannel) {
		this.channels.delete(c);
	}
}
class FakeChannel implements ChannelLike {
	private listeners: ((event: MessageEvent<RelayMessage>) => void)[] = [];
	constructor(private readonly bus: FakeBus) {}
	postMessage(message: RelayMessage) {
		this.bus.broadcast(this, message);
	}
	addEventListener(_type: 'message', listener: (event: MessageEvent<RelayMessage>) => void) {
		this.listeners.push(listener);
	}
	receive(message: RelayMessage) {
		for (const l of this.listeners) l(new MessageEvent('message', { data: message }));
	}
	close() {
		this.bus.remove(this);
	}
}

/** A worker that answers `status` with which worker it is, and streams a token for `chat`. */
let spawned = 0;
function fakeWorker(): WorkerHandle & { crash(reason: string): void; received: AiToWorker[] } {
	const n = ++spawned;
	let onMessage: ((m: AiFromWorker) => void) | undefined;
	let onDeath: ((reason: string) => void) | undefined;
	const received: AiToWorker[] = [];
	return {
		received,
		postMessage(request: AiToWorker) {
			received.push(request);
			if (request.type === 'cancel') {
				// A chat that was cancelled ends with what came so far, as web-llm's interrupt does.
				setTimeout(() => {
					onMessage?.({ type: 'result', id: request.id, name: 'chat', result: { text: '', finishReason: 'abort' } });
				}, 0);
				return;
			}
			setTimeout(() => {
				if (request.name === 'status')
					onMessage?.({
						type: 'result',
						id: request.id,
						name: 'status',
						result: {
							chat: { state: 'ready', modelId: `worker-${n}`, backend: 'web-llm' },
							embedding: { state: 'none' }
						}
					});
				if (request.name === 'chat' && request.params.messages.length === 0) {
					onMessage?.({ type: 'progress', id: request.id, name: 'chat', data: { delta: `from worker-${n}` } });
					onMessage?.({
						type: 'event',
						name: 'status',
						data: { chat: { state: 'none' }, embedding: { state: 'none' } }
					});
					onMessage?.({
						type: 'result',
						id: request.id,
						name: 'chat',
						result: { text: `from worker-${n}`, finishReason: 'stop' }
					});
				}
			}, 0);
		},
		listen(m, d) {
			onMessage = m;
			onDeath = d;
			return () => (onMessage = undefined);
		},
		terminate() {
			onMessage = undefined;
		},
		crash(reason) {
			onDeath?.(reason);
		}
	};
}

function tick(ms = 5) {
	return new Promise((r) => setTimeout(r, ms));
}

/** Until every tab knows who leads. */
async function settled(...tabs: ({ engine: SharedEngine } | undefined)[]) {
	await vi.waitFor(() => {
		const leaders = new Set(tabs.map((t) => t!.engine.leader));
		expect(leaders.size).toBe(1);
		expect([...leaders][0]).toBeDefined();
	});
}

function tabs(count: number) {
	spawned = 0;
	const locks = new FakeLocks();
	const bus = new FakeBus();
	const workers: ReturnType<typeof fakeWorker>[] = [];
	return Array.from({ length: count }, (_, i) => {
		const engine = new SharedEngine({
			locks,
			channel: bus.open(),
			tabId: `tab-${i + 1}`,
			spawn: () => {
				const w = fakeWorker();
				workers.push(w);
				return w;
			}
		});
		return { engine, client: connect(aiProtocol, engine.endpoint), workers };
	});
}

describe('one AI engine per browser', () => {
	it('elects one leader; only it starts a worker, and every tab is served by it', async () => {
		const [a, b, c] = tabs(3);
		await settled(a, b, c);
		expect([a!.engine.isLeader, b!.engine.isLeader, c!.engine.isLeader]).toEqual([true, false, false]);
		expect(b!.engine.leader).toBe('tab-1');
		const statuses = await Promise.all([
			a!.client.call('status', {}),
			b!.client.call('status', {}),
			c!.client.call('status', {})
		]);
		expect(statuses.map((s) => s.chat)).toEqual(
			Array(3).fill({ state: 'ready', modelId: 'worker-1', backend: 'web-llm' })
		);
		expect(spawned).toBe(1);
	});

	it('routes streamed tokens to the asking tab only, and status events to all', async () => {
		const [a, b, c] = tabs(3);
		await settled(a, b, c);
		const tokensB: string[] = [];
		const statusSeen: string[] = [];
		a!.client.onEvent((e) => e.name === 'status' && statusSeen.push('a'));
		c!.client.onEvent((e) => e.name === 'status' && statusSeen.push('c'));
		const answer = chatClient(b!.client).chat({ messages: [] }, (t) => tokensB.push(t));
		await expect(answer).resolves.toMatchObject({ text: 'from worker-1' });
		await tick();
		expect(tokensB).toEqual(['from worker-1']);
		expect(statusSeen.sort()).toEqual(['a', 'c']);
	});

	it('a Stop in another tab reaches the leader’s worker as a cancel of that call', async () => {
		const [a, b] = tabs(2);
		await settled(a, b);
		const controller = new AbortController();
		const answer = chatClient(b!.client).chat(
			{ messages: [{ role: 'user', content: 'a long answer' }] },
			() => undefined,
			controller.signal
		);
		await vi.waitFor(() => expect(a!.workers[0]?.received.length).toBe(1));
		controller.abort();
		await expect(answer).resolves.toEqual({ text: '', finishReason: 'abort' });
		const [call, cancel] = a!.workers[0]!.received;
		expect(cancel).toEqual({ type: 'cancel', id: call!.id });
	});

	it('hands the engine to the next tab when the leader closes, and tells everyone', async () => {
		const [a, b, c] = tabs(3);
		await settled(a, b, c);
		const changes: string[] = [];
		b!.engine.onLeaderChange((id, self) => changes.push(`b:${id}:${self}`));
		c!.engine.onLeaderChange((id, self) => changes.push(`c:${id}:${self}`));
		expect((await c!.client.call('status', {})).chat).toMatchObject({ modelId: 'worker-1' });
		await a!.engine.close();
		await settled(b, c);
		expect(b!.engine.isLeader).toBe(true);
		expect(c!.engine.leader).toBe('tab-2');
		expect(changes.sort()).toEqual(['b:tab-2:true', 'c:tab-2:false']);
		expect((await c!.client.call('status', {})).chat).toMatchObject({ modelId: 'worker-2' });
		expect(spawned).toBe(2);
	});

	it('rejects calls in flight to a leader that went away, recoverably', async () => {
		const [a, b] = tabs(2);
		await settled(a, b);
		await a!.client.call('status', {});
		// The leader closes before answering: its reply never comes.
		const lost = b!.client.call('status', {});
		await a!.engine.close();
		await expect(lost).rejects.toMatchObject({ code: 'worker-crashed' });
		await expect(b!.client.call('status', {})).resolves.toMatchObject({ chat: { modelId: 'worker-2' } });
	});

	it('a crashed worker is replaced on the next call, and other tabs hear about it', async () => {
		const [a, b] = tabs(2);
		await settled(a, b);
		await a!.client.call('status', {});
		const pending = chatClient(b!.client).chat({ messages: [] }, () => undefined);
		a!.workers[0]!.crash('GPU process crashed');
		await expect(pending).rejects.toMatchObject({ code: 'worker-crashed' });
		await expect(b!.client.call('status', {})).resolves.toMatchObject({ chat: { modelId: 'worker-2' } });
	});

	it('queues calls made before any leader is known', async () => {
		const [a] = tabs(1);
		const early = a!.client.call('status', {});
		await expect(early).resolves.toMatchObject({ chat: { modelId: 'worker-1' } });
	});
});
