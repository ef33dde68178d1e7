import { randomBytes, randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type pg from 'pg';
import { hashToken, newToken, type Principal } from './auth.ts';
import { transaction } from './db/database.ts';
import {
	INVITE_LIFETIME_MS,
	type PersonInfo,
	type Role,
	type TeamResponse
} from '../src/lib/sync/accounts-protocol.ts';

/**
 * People, passwords, devices and invites. Passwords are hashed with Argon2id (`@node-rs/argon2`'s
 * defaults: 19 MiB, 2 passes, 1 lane, the OWASP minimum) on libuv's thread pool, so a sign-in never
 * blocks other requests. Tokens and invite secrets carry 256 random bits; only their SHA-256 is stored.
 */

/** A refusal the routes turn into an HTTP answer. */
export class AccountError extends Error {
	override name = 'AccountError';
	constructor(
		readonly status: number,
		readonly code: string,
		message: string
	) {
		super(message);
	}
}

export type RevokeReason = 'admin' | 'password' | 'signed-out';

let dummyHash: Promise<string> | undefined;
/** Unknown emails still cost one verification, so timing does not tell who has an account. */
async function verifyNobody(password: string): Promise<void> {
	dummyHash ??= hash(randomBytes(16).toString('hex'));
	await verify(await dummyHash, password).catch(() => false);
}

export async function hashPassword(password: string): Promise<string> {
	return hash(password);
}

async function addDevice(client: pg.PoolClient | pg.Pool, userId: string, deviceName: string): Promise<string> {
	const token = newToken();
	await client.query('INSERT INTO devices (id, user_id, token_hash, name) VALUES ($1, $2, $3, $4)', [
		randomUUID(),
		userId,
		hashToken(token),
		deviceName
	]);
	return token;
}

/** Deletes devices and remembers their hashes, so each one's next request hears why it is refused. */
async function revokeWhere(
	client: pg.PoolClient | pg.Pool,
	where: string,
	params: unknown[],
	reason: RevokeReason
): Promise<number> {
	const { rows } = await client.query<{ token_hash: string }>(
		`DELETE FROM devices WHERE ${where} RETURNING token_hash`,
		params
	);
	for (const row of rows)
		await client.query(
			'INSERT INTO revoked_tokens (token_hash, reason) VALUES ($1, $2) ON CONFLICT (token_hash) DO NOTHING',
			[row.token_hash, reason]
		);
	return rows.length;
}

export async function revocationReason(pool: pg.Pool, token: string): Promise<RevokeReason | undefined> {
	const { rows } = await pool.query<{ reason: string }>('SELECT reason FROM revoked_tokens WHERE token_hash = $1', [
		hashToken(token)
	]);
	const reason = rows[0]?.reason;
	return reason === 'admin' || reason === 'password' || reason === 'signed-out' ? reason : undefined;
}

/**
 * Fresh means no team at all, not merely nobody in one: a server whose people were all removed still
 * holds their team's cases, and setup must never hand those to whoever opens the page first.
 */
export async function setupNeeded(pool: pg.Pool): Promise<boolean> {
	const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM teams');
	return (rows[0]?.n ?? 0) === 0;
}

/** First-run setup: only on a server with no team yet; makes the team, its admin, and signs them in. */
export async function setup(
	pool: pg.Pool,
	input: { team?: string | undefined; name: string; email: string; password: string; deviceName: string }
): Promise<{ token: string; userId: string; teamId: string }> {
	const passwordHash = await hashPassword(input.password);
	return transaction(pool, async (client) => {
		// Two setups at once: the second waits here, then sees the first one's admin.
		await client.query('SELECT pg_advisory_xact_lock(7412)');
		const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM teams');
		if ((rows[0]?.n ?? 0) > 0)
			throw new AccountError(409, 'already-set-up', 'This server is already set up; sign in in Settings › Sync.');
		const id = randomUUID();
		await client.query('INSERT INTO teams (id, name) VALUES ($1, $2)', [id, input.team?.trim() || 'Team']);
		const userId = randomUUID();
		await client.query(
			`INSERT INTO users (id, team_id, name, email, password_hash, role) VALUES ($1, $2, $3, $4, $5, 'admin')`,
			[userId, id, input.name, input.email, passwordHash]
		);
		return { token: await addDevice(client, userId, input.deviceName), userId, teamId: id };
	});
}

/** Checks the password; a new device token when it matches, undefined when it does not (or no such person). */
export async function login(
	pool: pg.Pool,
	email: string,
	password: string,
	deviceName: string
): Promise<{ token: string; userId: string } | undefined> {
	const { rows } = await pool.query<{ id: string; password_hash: string | null }>(
		'SELECT id, password_hash FROM users WHERE lower(email) = $1',
		[email.toLowerCase()]
	);
	const row = rows[0];
	if (!row?.password_hash) {
		await verifyNobody(password);
		return undefined;
	}
	const ok = await verify(row.password_hash, password).catch(() => false);
	if (!ok) return undefined;
	return { token: await addDevice(pool, row.id, deviceName), userId: row.id };
}

export async function logout(pool: pg.Pool, principal: Principal): Promise<void> {
	await revokeWhere(pool, 'id = $1', [principal.deviceId], 'signed-out');
}

/** Sets a new password and ends every other device's access; the device that changed it stays signed in. */
export async function changePassword(
	pool: pg.Pool,
	principal: Principal,
	currentPassword: string,
	newPassword: string
): Promise<number> {
	const { rows } = await pool.query<{ password_hash: string | null }>('SELECT password_hash FROM users WHERE id = $1', [
		principal.userId
	]);
	const current = rows[0]?.password_hash;
	if (!current || !(await verify(current, currentPassword).catch(() => false)))
		throw new AccountError(403, 'wrong-password', 'The current password is not right.');
	const next = await hashPassword(newPassword);
	return transaction(pool, async (client) => {
		await client.query('UPDATE users SET password_hash = $1 WHERE id = $2', [next, principal.userId]);
		return revokeWhere(client, 'user_id = $1 AND id <> $2', [principal.userId, principal.deviceId], 'password');
	});
}

export async function createInvite(
	pool: pg.Pool,
	admin: Principal,
	input: { email: string; name: string; role: Role },
	now = Date.now()
): Promise<{ id: string; token: string; expiresAt: string }> {
	const taken = await pool.query('SELECT 1 FROM users WHERE lower(email) = $1', [input.email]);
	if (taken.rowCount) throw new AccountError(409, 'email-taken', `${input.email} already has an account.`);
	const token = `dki_${randomBytes(32).toString('base64url')}`;
	const id = randomUUID();
	const expiresAt = new Date(now + INVITE_LIFETIME_MS).toISOString();
	await pool.query(
		'INSERT INTO invites (id, team_id, token_hash, email, name, role, invited_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
		[id, admin.teamId, hashToken(token), input.email, input.name, input.role, admin.userId, expiresAt]
	);
	return { id, token, expiresAt };
}

interface InviteRow {
	id: string;
	team_id: string;
	email: string;
	name: string;
	role: string;
	team: string;
	expired: boolean;
	accepted_at: Date | null;
}

async function findInvite(client: pg.PoolClient | pg.Pool, token: string, lock = false): Promise<InviteRow> {
	const { rows } = await client.query<InviteRow>(
		`SELECT i.id, i.team_id, i.email, i.name, i.role, t.name AS team, i.expires_at <= now() AS expired, i.accepted_at
		 FROM invites i JOIN teams t ON t.id = i.team_id WHERE i.token_hash = $1${lock ? ' FOR UPDATE OF i' : ''}`,
		[hashToken(token)]
	);
	const row = rows[0];
	if (!row)
		throw new AccountError(
			404,
			'invite-unknown',
			'This invite link is not valid; ask your administrator for a new one.'
		);
	if (row.accepted_at)
		throw new AccountError(410, 'invite-used', 'This invite link has already been used; sign in in Settings › Sync.');
	if (row.expired)
		throw new AccountError(
			410,
			'invite-expired',
			'This invite link has expired; ask your administrator for a new one.'
		);
	return row;
}

export async function lookupInvite(
	pool: pg.Pool,
	token: string
): Promise<{ email: string; name: string; team: string }> {
	const invite = await findInvite(pool, token);
	return { email: invite.email, name: invite.name, team: invite.team };
}

/** Accepting an invite makes the account with the chosen password and signs this device in. One use only. */
export async function acceptInvite(
	pool: pg.Pool,
	token: string,
	password: string,
	deviceName: string
): Promise<{ token: string; userId: string }> {
	const passwordHash = await hashPassword(password);
	return transaction(pool, async (client) => {
		const invite = await findInvite(client, token, true);
		const taken = await client.query('SELECT 1 FROM users WHERE lower(email) = $1', [invite.email]);
		if (taken.rowCount) throw new AccountError(409, 'email-taken', `${invite.email} already has an account.`);
		await client.query('UPDATE invites SET accepted_at = now() WHERE id = $1', [invite.id]);
		const userId = randomUUID();
		await client.query(
			'INSERT INTO users (id, team_id, name, email, password_hash, role) VALUES ($1, $2, $3, $4, $5, $6)',
			[userId, invite.team_id, invite.name, invite.email, passwordHash, invite.role === 'admin' ? 'admin' : 'member']
		);
		return { token: await addDevice(client, userId, deviceName), userId };
	});
}

interface PersonRow {
	id: string;
	name: string;
	email: string | null;
	role: string;
	team: string;
	device_id: string | null;
	device_name: string | null;
	device_created_at: Date | null;
	last_seen_at: Date | null;
}

/** People with their devices, newest device first; one team, or every team (the command line). */
export async function listPeople(pool: pg.Pool, teamId?: string): Promise<PersonInfo[]> {
	const { rows } = await pool.query<PersonRow>(
		`SELECT u.id, u.name, u.email, u.role, t.name AS team, d.id AS device_id, d.name AS device_name,
		        d.created_at AS device_created_at, d.last_seen_at
		 FROM users u JOIN teams t ON t.id = u.team_id LEFT JOIN devices d ON d.user_id = u.id
		 ${teamId ? 'WHERE u.team_id = $1' : ''}
		 ORDER BY t.name, u.name, u.created_at, d.created_at DESC`,
		teamId ? [teamId] : []
	);
	const people = new Map<string, PersonInfo>();
	for (const row of rows) {
		let person = people.get(row.id);
		if (!person) {
			person = {
				id: row.id,
				name: row.name,
				email: row.email,
				role: row.role === 'admin' ? 'admin' : 'member',
				team: row.team,
				devices: []
			};
			people.set(row.id, person);
		}
		if (row.device_id && row.device_name && row.device_created_at)
			person.devices.push({
				id: row.device_id,
				name: row.device_name,
				createdAt: row.device_created_at.toISOString(),
				lastSeenAt: row.last_seen_at?.toISOString() ?? null
			});
	}
	return [...people.values()];
}

export async function teamOverview(pool: pg.Pool, admin: Principal): Promise<TeamResponse> {
	const [team, people, invites] = await Promise.all([
		pool.query<{ name: string }>('SELECT name FROM teams WHERE id = $1', [admin.teamId]),
		listPeople(pool, admin.teamId),
		pool.query<{ id: string; email: string; name: string; expires_at: Date }>(
			'SELECT id, email, name, expires_at FROM invites WHERE team_id = $1 AND accepted_at IS NULL AND expires_at > now() ORDER BY created_at',
			[admin.teamId]
		)
	]);
	return {
		team: team.rows[0]?.name ?? '',
		people,
		invites: invites.rows.map((row) => ({
			id: row.id,
			email: row.email,
			name: row.name,
			expiresAt: row.expires_at.toISOString()
		}))
	};
}

/** An admin ends one device's access (a stolen laptop); only devices of the admin's own team. */
export async function revokeDevice(pool: pg.Pool, admin: Principal, deviceId: string): Promise<void> {
	const count = await revokeWhere(
		pool,
		'id = $1 AND user_id IN (SELECT id FROM users WHERE team_id = $2)',
		[deviceId, admin.teamId],
		'admin'
	);
	if (count === 0) throw new AccountError(404, 'not-found', 'No such device in your team.');
}

/** Removes a person: every device's access ends at once. A team keeps at least one admin. */
export async function removePerson(pool: pg.Pool, userId: string, teamId?: string): Promise<{ devices: number }> {
	return transaction(pool, async (client) => {
		const { rows } = await client.query<{ role: string; team_id: string }>(
			`SELECT role, team_id FROM users WHERE id = $1${teamId ? ' AND team_id = $2' : ''} FOR UPDATE`,
			teamId ? [userId, teamId] : [userId]
		);
		const person = rows[0];
		if (!person) throw new AccountError(404, 'not-found', 'No such person in your team.');
		if (person.role === 'admin') {
			const admins = await client.query<{ n: number }>(
				`SELECT count(*)::int AS n FROM users WHERE team_id = $1 AND role = 'admin'`,
				[person.team_id]
			);
			if ((admins.rows[0]?.n ?? 0) <= 1)
				throw new AccountError(409, 'last-admin', 'A team needs an admin: make someone else admin first.');
		}
		const devices = await revokeWhere(client, 'user_id = $1', [userId], 'admin');
		await client.query('DELETE FROM users WHERE id = $1', [userId]);
		return { devices };
	});
}

/** `docket server user remove NAME [--team T]`: by name (or email); refuses when the name is ambiguous. */
export async function removePersonByName(
	pool: pg.Pool,
	name: string,
	team?: string
): Promise<{ userId: string; team: string; devices: number }> {
	const { rows } = await pool.query<{ id: string; team: string }>(
		`SELECT u.id, t.name AS team FROM users u JOIN teams t ON t.id = u.team_id
		 WHERE (u.name = $1 OR lower(u.email) = lower($1))${team ? ' AND t.name = $2' : ''}`,
		team ? [name, team] : [name]
	);
	if (rows.length === 0)
		throw new AccountError(404, 'not-found', `Nobody called "${name}"${team ? ` in team ${team}` : ''}.`);
	if (rows.length > 1)
		throw new AccountError(
			409,
			'ambiguous',
			`${rows.length} people are called "${name}" (teams: ${rows.map((r) => r.team).join(', ')}); add --team TEAM.`
		);
	const [person] = rows;
	if (!person) throw new AccountError(404, 'not-found', `Nobody called "${name}".`);
	const { devices } = await removePerson(pool, person.id);
	return { userId: person.id, team: person.team, devices };
}

export async function me(pool: pg.Pool, principal: Principal) {
	const { rows } = await pool.query<{ email: string | null; team: string }>(
		'SELECT u.email, t.name AS team FROM users u JOIN teams t ON t.id = u.team_id WHERE u.id = $1',
		[principal.userId]
	);
	return {
		userId: principal.userId,
		deviceId: principal.deviceId,
		name: principal.name,
		email: rows[0]?.email ?? null,
		role: principal.role,
		team: rows[0]?.team ?? ''
	};
}
