import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../testing/db.ts';
import { addMessage, caseThreads, createThread, threadMessages } from './threads.ts';

describe('chat threads', () => {
	it('persist per case, in order, each write with its outbox entry', async () => {
		const db = await freshDatabase();
		const a = await createThread(db, 'c1', 'When is rent due?', 1);
		const b = await createThread(db, 'c1', '', 2);
		await createThread(db, 'c2', 'Other case', 3);
		await addMessage(
			db,
			{ threadId: a.id, caseId: 'c1', role: 'user', content: 'When is rent due?', citations: [], status: 'done' },
			10
		);
		await addMessage(
			db,
			{
				threadId: a.id,
				caseId: 'c1',
				role: 'assistant',
				content: 'Monthly [1].',
				citations: [{ n: 1, chunkId: 'x', documentId: 'd', page: 2, start: 0, end: 5 }],
				status: 'done'
			},
			11
		);
		expect((await caseThreads(db, 'c1')).map((t) => t.title)).toEqual(['When is rent due?', 'New thread']);
		expect((await threadMessages(db, a.id)).map((m) => m.role)).toEqual(['user', 'assistant']);
		expect(await threadMessages(db, b.id)).toEqual([]);
		const outbox = await db.outbox.toArray();
		expect(outbox.map((o) => o.table)).toEqual(['threads', 'threads', 'threads', 'messages', 'messages']);
		await db.delete();
	});
});
