/**
 * The sync protocol, shared by the app and the server: versions, request and response shapes, tus
 * metadata names and limits. Both sides import this one module, so they cannot drift apart.
 */
import { z } from 'zod';
import { MAX_FLOAT32, unstorableReason, utf8Length } from './safe-json.ts';

/** Bumped when a change would break older clients; the server reports it at /api/v1/health. */
export const PROTOCOL_VERSION = 1;

export interface HealthResponse {
	ok: true;
	protocol: number;
}

/** The tables that travel between devices and the server. */
export const SYNCED_TABLES = [
	'cases',
	'documents',
	'chunks',
	'threads',
	'messages',
	'eventEdits',
	'ocrLayers'
] as const;
export type SyncedTableName = (typeof SYNCED_TABLES)[number];

/** Limits both sides respect, so a client never builds a request the server refuses for size. */
export const LIMITS = {
	/** Mutations in one push. */
	maxMutationsPerPush: 500,
	/** Changes in one pull page. */
	maxPullLimit: 1000,
	defaultPullLimit: 200,
	/** Bytes of one JSON request body (a push of 500 chunks with 1024-d vectors fits). */
	maxJsonBodyBytes: 16 * 1024 * 1024,
	/** Serialised size of one row's fields. */
	maxFieldsBytes: 256 * 1024,
	maxVectorDimensions: 4096,
	maxSearchK: 100,
	/** Largest original file accepted over tus. */
	maxUploadBytes: 4 * 1024 * 1024 * 1024
} as const;

/** Field names a row may carry: plain identifiers, so a field name can never smuggle anything in. */
const fieldName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/);
const uuid = z
	.string()
	.regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a UUID');
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256');

/**
 * A row's fields. Storability (no U+0000, no lone surrogate, bounded nesting) is checked before the size,
 * so serialising hostile nesting never runs; the size counts UTF-8 bytes, as the server stores them.
 */
export const Fields = z.record(fieldName, z.unknown()).superRefine((fields, context) => {
	// A value costs at least a byte of JSON: more values than bytes allowed is too large, said at once.
	const why = unstorableReason(fields, 'fields', LIMITS.maxFieldsBytes);
	if (why) {
		context.addIssue({ code: 'custom', message: why });
		return;
	}
	if (utf8Length(JSON.stringify(fields)) > LIMITS.maxFieldsBytes)
		context.addIssue({ code: 'custom', message: `fields are larger than ${LIMITS.maxFieldsBytes} bytes` });
});
export type Fields = Record<string, unknown>;

export const Mutation = z.object({
	mutationId: uuid,
	table: z.enum(SYNCED_TABLES),
	id: uuid,
	/** The server revision the change was made against; 0 for a row the server has not seen. */
	baseRev: z.number().int().min(0),
	op: z.enum(['put', 'delete']),
	fields: Fields
});
export type Mutation = z.infer<typeof Mutation>;

export const PushRequest = z.object({
	clientId: uuid,
	mutations: z.array(Mutation).max(LIMITS.maxMutationsPerPush)
});
export type PushRequest = z.infer<typeof PushRequest>;

/**
 * What the server checks of a push as a whole. Each mutation is then checked on its own, so one that does
 * not fit is answered `rejected` and the rest of the batch still applies.
 */
export const PushEnvelope = z.object({
	clientId: uuid,
	mutations: z.array(z.unknown()).max(LIMITS.maxMutationsPerPush)
});

export const MUTATION_STATUSES = ['applied', 'duplicate', 'conflict', 'rejected'] as const;

/** A row as the server holds it: what a conflict shows and what a pull delivers. */
export const ServerRow = z.object({
	table: z.enum(SYNCED_TABLES),
	id: z.string(),
	rev: z.number().int(),
	seq: z.number().int(),
	deleted: z.boolean(),
	fields: z.record(z.string(), z.unknown())
});
export type ServerRow = z.infer<typeof ServerRow>;

export const MutationResult = z.object({
	mutationId: z.string(),
	status: z.enum(MUTATION_STATUSES),
	/** The row's revision after this mutation (the server's current one for a conflict). */
	rev: z.number().int(),
	/** The change sequence number the mutation was written at; 0 when nothing was written. */
	seq: z.number().int(),
	/** The server's row: after a conflict or a per-field merge, so the client can show or adopt it. */
	server: ServerRow.optional(),
	/** Why a mutation was rejected, in words a person can act on. */
	reason: z.string().optional()
});
export type MutationResult = z.infer<typeof MutationResult>;

export const PushResponse = z.object({ results: z.array(MutationResult) });
export type PushResponse = z.infer<typeof PushResponse>;

export const PullQuery = z.object({
	since: z.coerce.number().int().min(0).default(0),
	limit: z.coerce.number().int().min(1).max(LIMITS.maxPullLimit).default(LIMITS.defaultPullLimit)
});
export type PullQuery = z.infer<typeof PullQuery>;

/** Code of the 409 a pull answers when `since` is past the server's latest change (it was restored). */
export const CURSOR_AHEAD = 'cursor-ahead';

/**
 * The fields a pulled row may carry, per table, as the app's rows type them. Every field is optional (a
 * change may carry a few) and unknown fields pass (a newer teammate's app); a known field of the wrong type
 * is a malformed row, which the client quarantines instead of storing.
 */
const count = z.number().finite();
const text = z.string();
const id = z.string().max(64);
/** A message's metadata as the app reads it (`email/types.ts`): what the viewer and search rely on. */
const mailbox = z.looseObject({ address: text, name: text.optional() });
const messageMeta = z.looseObject({
	from: mailbox.optional(),
	to: z.array(mailbox),
	cc: z.array(mailbox),
	bcc: z.array(mailbox),
	subject: text,
	date: count.optional(),
	references: z.array(text),
	threadKey: text,
	attachments: z.array(
		z.looseObject({ name: text, mimeType: text, size: count, sha256: text, documentId: id.optional() })
	)
});
export const ROW_FIELDS = {
	cases: z.looseObject({ title: text, createdAt: count, updatedAt: count, lastActivityAt: count }).partial(),
	documents: z
		.looseObject({
			caseId: id,
			name: text,
			sha256: text,
			size: count,
			mimeType: text,
			kind: text,
			status: text,
			pages: count,
			pagesWithoutText: z.array(count),
			error: text,
			embeddingModelId: text,
			parentId: id,
			threadId: text,
			email: messageMeta,
			mailbox: z.looseObject({ messages: count }),
			createdAt: count,
			updatedAt: count
		})
		.partial(),
	chunks: z
		.looseObject({
			caseId: id,
			documentId: id,
			ordinal: count,
			page: count,
			start: count,
			end: count,
			text,
			block: z.literal('headers'),
			paragraph: count,
			paragraphEnd: count,
			embedding: z.array(count).max(LIMITS.maxVectorDimensions).nullable(),
			embeddingModelId: text.nullable()
		})
		.partial(),
	threads: z.looseObject({ caseId: id, title: text, createdAt: count, updatedAt: count }).partial(),
	messages: z
		.looseObject({
			caseId: id,
			threadId: id,
			role: z.enum(['user', 'assistant']),
			content: text,
			citations: z.array(
				z.looseObject({ n: count, chunkId: id, documentId: id, page: count, start: count, end: count })
			),
			status: z.enum(['streaming', 'done', 'cancelled', 'failed']),
			modelId: text,
			createdAt: count
		})
		.partial(),
	// A person's changes to one chronology event (the event itself is derived from chunks on each device).
	eventEdits: z
		.looseObject({
			caseId: id,
			dropped: z.boolean(),
			date: z.string().max(32),
			note: text
		})
		.partial(),
	// The words OCR read on one page, with their boxes (fractions of the page) and offsets into `text`.
	ocrLayers: z
		.looseObject({
			caseId: id,
			documentId: id,
			page: count,
			text,
			confidence: z.number().min(0).max(100),
			from: count,
			words: z.array(z.tuple([text, z.number(), z.number(), z.number(), z.number(), z.number(), count, count]))
		})
		.partial()
} as const satisfies Record<SyncedTableName, z.ZodType>;

/** A pulled row checked against its table's fields; the problem in words when it does not fit. */
export function checkPulledRow(input: unknown): { ok: true; row: ServerRow } | { ok: false; reason: string } {
	const parsed = ServerRow.safeParse(input);
	if (!parsed.success) return { ok: false, reason: parsed.error.issues[0]?.message ?? 'not a row' };
	const row = parsed.data;
	if (row.deleted) return { ok: true, row };
	const fields = ROW_FIELDS[row.table].safeParse(row.fields);
	if (!fields.success) {
		const issue = fields.error.issues[0];
		return { ok: false, reason: `${issue?.path.join('.') || 'fields'}: ${issue?.message ?? 'invalid'}` };
	}
	return { ok: true, row };
}

/** A pull page as it travels; each change is checked on its own (`checkPulledRow`). */
export const PullPage = z.object({
	/** Absent from servers older than the epoch: nothing to compare then. */
	epoch: z.string().optional(),
	changes: z.array(z.unknown()),
	checkpoint: z.number().int(),
	hasMore: z.boolean()
});

export const PullResponse = z.object({
	/**
	 * The server's epoch: a new id each time its database is restored from a backup. A device that sees a
	 * different epoch than at its last pull pulls everything again.
	 */
	epoch: z.string(),
	changes: z.array(ServerRow),
	/** Pass as `since` next time: every change up to it has been delivered. */
	checkpoint: z.number().int(),
	hasMore: z.boolean()
});
export type PullResponse = z.infer<typeof PullResponse>;

export const SearchRequest = z.object({
	caseId: uuid,
	vector: z.array(z.number().min(-MAX_FLOAT32).max(MAX_FLOAT32)).min(1).max(LIMITS.maxVectorDimensions),
	k: z.number().int().min(1).max(LIMITS.maxSearchK).default(10)
});
export type SearchRequest = z.infer<typeof SearchRequest>;

export const SearchResponse = z.object({
	results: z.array(
		z.object({
			chunkId: z.string(),
			documentId: z.string(),
			/** Cosine distance (0 = same direction); null when it has no value (a zero vector has no direction). */
			distance: z.number().nullable(),
			fields: z.record(z.string(), z.unknown())
		})
	)
});
export type SearchResponse = z.infer<typeof SearchResponse>;

/**
 * Chunk fields that carry the embedding. The server keeps them in a pgvector column rather than the
 * JSON fields, so search can use them.
 */
export const EMBEDDING_FIELD = 'embedding';
export const EMBEDDING_MODEL_FIELD = 'embeddingModelId';

/** The tus endpoint and the metadata each upload carries (all required). */
export const TUS_PATH = '/files/';
export const TUS_METADATA = ['caseId', 'documentId', 'sha256', 'filename'] as const;
export const UploadMetadata = z.object({
	caseId: uuid,
	documentId: uuid,
	sha256: sha256Hex,
	/** Display only: the server never uses it in a path. */
	filename: z
		.string()
		.min(1)
		.refine((name) => utf8Length(name) <= 1024, 'must be at most 1024 bytes')
});
export type UploadMetadata = z.infer<typeof UploadMetadata>;

/** Where an uploaded original is served from, with Range support. */
export function fileUrl(documentId: string): string {
	return `/api/v1/files/${encodeURIComponent(documentId)}`;
}

export const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type ErrorBody = z.infer<typeof ErrorBody>;

export const AddUserRequest = z.object({
	name: z.string().min(1).max(200),
	team: z.string().min(1).max(200)
});
export const AddUserResponse = z.object({ userId: z.string(), teamId: z.string(), token: z.string() });
export type AddUserResponse = z.infer<typeof AddUserResponse>;
