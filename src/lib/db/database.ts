import { Dexie, type EntityTable, type Table, type Transaction } from 'dexie';
import { layersFromReadPages } from './ocr-layers.ts';
import type {
	ActivityRow,
	BlobRow,
	CaseRow,
	ChunkRow,
	ConflictRow,
	DocumentDigestRow,
	DocumentRow,
	EventEditRow,
	EventRow,
	FileRow,
	JobRow,
	KeyValueRow,
	MessageRow,
	OcrLayerRow,
	OutboxRow,
	PageRow,
	ReportRow,
	SearchIndexRow,
	SummaryRow,
	TensorRow,
	ThreadRow,
	UploadRow,
	VectorRow
} from './schema.ts';

export const DATABASE_NAME = 'docket';

/**
 * Every schema version the app has shipped, oldest first. This is the only place `version(n)` is called.
 *
 * The rule for changing the schema (see README › Local data):
 * 1. Never edit a version that has shipped; add `n + 1` with only the tables whose indexes change.
 * 2. Data moves in the new version's `upgrade()`, never by wiping a table: users' cases live here.
 * 3. Every upgrade gets a test that seeds version `n`, opens `n + 1`, and checks the data.
 * `database.test.ts` fails if a shipped version's stores change.
 */
export const SCHEMA_VERSIONS: readonly {
	version: number;
	stores: Record<string, string>;
	upgrade?: (tx: Transaction) => Promise<void>;
}[] = [
	{
		version: 1,
		stores: {
			cases: 'id, lastActivityAt, updatedAt',
			documents: 'id, caseId, [caseId+sha256], sha256, status',
			files: 'sha256',
			blobs: 'sha256',
			pages: '[documentId+page], caseId',
			chunks: 'id, caseId, documentId, [documentId+ordinal]',
			vectors: 'id, chunkId, caseId, documentId, [caseId+modelId], modelId',
			jobs: 'id, caseId, documentId, state, [kind+state]',
			threads: 'id, caseId, updatedAt',
			messages: 'id, threadId, caseId, [threadId+createdAt]',
			summaries: 'id, caseId, documentId',
			reports: 'id, caseId, updatedAt',
			tensors: 'id, caseId, sha256',
			activity: '++id, caseId, at, [caseId+at]',
			outbox: '++seq, &mutationId, [table+rowId], caseId',
			conflicts: 'id, caseId, [table+rowId]',
			uploads: 'key, fingerprint',
			searchIndexes: 'caseId',
			syncState: 'key',
			settings: 'key'
		}
	},
	{
		// Email: a message's attachments and a mailbox's messages by parent, messages by thread and by
		// Message-ID (threading looks a reply's parent up). Rows need no change: the fields are new.
		version: 2,
		stores: {
			documents: 'id, caseId, [caseId+sha256], sha256, status, parentId, [caseId+threadId], email.messageId'
		}
	},
	{
		// The chronology (issue 17): derived events and document digests (local), and people's edits (synced).
		version: 3,
		stores: {
			events: 'id, caseId, documentId',
			eventEdits: 'id, caseId',
			digests: 'documentId, caseId'
		}
	},
	{
		// OCR text layers, synced so a teammate's viewer has them; filled from the pages already read.
		version: 4,
		stores: {
			ocrLayers: 'id, caseId, documentId, [documentId+page]'
		},
		upgrade: (tx) => layersFromReadPages(tx)
	}
];

export class DocketDatabase extends Dexie {
	cases!: EntityTable<CaseRow, 'id'>;
	documents!: EntityTable<DocumentRow, 'id'>;
	files!: EntityTable<FileRow, 'sha256'>;
	blobs!: EntityTable<BlobRow, 'sha256'>;
	pages!: Table<PageRow, [string, number]>;
	chunks!: EntityTable<ChunkRow, 'id'>;
	vectors!: EntityTable<VectorRow, 'id'>;
	jobs!: EntityTable<JobRow, 'id'>;
	threads!: EntityTable<ThreadRow, 'id'>;
	messages!: EntityTable<MessageRow, 'id'>;
	summaries!: EntityTable<SummaryRow, 'id'>;
	reports!: EntityTable<ReportRow, 'id'>;
	tensors!: EntityTable<TensorRow, 'id'>;
	activity!: EntityTable<ActivityRow, 'id'>;
	outbox!: EntityTable<OutboxRow, 'seq'>;
	conflicts!: EntityTable<ConflictRow, 'id'>;
	uploads!: EntityTable<UploadRow, 'key'>;
	searchIndexes!: EntityTable<SearchIndexRow, 'caseId'>;
	syncState!: EntityTable<KeyValueRow, 'key'>;
	settings!: EntityTable<KeyValueRow, 'key'>;
	events!: EntityTable<EventRow, 'id'>;
	eventEdits!: EntityTable<EventEditRow, 'id'>;
	digests!: EntityTable<DocumentDigestRow, 'documentId'>;
	ocrLayers!: EntityTable<OcrLayerRow, 'id'>;

	constructor(name: string = DATABASE_NAME, options?: ConstructorParameters<typeof Dexie>[1]) {
		super(name, options);
		for (const { version, stores, upgrade } of SCHEMA_VERSIONS) {
			const declared = this.version(version).stores(stores);
			if (upgrade) declared.upgrade(upgrade);
		}
	}
}

/** Tables that hold a case's own rows, keyed by `caseId`: deleting a case empties each of them. */
export const CASE_SCOPED_TABLES = [
	'documents',
	'pages',
	'chunks',
	'vectors',
	'jobs',
	'threads',
	'messages',
	'summaries',
	'reports',
	'tensors',
	'activity',
	'conflicts',
	'searchIndexes',
	'events',
	'eventEdits',
	'digests',
	'ocrLayers'
] as const satisfies readonly (keyof DocketDatabase)[];
