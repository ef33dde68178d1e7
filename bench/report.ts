/**
 * Benchmarks report figures beside a baseline measured in the same run, so a shared, noisy machine
 * still gives a fair comparison: the ratio is what to read, the absolute numbers are context.
 */
export interface Figure {
	bench: string;
	figure: string;
	value: number;
	unit: string;
	baseline: string;
	baseline_value: number;
	/** value / baseline_value. */
	ratio: number;
}

export interface BenchContext {
	json: boolean;
	/** Remaining command-line arguments after the bench name (e.g. `--model ID`). */
	args: string[];
	report(figure: Omit<Figure, 'ratio' | 'bench'>): void;
	log(line: string): void;
}

export interface Bench {
	name: string;
	summary: string;
	run(context: BenchContext): Promise<void>;
}

export function createContext(
	bench: string,
	json: boolean,
	args: string[],
	write: (line: string) => void
): BenchContext & { figures: Figure[] } {
	const figures: Figure[] = [];
	return {
		json,
		args,
		figures,
		report(f) {
			const figure: Figure = { bench, ...f, ratio: f.baseline_value === 0 ? NaN : f.value / f.baseline_value };
			figures.push(figure);
			if (json) write(JSON.stringify(figure));
			else
				write(
					`${bench} · ${figure.figure}: ${formatNumber(figure.value)} ${figure.unit}  (baseline ${figure.baseline}: ${formatNumber(figure.baseline_value)} ${figure.unit}; ratio ${formatNumber(figure.ratio)})`
				);
		},
		log(line) {
			if (!json) write(line);
		}
	};
}

export function formatNumber(n: number): string {
	if (!Number.isFinite(n)) return String(n);
	const abs = Math.abs(n);
	if (abs >= 100) return n.toFixed(0);
	if (abs >= 1) return n.toFixed(2);
	return n.toPrecision(3);
}

/** Milliseconds of each of `iterations` runs after `warmup` unmeasured ones. */
export async function sample(fn: () => unknown, { iterations = 20, warmup = 3 } = {}): Promise<number[]> {
	for (let i = 0; i < warmup; i++) await fn();
	const times: number[] = [];
	for (let i = 0; i < iterations; i++) {
		const start = performance.now();
		await fn();
		times.push(performance.now() - start);
	}
	return times;
}

export function percentile(samples: readonly number[], p: number): number {
	if (samples.length === 0) return NaN;
	const sorted = [...samples].sort((a, b) => a - b);
	const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[index]!;
}
