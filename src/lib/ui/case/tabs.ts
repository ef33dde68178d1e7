import type { Component } from 'svelte';
import ActivityTab from '../activity/ActivityTab.svelte';
import ChatTab from '../chat/ChatTab.svelte';
import DocumentsTab from '../documents/DocumentsTab.svelte';
import DuplicatesTab from '../duplicates/DuplicatesTab.svelte';
import SearchTab from '../search/SearchTab.svelte';
import TensorsTab from '../tensors/TensorsTab.svelte';
import TimelineTab from '../timeline/TimelineTab.svelte';

export type CaseTabId = 'documents' | 'search' | 'chat' | 'timeline' | 'duplicates' | 'tensors' | 'activity';

export interface CaseTab {
	id: CaseTabId;
	label: string;
	/** What the tab does, shown while it is not built yet. */
	description: string;
	/** The tab's panel; each takes the case id. Undefined until the feature lands. */
	component?: Component<{ caseId: string }>;
}

export const CASE_TABS: readonly CaseTab[] = [
	{
		id: 'documents',
		label: 'Documents',
		description:
			'Drop the case’s PDFs, text and Markdown files here. Docket keeps the originals, extracts their text page by page on this computer, and shows each file’s progress and state.',
		component: DocumentsTab
	},
	{
		id: 'search',
		label: 'Search',
		description:
			'Search every document of the case by keyword and by meaning, with “did you mean” for misspelt names; each result opens the page it came from.',
		component: SearchTab
	},
	{
		id: 'chat',
		label: 'Chat',
		description:
			'Ask questions about the case. A model on your own GPU answers from the case’s passages, and every [n] citation opens the cited page.',
		component: ChatTab
	},
	{
		id: 'timeline',
		label: 'Timeline',
		description:
			'Every dated event in the case, in order: the date, the sentence that states it, who it names and the page it is on. Filter, correct, annotate and export it.',
		component: TimelineTab
	},
	{
		id: 'duplicates',
		label: 'Near-duplicates',
		description:
			'Documents that are near-identical (the same letter scanned twice, two drafts), grouped with how alike they are and a side-by-side view of what differs.',
		component: DuplicatesTab
	},
	{
		id: 'tensors',
		label: 'Tensors',
		description:
			'Import 4D tensors (.npy), resample them with tricubic interpolation on the GPU, browse slices and export the result.',
		component: TensorsTab
	},
	{
		id: 'activity',
		label: 'Activity',
		description: 'A local log of the searches, opened pages and questions in this case, which you can clear.',
		component: ActivityTab
	}
];

export function isCaseTabId(value: string | null): value is CaseTabId {
	return CASE_TABS.some((t) => t.id === value);
}
