/**
 * Model-load progress in one shape for the UI, whichever engine reports it: web-llm's
 * `initProgressCallback` (a fraction and a sentence) or transformers.js's per-file byte counts.
 */

export type LoadPhase = 'download' | 'load' | 'ready';

export interface LoadProgress {
	modelId: string;
	phase: LoadPhase;
	/** 0..1 of the current phase. */
	fraction: number;
	/** Bytes fetched so far and in all, when the engine says (downloads only). */
	loadedBytes?: number;
	totalBytes?: number;
	/** One line for a status bar. */
	text: string;
}

const MiB = 1024 * 1024;

function clamp01(x: number): number {
	return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

export function formatBytes(bytes: number): string {
	if (bytes >= 1024 * MiB) return `${(bytes / (1024 * MiB)).toFixed(1)} GB`;
	if (bytes >= MiB) return `${Math.round(bytes / MiB)} MB`;
	if (bytes >= 1024) return `${Math.round(bytes / 1024)} kB`;
	return `${bytes} B`;
}

/**
 * web-llm's report → LoadProgress. web-llm only gives megabytes inside its sentence
 * ("Fetching param cache[3/24]: 120MB fetched. 12% completed, …"); `expectedBytes` (the registry's download
 * size) fills in the total when the sentence lacks one.
 */
export function fromWebLlmReport(
	modelId: string,
	report: { progress: number; text: string },
	expectedBytes?: number
): LoadProgress {
	const fraction = clamp01(report.progress);
	if (report.text.startsWith('Finish loading')) return { modelId, phase: 'ready', fraction: 1, text: 'Ready.' };
	const fetched = /Fetching param cache\[\d+\/\d+\]: (\d+)MB fetched/.exec(report.text);
	if (fetched) {
		const loadedBytes = Number(fetched[1]) * MiB;
		const totalBytes = fraction > 0 ? Math.round(loadedBytes / fraction) : expectedBytes;
		const out: LoadProgress = { modelId, phase: 'download', fraction, loadedBytes, text: '' };
		if (totalBytes !== undefined) out.totalBytes = totalBytes;
		out.text = `Downloading ${formatBytes(loadedBytes)}${totalBytes ? ` of ${formatBytes(totalBytes)}` : ''} (${Math.floor(fraction * 100)}%)`;
		return out;
	}
	if (report.text.startsWith('Loading model from cache'))
		return { modelId, phase: 'load', fraction, text: `Loading onto the GPU (${Math.floor(fraction * 100)}%)` };
	if (report.text.startsWith('Start to fetch'))
		return expectedBytes === undefined
			? { modelId, phase: 'download', fraction: 0, loadedBytes: 0, text: 'Starting download' }
			: {
					modelId,
					phase: 'download',
					fraction: 0,
					loadedBytes: 0,
					totalBytes: expectedBytes,
					text: 'Starting download'
				};
	// Shader compilation and other steps report only a fraction.
	return { modelId, phase: 'load', fraction, text: `Preparing the model (${Math.floor(fraction * 100)}%)` };
}

/** The subset of transformers.js's progress events that carry bytes. */
export type TransformersProgressEvent =
	| { status: 'initiate' | 'download' | 'done'; file: string }
	| { status: 'progress'; file: string; loaded: number; total: number }
	| { status: 'progress_total'; loaded: number; total: number }
	| { status: 'ready' };

/** Sums transformers.js's per-file progress into one figure for the whole model. */
export class TransformersProgress {
	private readonly files = new Map<string, { loaded: number; total: number }>();
	constructor(private readonly modelId: string) {}

	update(event: TransformersProgressEvent): LoadProgress | undefined {
		if (event.status === 'ready') return { modelId: this.modelId, phase: 'ready', fraction: 1, text: 'Ready.' };
		if (event.status !== 'progress') return undefined;
		this.files.set(event.file, { loaded: event.loaded, total: event.total });
		let loadedBytes = 0;
		let totalBytes = 0;
		for (const f of this.files.values()) {
			loadedBytes += f.loaded;
			totalBytes += f.total;
		}
		const fraction = totalBytes > 0 ? clamp01(loadedBytes / totalBytes) : 0;
		return {
			modelId: this.modelId,
			phase: 'download',
			fraction,
			loadedBytes,
			totalBytes,
			text: `Downloading ${formatBytes(loadedBytes)} of ${formatBytes(totalBytes)} (${Math.floor(fraction * 100)}%)`
		};
	}
}
