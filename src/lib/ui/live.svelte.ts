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
 */
export function live<T>(query: () => Promise<T> | T, deps: () => unknown = () => undefined): Live<T> {
	let current = $state.raw<T | undefined>(undefined);
	let error = $state.raw<unknown>(undefined);
	let loading = $state(true);
	$effect(() => {
		deps();
		loading = true;
		const subscription = liveQuery(query).subscribe({
			next(value) {
				current = value;
				error = undefined;
				loading = false;
			},
			error(e: unknown) {
				error = e;
				loading = false;
			}
		});
		return () => subscription.unsubscribe();
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
