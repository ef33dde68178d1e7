/** Main-thread tasks in a Chromium trace, for the tests that keep the page responsive while work runs. */

interface TraceEvent {
	name: string;
	ph: string;
	pid: number;
	tid: number;
	ts: number;
	dur?: number;
	tdur?: number;
	args?: { name?: string; data?: { message?: string } };
}

/**
 * The page's main-thread tasks in a Chromium trace: how many, the longest in wall time and in the thread's
 * own CPU time, and their CPU time in all. Between the `ingest-start` and `ingest-end` time stamps when the
 * trace has them; a trace of only `toplevel` events (small enough for a long run) counts the busiest
 * renderer main thread's tasks throughout.
 */
export function mainThreadTaskCpu(trace: Buffer): {
	tasks: number;
	longestWall: number;
	longestCpu: number;
	totalCpu: number;
} {
	const parsed: unknown = JSON.parse(trace.toString('utf8'));
	const events = (
		Array.isArray(parsed) ? parsed : (parsed as { traceEvents: TraceEvent[] }).traceEvents
	) as TraceEvent[];
	const stamp = (message: string) => events.find((e) => e.name === 'TimeStamp' && e.args?.data?.message === message);
	const isTask = (e: TraceEvent) => e.name === 'ThreadControllerImpl::RunTask' && e.ph === 'X';
	const from = stamp('ingest-start');
	const to = stamp('ingest-end');
	let tasks: TraceEvent[];
	if (from && to) {
		tasks = events.filter(
			(e) => isTask(e) && e.pid === from.pid && e.tid === from.tid && e.ts >= from.ts && e.ts <= to.ts
		);
	} else {
		const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
		const perThread = mains.map((m) => events.filter((e) => isTask(e) && e.pid === m.pid && e.tid === m.tid));
		tasks = perThread.reduce<TraceEvent[]>((busiest, t) => (t.length > busiest.length ? t : busiest), []);
		if (tasks.length === 0) throw new Error('The trace has no renderer main-thread tasks.');
	}
	return {
		tasks: tasks.length,
		longestWall: tasks.reduce((max, t) => Math.max(max, (t.dur ?? 0) / 1000), 0),
		longestCpu: tasks.reduce((max, t) => Math.max(max, (t.tdur ?? t.dur ?? 0) / 1000), 0),
		totalCpu: tasks.reduce((sum, t) => sum + (t.tdur ?? t.dur ?? 0) / 1000, 0)
	};
}
