/**
 * The ingest runner's queue for scans (`ocr/job.ts`): jobs whose files need OCR wait here, first come first
 * served, and are let in a few at a time only while no text file is queued or at work, so OCR runs at a
 * lower priority than text PDFs. A job waiting here holds no slot and no bytes.
 */
import { CancelledError } from '../errors.ts';

export type ScanPhase = 'waiting' | 'reading';

/**
 * Files read by OCR at once. A file's pages are spread over the engines (at least two), so a one-page
 * scan alone would leave one idle: a second file fills it (a box of one-page exhibits is common). Each
 * file keeps at most one drawn page per engine waiting, so more files would only hold more pages in
 * memory. Files waiting their turn hold no bytes: they are read again from the file store when it comes.
 */
const SCANS_AT_ONCE = 2;

export class ScanLane<Job extends { scan: ScanPhase | undefined }> {
	#queue: { job: Job; admit: () => void }[] = [];

	/** Resolves when the job's turn comes (`admit`); a cancel leaves the queue. */
	turn(job: Job, signal: AbortSignal): Promise<void> {
		return new Promise<void>((resolve, reject) => {
			if (signal.aborted) return reject(new CancelledError('Reading the scan'));
			const entry = {
				job,
				admit: () => {
					signal.removeEventListener('abort', onAbort);
					job.scan = 'reading';
					resolve();
				}
			};
			const onAbort = () => {
				this.#queue = this.#queue.filter((e) => e !== entry);
				reject(new CancelledError('Reading the scan'));
			};
			signal.addEventListener('abort', onAbort, { once: true });
			job.scan = 'waiting';
			this.#queue.push(entry);
		});
	}

	/** Lets the next scans in, unless text work is queued or running. */
	admit(jobs: Iterable<Job>, textWork: boolean): void {
		if (textWork) return;
		let reading = 0;
		for (const job of jobs) if (job.scan === 'reading') reading++;
		while (reading < SCANS_AT_ONCE && this.#queue.length > 0) {
			this.#queue.shift()!.admit();
			reading++;
		}
	}
}
