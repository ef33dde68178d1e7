import type { Component } from 'svelte';

export type CaseTabId = 'documents' | 'search' | 'chat' | 'tensors' | 'activity';

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
			'Drop the case’s PDFs, text and Markdown files here. Docket keeps the originals, extracts their text page by page on this computer, and shows each file’s progress and state.'
	},
	{
		id: 'search',
		label: 'Search',
		description:
			'Search every document of the case by keyword and by meaning, with “did you mean” for misspelt names; each result opens the page it came from.'
	},
	{
		id: 'chat',
		label: 'Chat',
		description:
			'Ask questions about the case. A model on your own GPU answers from the case’s passages, and every [n] citation opens the cited page.'
	},
	{
		id: 'tensors',
		label: 'Tensors',
		description:
			'Import 4D tensors (.npy), resample them with tricubic interpolation on the GPU, browse slices and export the result.'
	},
	{
		id: 'activity',
		label: 'Activity',
		description: 'A local log of the searches, opened pages and questions in this case, which you can clear.'
	}
];

export function isCaseTabId(value: string | null): value is CaseTabId {
	return CASE_TABS.some((t) => t.id === value);
}
