import { aiConnection } from '../ai/browser.ts';
import { BackgroundEmbedding, type EmbeddingActivity } from '../ai/background-embedding.ts';
import { EmbeddingRunner } from '../ai/embedding-runner.ts';
import { profileFromReport, type MachineProfile } from '../ai/model-registry.ts';
import type { DocketDatabase } from '../db/database.ts';
import type { GpuReport } from '../gpu/capability.ts';

/** This machine as the model chooser sees it: the app's GPU report and navigator.deviceMemory. */
export function machineProfile(gpu: GpuReport | undefined): MachineProfile {
	const memory =
		typeof navigator !== 'undefined' && 'deviceMemory' in navigator && typeof navigator.deviceMemory === 'number'
			? navigator.deviceMemory
			: undefined;
	return profileFromReport(gpu ?? { available: false }, memory);
}

/**
 * The tab's background embedding as rune state: started with the app (unfinished jobs resume after a
 * reload), run again after ingestion, when the network comes back and when a model gets loaded. The
 * embedding runner's Web Lock lets one tab at a time work the queue.
 */
export class EmbeddingsState {
	activity = $state.raw<EmbeddingActivity>({ state: 'idle' });
	readonly background: BackgroundEmbedding;

	constructor(db: DocketDatabase, profile: () => MachineProfile) {
		const { client } = aiConnection();
		const runner = new EmbeddingRunner({
			db,
			client,
			profile,
			locks: navigator.locks,
			loadedModel: () => this.background.loadedModel
		});
		this.background = new BackgroundEmbedding({ db, runner, onChange: (activity) => (this.activity = activity) });
		client.onEvent((event) => {
			if (event.name === 'status') this.background.modelStatus(event.data);
		});
		window.addEventListener('online', () => void this.background.kick());
	}

	/** One sentence while documents wait for a model, else undefined. */
	get message(): string | undefined {
		const a = this.activity;
		if (a.state !== 'waiting' || a.documents === 0) return undefined;
		const which = a.documents === 1 ? '1 document waits' : `${a.documents} documents wait`;
		return `${which} for an embedding model and can be found by keyword meanwhile: ${a.error.userMessage}`;
	}
}

let shared: { db: DocketDatabase; state: EmbeddingsState } | undefined;

/** Starts the tab's background embedding for this database (once) and runs what a reload left unfinished. */
export function startEmbeddings(db: DocketDatabase, profile: () => MachineProfile): EmbeddingsState {
	if (shared?.db !== db) {
		shared?.state.background.stop();
		shared = { db, state: new EmbeddingsState(db, profile) };
	}
	void shared.state.background.kick();
	return shared.state;
}

/** The running background embedding for this database, if the app started one. */
export function embeddingsFor(db: DocketDatabase): EmbeddingsState | undefined {
	return shared?.db === db ? shared.state : undefined;
}
