import { liveQuery } from 'dexie';

export interface Live<T> {
	/** The latest result; undefined until the first one arrives. */
	readonly current: T | undefined;
	readonly error: unknown;
	readonly loading: boolean;
}

/**
 * A Dexie `liveQuery` as rune state: `current` updates whenever the rows the query read change, in
 * this tab or another. Dexie may run the query outside the effect's synchronous turn, so reactive
 * values the query depends on are named in `deps`, which the effect reads to know when to re-subscribe.
 * Call it during component initialisation.
 *
 * `throttleMs` passes on at most one result per interval (the first at once, then the latest): a list
 * whose rows change hundreds of times a second, such as a case's documents while 300 files are added,
 * would otherwise re-render on every write.
 */
export function live<T>(
	query: () => Promise<T> | T,
	deps: () => unknown = () => undefined,
	options: { throttleMs?: number } = {}
): Live<T> {
	let current = $state.raw<T | undefined>(undefined);
	let error = $state.raw<unknown>(undefined);
	let loading = $state(true);
	$effect(() => {
		deps();
		loading = true;
		const gate = throttle(options.throttleMs ?? 0, (value: T) => {
			current = value;
			error = undefined;
			loading = false;
		});
		const subscription = liveQuery(query).subscribe({
			next: gate.push,
			error(e: unknown) {
				error = e;
				loading = false;
			}
		});
		return () => {
			subscription.unsubscribe();
			gate.cancel();
		};
	});
	return {
		get current() {
			return current;
		},
		get error() {
			return error;
		},
		get loading() {
			return loading;
		}
	};
}

/** Calls `apply` with the first value at once, then with the latest value at most once per `ms`. */
export function throttle<T>(
	ms: number,
	apply: (value: T) => void,
	now: () => number = () => performance.now()
): { push: (value: T) => void; cancel: () => void } {
	let last = -Infinity;
	let timer: ReturnType<typeof setTimeout> | undefined;
	let pending: { value: T } | undefined;
	const flush = () => {
		timer = undefined;
		if (!pending) return;
		const { value } = pending;
		pending = undefined;
		last = now();
		apply(value);
	};
	return {
		push(value) {
			pending = { value };
			if (timer !== undefined) return;
			const wait = ms - (now() - last);
			if (wait <= 0) flush();
			else timer = setTimeout(flush, wait);
		},
		cancel() {
			clearTimeout(timer);
			timer = undefined;
			pending = undefined;
		}
	};
}
