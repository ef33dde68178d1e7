import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { transaction } from './db/database.ts';

export interface Principal {
	userId: string;
	teamId: string;
	name: string;
}

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
	const { rows } = await pool.query<{ id: string; team_id: string; name: string }>(
		'SELECT id, team_id, name FROM users WHERE token_hash = $1',
		[hashToken(token)]
	);
	const row = rows[0];
	return row ? { userId: row.id, teamId: row.team_id, name: row.name } : undefined;
}

/** Creates the user (and the team on first use) and returns the token, which is stored only as a hash. */
export async function addUser(
	pool: pg.Pool,
	name: string,
	team: string
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
		const userId = randomUUID();
		await client.query('INSERT INTO users (id, team_id, name, token_hash) VALUES ($1, $2, $3, $4)', [
			userId,
			teamId,
			name,
			hashToken(token)
		]);
		return { userId, teamId, token };
	});
}
