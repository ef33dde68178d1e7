/**
 * Which tab works which ingest job. Every tab resumes the unfinished jobs it finds, so two open tabs would
 * each read, OCR and store the same file. A tab claims a job with a Web Lock named after it (held from the
 * moment it tracks the job until the job is done, or the tab closes), and a tab that finds a job claimed
 * leaves it to the holder: it shows the holder's progress, forwards the person's cancel, retry and
 * password to it over a BroadcastChannel, and takes the job over when the holder's lock goes.
 */
import type { JobProgress } from './ingest-runner.ts';

/** The slice of `navigator.locks` used here. */
export interface JobLockManager {
	request(
		name: string,
		options: { ifAvailable?: boolean; signal?: AbortSignal },
		callback: (lock: unknown) => Promise<unknown> | unknown
	): Promise<unknown>;
}

/** What tabs tell each other about jobs. */
export type ClaimMessage =
	| { type: 'progress'; jobs: JobProgress[] }
	| { type: 'cancel' | 'retry'; jobId: string }
	| { type: 'password'; jobId: string; password: string }
	| { type: 'cancel-all' | 'retry-all'; caseId: string | undefined };

/** The slice of BroadcastChannel used here. */
export interface ClaimChannel {
	postMessage(message: ClaimMessage): void;
	addEventListener(type: 'message', listener: (event: MessageEvent<ClaimMessage>) => void): void;
	close(): void;
}

const LOCK_PREFIX = 'docket-ingest-job:';
export const CLAIM_CHANNEL = 'docket-ingest-jobs';

export class JobClaims {
	readonly #locks: JobLockManager;
	readonly #channel: ClaimChannel;
	readonly #held = new Map<string, () => void>();
	readonly #closing = new AbortController();

	constructor(locks: JobLockManager, channel: ClaimChannel) {
		this.#locks = locks;
		this.#channel = channel;
	}

	/** True when this tab now holds the job (or already did); false when another tab does. */
	claim(jobId: string): Promise<boolean> {
		if (this.#held.has(jobId)) return Promise.resolve(true);
		return new Promise<boolean>((resolve, reject) => {
			this.#locks
				.request(LOCK_PREFIX + jobId, { ifAvailable: true }, (lock) => {
					if (!lock) {
						resolve(false);
						return undefined;
					}
					resolve(true);
					return new Promise<void>((release) => this.#held.set(jobId, release));
				})
				.catch(reject);
		});
	}

	/** Lets the job go (it is done): a tab waiting on it may take it. */
	release(jobId: string): void {
		this.#held.get(jobId)?.();
		this.#held.delete(jobId);
	}

	/**
	 * Resolves once no tab holds the job (its holder finished it or closed); never after `close()`.
	 * The lock is given straight back: the caller claims it again if the job still needs work.
	 */
	whenFree(jobId: string): Promise<void> {
		return new Promise<void>((resolve) => {
			this.#locks
				.request(LOCK_PREFIX + jobId, { signal: this.#closing.signal }, () => resolve())
				.catch(() => undefined);
		});
	}

	post(message: ClaimMessage): void {
		this.#channel.postMessage(message);
	}

	onMessage(listener: (message: ClaimMessage) => void): void {
		this.#channel.addEventListener('message', (event) => listener(event.data));
	}

	/** Releases every job held and stops waiting (the runner is disposed). */
	close(): void {
		this.#closing.abort();
		for (const release of this.#held.values()) release();
		this.#held.clear();
		this.#channel.close();
	}
}

/** The browser's claims, where Web Locks and BroadcastChannel exist (every current browser). */
export function browserJobClaims(): JobClaims | undefined {
	if (typeof navigator === 'undefined' || !('locks' in navigator) || typeof BroadcastChannel === 'undefined')
		return undefined;
	return new JobClaims(navigator.locks, new BroadcastChannel(CLAIM_CHANNEL) as ClaimChannel);
}
