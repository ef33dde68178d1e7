import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { transaction } from './db/database.ts';

export interface Principal {
	userId: string;
	teamId: string;
	name: string;
	role: 'admin' | 'member';
	/** The device (token) the request came with: sign-out revokes this one. */
	deviceId: string;
}

/** When each device's `last_seen_at` was last written by this process: at most one write a minute per device. */
const lastSeenWrites = new Map<string, number>();
const LAST_SEEN_EVERY_MS = 60_000;

/** Tokens carry 256 random bits, so a plain SHA-256 is a safe thing to store and look up. */
export function hashToken(token: string): string {
	return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
	return `dkt_${randomBytes(32).toString('base64url')}`;
}

const BEARER = /^Bearer ([A-Za-z0-9_\-.~+/]{1,512}=*)$/;

export function bearerToken(header: string | null | undefined): string | undefined {
	return header ? BEARER.exec(header)?.[1] : undefined;
}

export async function authenticate(pool: pg.Pool, header: string | null | undefined): Promise<Principal | undefined> {
	const token = bearerToken(header);
	if (!token) return undefined;
	const { rows } = await pool.query<{ id: string; team_id: string; name: string; role: string; device_id: string }>(
		'SELECT u.id, u.team_id, u.name, u.role, d.id AS device_id FROM devices d JOIN users u ON u.id = d.user_id WHERE d.token_hash = $1',
		[hashToken(token)]
	);
	const row = rows[0];
	if (!row) return undefined;
	const now = Date.now();
	if (now - (lastSeenWrites.get(row.device_id) ?? 0) > LAST_SEEN_EVERY_MS) {
		lastSeenWrites.set(row.device_id, now);
		if (lastSeenWrites.size > 100_000) lastSeenWrites.clear();
		await pool.query('UPDATE devices SET last_seen_at = now() WHERE id = $1', [row.device_id]);
	}
	return {
		userId: row.id,
		teamId: row.team_id,
		name: row.name,
		role: row.role === 'admin' ? 'admin' : 'member',
		deviceId: row.device_id
	};
}

/**
 * Creates the person (and the team on first use) and returns a new device token, stored only as a hash.
 * A person of that name already in the team gets one more device instead: names are how the command
 * line finds people (`user remove NAME`).
 */
export async function addUser(
	pool: pg.Pool,
	name: string,
	team: string,
	role: 'admin' | 'member' = 'member'
): Promise<{ userId: string; teamId: string; token: string }> {
	const token = newToken();
	return transaction(pool, async (client) => {
		await client.query('INSERT INTO teams (id, name) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
			randomUUID(),
			team
		]);
		const teamRow = await client.query<{ id: string }>('SELECT id FROM teams WHERE name = $1', [team]);
		const teamId = teamRow.rows[0]?.id;
		if (!teamId) throw new Error(`Team "${team}" could not be created.`);
		const existing = await client.query<{ id: string }>(
			'SELECT id FROM users WHERE team_id = $1 AND name = $2 ORDER BY created_at LIMIT 1',
			[teamId, name]
		);
		const userId = existing.rows[0]?.id ?? randomUUID();
		if (!existing.rows[0])
			await client.query('INSERT INTO users (id, team_id, name, role) VALUES ($1, $2, $3, $4)', [
				userId,
				teamId,
				name,
				role
			]);
		else if (role === 'admin') await client.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [userId]);
		await client.query('INSERT INTO devices (id, user_id, token_hash, name) VALUES ($1, $2, $3, $4)', [
			randomUUID(),
			userId,
			hashToken(token),
			'command line'
		]);
		return { userId, teamId, token };
	});
}
