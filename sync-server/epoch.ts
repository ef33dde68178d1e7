import { randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { z } from 'zod';

/**
 * The server's epoch, and how a restore is noticed.
 *
 * "Restored" means: the database now holds fewer changes for some team than this server has already
 * handed out. The server keeps a marker in its data directory (`sync-marker.json`: the epoch and the
 * highest sequence number it has seen per team), updated shortly after each push that writes and on
 * shutdown. At start-up, if any team's sequence in the database is below the marker's, the database went
 * back in time; if the marker names another epoch, the database is not the one this server last served.
 * Either way the server draws a new epoch and stores it in the database, where every instance's pulls read
 * it. A database brought back with its own data directory (marker included) from the same backup
 * agrees with its marker and keeps its epoch, which is right: devices then either hold no newer changes or
 * get `cursor-ahead` for the ones they do.
 */
const Marker = z.object({ epoch: z.string(), teams: z.record(z.string(), z.number().int().min(0)) });
type Marker = z.infer<typeof Marker>;

export const MARKER_FILE = 'sync-marker.json';

async function readMarker(path: string): Promise<Marker | undefined> {
	try {
		const parsed = Marker.safeParse(JSON.parse(await readFile(path, 'utf8')));
		return parsed.success ? parsed.data : undefined;
	} catch {
		return undefined;
	}
}

export class EpochKeeper {
	private marker: Marker = { epoch: '', teams: {} };
	private timer: ReturnType<typeof setTimeout> | undefined;
	private writing: Promise<void> = Promise.resolve();
	/** True when this start found the database restored (and drew a new epoch). */
	restored = false;

	constructor(
		private readonly pool: pg.Pool,
		private readonly dataDir: string,
		private readonly delayMs = 1000
	) {}

	get epoch(): string {
		return this.marker.epoch;
	}

	private get path(): string {
		return join(this.dataDir, MARKER_FILE);
	}

	/** Reads the epoch, draws a new one if the database was restored, and writes the marker. */
	async open(): Promise<string> {
		const stored = await this.pool.query<{ epoch: string }>('SELECT epoch FROM server_epoch');
		let epoch = stored.rows[0]?.epoch ?? randomUUID();
		const { rows } = await this.pool.query<{ id: string; seq: string }>('SELECT id, seq FROM teams');
		const teams: Record<string, number> = {};
		for (const row of rows) teams[row.id] = Number(row.seq);
		const previous = await readMarker(this.path);
		// A marker of another epoch: this database is not the one this server last served (a backup from
		// before an earlier restore, or another database); devices cannot trust their cursors either way.
		this.restored =
			previous !== undefined &&
			(previous.epoch !== epoch || Object.entries(previous.teams).some(([id, seq]) => (teams[id] ?? 0) < seq));
		if (this.restored || stored.rows.length === 0) {
			epoch = randomUUID();
			await this.pool.query(
				'INSERT INTO server_epoch (epoch) VALUES ($1) ON CONFLICT (only_row) DO UPDATE SET epoch = EXCLUDED.epoch, changed_at = now()',
				[epoch]
			);
		}
		this.marker = { epoch, teams };
		await this.write();
		return epoch;
	}

	/** A push wrote up to `seq` for `teamId`; the marker follows within `delayMs`. */
	note(teamId: string, seq: number): void {
		if ((this.marker.teams[teamId] ?? 0) >= seq) return;
		this.marker.teams[teamId] = seq;
		this.timer ??= setTimeout(() => {
			this.timer = undefined;
			this.writing = this.writing.then(() => this.write()).catch(() => undefined);
		}, this.delayMs);
		this.timer.unref?.();
	}

	async close(): Promise<void> {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		await this.writing;
		await this.write();
	}

	/** Temporary file then rename: a crash leaves the old marker or the new one, never half of one. */
	private async write(): Promise<void> {
		const temporary = `${this.path}.${process.pid}.tmp`;
		await writeFile(temporary, JSON.stringify(this.marker), { mode: 0o600 });
		await rename(temporary, this.path);
	}
}
