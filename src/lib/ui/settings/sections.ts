import type { Component } from 'svelte';
import ChronologySection from './ChronologySection.svelte';
import GpuSection from './GpuSection.svelte';
import ModelsSection from './ModelsSection.svelte';
import OcrSection from './OcrSection.svelte';
import StorageSection from './StorageSection.svelte';
import SyncSection from './SyncSection.svelte';
import TeamSection from './TeamSection.svelte';

export interface SettingsSection {
	id: string;
	title: string;
	description: string;
	component?: Component;
	/** Shown only to the team's admins (the signed-in role, as the server says). */
	adminOnly?: boolean;
}

/** The sections of Settings, in order; DESIGN.md names Models, Sync and Storage. */
export const SETTINGS_SECTIONS: readonly SettingsSection[] = [
	{
		id: 'models',
		title: 'Models',
		description:
			'Choose, download and remove the language and embedding models that run on this computer’s GPU, or point Docket at your team’s own model server.',
		component: ModelsSection
	},
	{
		id: 'sync',
		title: 'Sync',
		description:
			'Connect to your team’s Docket server with its address and your access token, to sync cases when online.',
		component: SyncSection
	},
	{ id: 'ocr', title: 'OCR', description: '', component: OcrSection },
	{ id: 'chronology', title: 'Timeline and reports', description: '', component: ChronologySection },
	{ id: 'storage', title: 'Storage', description: '', component: StorageSection },
	{ id: 'gpu', title: 'GPU', description: '', component: GpuSection },
	{ id: 'team', title: 'Team', description: '', component: TeamSection, adminOnly: true }
];
