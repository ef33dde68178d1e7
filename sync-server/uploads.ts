import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { Server as TusServer } from '@tus/server';
import { authenticate, type Principal } from './auth.ts';
import { checkUploadId, storageKey, type FileStorage } from './file-storage.ts';
import { LIMITS, UploadMetadata } from '../src/lib/sync/protocol.ts';

/** tus answers errors thrown as `{ status_code, body }`. */
function fail(status_code: number, body: string): { status_code: number; body: string } {
	return { status_code, body };
}

interface UploadRecord {
	id: string;
	team_id: string;
	case_id: string;
	document_id: string;
	sha256: string;
	filename: string;
	state: 'open' | 'complete' | 'failed';
}

/**
 * Resumable uploads of original files (tus at `/files/`). Each upload belongs to a team and a document the
 * team owns; the server names uploads itself (random ids), checks the SHA-256 when the last byte arrives,
 * then keeps the file under a key made of the team id and that checked hash.
 */
export class Uploads {
	readonly tus: TusServer;

	constructor(
		private readonly pool: pg.Pool,
		private readonly storage: FileStorage,
		private readonly log: FastifyBaseLogger
	) {
		this.tus = new TusServer({
			path: '/files',
			datastore: storage.datastore,
			maxSize: LIMITS.maxUploadBytes,
			relativeLocation: true,
			disableTerminationForFinishedUploads: true,
			getFileIdFromRequest: (_req, id) => (id && /^[0-9a-f]{32}$/.test(id) ? id : undefined),
			namingFunction: async (req, metadata) =>
				this.create(req.headers.get('authorization'), req.headers.get('upload-length'), metadata),
			onIncomingRequest: async (req, uploadId) => {
				// tus's own GET serves whole files without Range; originals come from /api/v1/files/.
				if (req.method === 'GET') throw fail(405, 'Download finished files from /api/v1/files/DOCUMENT_ID.');
				await this.authorise(req.headers.get('authorization'), uploadId);
			},
			onUploadFinish: async (_req, upload) => {
				await this.finish(upload.id);
				return {};
			}
		});
	}

	private async principal(header: string | null): Promise<Principal> {
		const principal = await authenticate(this.pool, header);
		if (!principal) throw fail(401, 'Sign in with a valid access token.');
		return principal;
	}

	/** Validates a new upload's metadata against the team's rows and records it; returns its id. */
	private async create(
		header: string | null,
		length: string | null,
		metadata: Record<string, string | null> | undefined
	): Promise<string> {
		const principal = await this.principal(header);
		// tus checks the size only after naming the upload, which records it: refuse first, so a refused
		// upload leaves no row.
		// Docket always knows a file's size: an upload that defers it (Upload-Defer-Length) would skip this check.
		if (length === null) throw fail(400, 'Send the file’s size (Upload-Length) when creating the upload.');
		if (!/^\d{1,20}$/.test(length) || Number(length) > LIMITS.maxUploadBytes)
			throw fail(413, `A file may be at most ${LIMITS.maxUploadBytes} bytes.`);
		const parsed = UploadMetadata.safeParse(metadata ?? {});
		if (!parsed.success)
			throw fail(400, 'Upload metadata needs caseId, documentId (UUIDs), sha256 (hex) and filename.');
		const { caseId, documentId, sha256, filename } = parsed.data;
		const doc = await this.pool.query<{ case_id: string; deleted: boolean }>(
			'SELECT case_id, deleted FROM documents WHERE team_id = $1 AND id = $2',
			[principal.teamId, documentId]
		);
		const row = doc.rows[0];
		if (!row || row.deleted || row.case_id !== caseId)
			throw fail(404, 'No such document in your team: push the document before its file.');
		const id = randomBytes(16).toString('hex');
		await this.pool.query(
			`INSERT INTO uploads (id, team_id, case_id, document_id, sha256, filename, state) VALUES ($1, $2, $3, $4, $5, $6, 'open')`,
			[id, principal.teamId, caseId, documentId, sha256, filename]
		);
		return id;
	}

	private async authorise(header: string | null, uploadId: string): Promise<void> {
		const principal = await this.principal(header);
		const { rows } = await this.pool.query('SELECT 1 FROM uploads WHERE id = $1 AND team_id = $2', [
			uploadId,
			principal.teamId
		]);
		// Another team's upload looks exactly like a missing one.
		if (rows.length === 0) throw fail(404, 'No such upload.');
	}

	/**
	 * Checks and keeps a finished upload. Safe to run twice (a client retrying its last PATCH, or the
	 * start-up pass after a crash between the last byte and this step).
	 */
	async finish(uploadId: string): Promise<void> {
		checkUploadId(uploadId);
		const { rows } = await this.pool.query<UploadRecord>('SELECT * FROM uploads WHERE id = $1', [uploadId]);
		const record = rows[0];
		if (!record) throw fail(404, 'No such upload.');
		if (record.state === 'complete') return;
		const { sha256, size } = await this.storage.digestUpload(uploadId);
		if (sha256 !== record.sha256) {
			await this.pool.query(`UPDATE uploads SET state = 'failed', finished_at = now() WHERE id = $1`, [uploadId]);
			await this.storage.discardUpload(uploadId);
			this.log.warn({ uploadId, teamId: record.team_id, documentId: record.document_id }, 'upload checksum mismatch');
			throw fail(460, 'The file’s SHA-256 does not match its metadata; upload it again.');
		}
		const key = storageKey(record.team_id, sha256);
		await this.storage.keep(uploadId, key);
		await this.pool.query(
			`INSERT INTO files (team_id, document_id, case_id, sha256, size, filename, storage_key) VALUES ($1, $2, $3, $4, $5, $6, $7)
			 ON CONFLICT (team_id, document_id) DO UPDATE SET sha256 = EXCLUDED.sha256, size = EXCLUDED.size, filename = EXCLUDED.filename, storage_key = EXCLUDED.storage_key`,
			[record.team_id, record.document_id, record.case_id, sha256, size, record.filename, key]
		);
		await this.pool.query(`UPDATE uploads SET state = 'complete', finished_at = now() WHERE id = $1`, [uploadId]);
		this.log.info({ uploadId, teamId: record.team_id, documentId: record.document_id, size }, 'upload complete');
	}

	/** Finishes uploads whose last byte arrived but whose finishing step did not run (a crash, a kill). */
	async reconcile(): Promise<number> {
		const { rows } = await this.pool.query<{ id: string }>(`SELECT id FROM uploads WHERE state = 'open'`);
		let finished = 0;
		for (const { id } of rows) {
			try {
				const upload = await this.storage.datastore.getUpload(id);
				if (upload.size !== undefined && upload.offset === upload.size) {
					await this.finish(id);
					finished++;
				}
			} catch (error) {
				this.log.warn({ uploadId: id, err: error }, 'could not reconcile upload');
			}
		}
		return finished;
	}

	register(app: FastifyInstance): void {
		// tus reads the raw request stream itself.
		app.addContentTypeParser('application/offset+octet-stream', (_request, _payload, done) => done(null));
		const handle = async (request: FastifyRequest, reply: FastifyReply) => {
			reply.hijack();
			await this.tus.handle(request.raw, reply.raw);
		};
		app.all('/files', handle);
		app.all('/files/*', handle);
	}
}
