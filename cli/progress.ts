/**
 * Progress of a long command, on stderr so `--json` output on stdout stays clean. On a terminal one
 * status line is redrawn in place (files, pages, bytes, rate, time left); elsewhere (a log, a CI job) it
 * degrades to one line per finished file, which reads well in a file and never floods it.
 */
export interface ProgressSink {
	/** True on a terminal: the line is redrawn with a carriage return. */
	isTTY: boolean;
	write(text: string): void;
}

export function processProgressSink(): ProgressSink {
	return { isTTY: process.stderr.isTTY === true, write: (text) => void process.stderr.write(text) };
}

export interface ProgressTotals {
	files: number;
	bytes: number;
}

const REDRAW_EVERY_MS = 200;

export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	const units = ['KB', 'MB', 'GB', 'TB'];
	let value = bytes / 1024;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
	if (!Number.isFinite(seconds) || seconds < 0) return '–';
	const s = Math.round(seconds);
	const h = Math.floor(s / 3600);
	const m = Math.floor((s % 3600) / 60);
	const rest = String(s % 60).padStart(2, '0');
	return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** Counts work done across files and shows it; `now` is injectable for tests. */
export class Progress {
	readonly #sink: ProgressSink;
	readonly #label: string;
	readonly #now: () => number;
	readonly #started: number;
	#totals: ProgressTotals;
	#files = 0;
	#bytes = 0;
	#pages = 0;
	/** Pages of files still running, by file. */
	#running = new Map<string, number>();
	#lastDraw = 0;
	#drawn = false;

	constructor(sink: ProgressSink, label: string, totals: ProgressTotals, now: () => number = () => Date.now()) {
		this.#sink = sink;
		this.#label = label;
		this.#totals = totals;
		this.#now = now;
		this.#started = now();
	}

	/** Work already done before this run (a resumed import), counted as done but not in the rate. */
	setTotals(totals: ProgressTotals): void {
		this.#totals = totals;
		this.#draw(false);
	}

	/** Pages done so far in a file that is still running. */
	pages(file: string, pagesDone: number): void {
		this.#running.set(file, pagesDone);
		this.#draw(false);
	}

	/** A file is finished; `note` is its outcome in a few words (its status, "skipped: on the server"). */
	fileDone(file: string, bytes: number, pages: number, note: string): void {
		this.#running.delete(file);
		this.#files++;
		this.#bytes += bytes;
		this.#pages += pages;
		if (this.#sink.isTTY) this.#draw(false);
		else
			this.#sink.write(
				`${this.#label} [${this.#files}/${this.#totals.files}] ${note} · ${pages} pages · ${formatBytes(bytes)} · ${file}\n`
			);
	}

	/** The final line (and, on a terminal, the end of the redrawn one). */
	finish(summary?: string): void {
		if (this.#sink.isTTY) {
			this.#draw(true);
			this.#sink.write('\n');
		}
		if (summary) this.#sink.write(`${this.#label}: ${summary}\n`);
	}

	/** The status line: files, pages, bytes, rate and time left. */
	line(): string {
		const seconds = Math.max(0.001, (this.#now() - this.#started) / 1000);
		let pages = this.#pages;
		for (const n of this.#running.values()) pages += n;
		const rate = this.#bytes / seconds;
		const left = rate > 0 ? (this.#totals.bytes - this.#bytes) / rate : Number.NaN;
		return [
			`${this.#label}: ${this.#files}/${this.#totals.files} files`,
			`${pages} pages`,
			`${formatBytes(this.#bytes)} of ${formatBytes(this.#totals.bytes)}`,
			`${formatBytes(rate)}/s`,
			`${(this.#files / seconds).toFixed(1)} files/s`,
			`${formatDuration(left)} left`
		].join(' · ');
	}

	#draw(force: boolean): void {
		if (!this.#sink.isTTY) return;
		const now = this.#now();
		if (!force && this.#drawn && now - this.#lastDraw < REDRAW_EVERY_MS) return;
		this.#lastDraw = now;
		this.#drawn = true;
		// \r back to the start, ESC[K clears what a longer line left behind.
		this.#sink.write(`\r${this.line()}\x1b[K`);
	}
}

/**
 * Progress of one long computation known as a fraction (`docket tensor`): a redrawn percentage with time
 * left on a terminal, a line at every tenth otherwise.
 */
export function fractionProgress(
	sink: ProgressSink,
	label: string,
	now: () => number = () => Date.now()
): { update(fraction: number): void; finish(): void } {
	const started = now();
	let lastDraw = 0;
	let lastTenth = -1;
	let drawn = false;
	const text = (fraction: number) => {
		const seconds = (now() - started) / 1000;
		const left = fraction > 0 ? (seconds * (1 - fraction)) / fraction : Number.NaN;
		return `${label}: ${Math.floor(fraction * 100)}% · ${formatDuration(seconds)} elapsed · ${formatDuration(left)} left`;
	};
	return {
		update(fraction) {
			const f = Math.min(1, Math.max(0, fraction));
			if (sink.isTTY) {
				if (drawn && now() - lastDraw < REDRAW_EVERY_MS) return;
				lastDraw = now();
				drawn = true;
				sink.write(`\r${text(f)}\x1b[K`);
				return;
			}
			const tenth = Math.floor(f * 10);
			if (tenth === lastTenth) return;
			lastTenth = tenth;
			sink.write(`${text(f)}\n`);
		},
		finish() {
			if (sink.isTTY && drawn) sink.write(`\r${text(1)}\x1b[K\n`);
		}
	};
}
