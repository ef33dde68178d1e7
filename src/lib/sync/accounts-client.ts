import { DocketError } from '../errors.ts';
import { SyncNetworkError, SyncServerError } from '../errors.ts';
import { authErrorOf, normaliseServerUrl, type SyncServer } from './api-client.ts';
import {
	ChangePasswordResponse,
	InviteLookupResponse,
	InviteResponse,
	Me,
	SetupStatus,
	TeamResponse,
	TokenResponse,
	type Role
} from './accounts-protocol.ts';
import { ErrorBody } from './protocol.ts';
import type { z } from 'zod';

/**
 * The app's side of the accounts API: first-run setup, sign-in and sign-out, invites, and the admin's
 * Settings › Team. Errors come back as DocketErrors whose message is the server's sentence.
 */

/** A name for this device in the admin's list: the browser and the system, as far as the browser says. */
export function deviceName(
	nav: Pick<Navigator, 'userAgent'> = typeof navigator === 'undefined' ? { userAgent: '' } : navigator
): string {
	const ua = nav.userAgent;
	const browser = /Edg\//.test(ua)
		? 'Edge'
		: /Firefox\//.test(ua)
			? 'Firefox'
			: /Chrom(e|ium)\//.test(ua)
				? 'Chromium'
				: /Safari\//.test(ua)
					? 'Safari'
					: 'Browser';
	const system = /Windows/.test(ua)
		? 'Windows'
		: /Mac OS X/.test(ua)
			? 'macOS'
			: /Android/.test(ua)
				? 'Android'
				: /Linux/.test(ua)
					? 'Linux'
					: 'unknown system';
	return `${browser} on ${system}`;
}

async function call<T>(
	base: string,
	path: string,
	schema: z.ZodType<T> | undefined,
	init: { method?: string; body?: unknown; token?: string } = {},
	fetcher: typeof fetch = (input, options) => fetch(input, options)
): Promise<T | undefined> {
	let response: Response;
	try {
		response = await fetcher(`${base}${path}`, {
			method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
			headers: {
				...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
				...(init.token ? { authorization: `Bearer ${init.token}` } : {})
			},
			...(init.body === undefined ? {} : { body: JSON.stringify(init.body) })
		});
	} catch (error) {
		throw new SyncNetworkError('The server could not be reached.', error);
	}
	if (response.status === 401 && init.token) throw await authErrorOf(response);
	if (response.status === 204) return undefined;
	const body: unknown = await response.json().catch(() => undefined);
	if (!response.ok) {
		const parsed = ErrorBody.safeParse(body);
		if (parsed.success) throw new DocketError(codeFor(response.status), parsed.data.error.message);
		throw new SyncServerError(`The server answered ${response.status}.`, response.status);
	}
	return schema ? schema.parse(body) : undefined;
}

function codeFor(status: number) {
	return status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status === 409 ? 'conflict' : 'invalid-input';
}

async function token(promise: Promise<{ token: string } | undefined>): Promise<string> {
	const body = await promise;
	if (!body) throw new SyncServerError('The server sent no token.', 204);
	return body.token;
}

export async function signIn(urlInput: string, email: string, password: string, fetcher?: typeof fetch) {
	const url = normaliseServerUrl(urlInput);
	return {
		url,
		token: await token(
			call(url, '/api/v1/auth/login', TokenResponse, { body: { email, password, deviceName: deviceName() } }, fetcher)
		)
	};
}

export async function signOut(server: SyncServer, fetcher?: typeof fetch): Promise<void> {
	await call(server.url, '/api/v1/auth/logout', undefined, { method: 'POST', body: {}, token: server.token }, fetcher);
}

export async function whoAmI(server: SyncServer, fetcher?: typeof fetch): Promise<Me> {
	const me = await call(server.url, '/api/v1/auth/me', Me, { token: server.token }, fetcher);
	if (!me) throw new SyncServerError('The server did not say who is signed in.', 204);
	return me;
}

export async function setupNeeded(origin: string, fetcher?: typeof fetch): Promise<boolean> {
	return (await call(origin, '/api/v1/auth/setup', SetupStatus, {}, fetcher))?.needed ?? false;
}

export async function setUpServer(
	origin: string,
	input: { team: string; name: string; email: string; password: string },
	fetcher?: typeof fetch
): Promise<string> {
	return token(
		call(origin, '/api/v1/auth/setup', TokenResponse, { body: { ...input, deviceName: deviceName() } }, fetcher)
	);
}

export async function lookupInvite(origin: string, invite: string, fetcher?: typeof fetch) {
	return call(origin, '/api/v1/auth/invite', InviteLookupResponse, { body: { token: invite } }, fetcher);
}

export async function acceptInvite(origin: string, invite: string, password: string, fetcher?: typeof fetch) {
	return token(
		call(
			origin,
			'/api/v1/auth/invite/accept',
			TokenResponse,
			{ body: { token: invite, password, deviceName: deviceName() } },
			fetcher
		)
	);
}

/** The admin's calls behind Settings › Team. */
export class TeamApi {
	constructor(
		readonly server: SyncServer,
		private readonly fetcher?: typeof fetch
	) {}

	async overview(): Promise<TeamResponse> {
		const team = await call(this.server.url, '/api/v1/team', TeamResponse, { token: this.server.token }, this.fetcher);
		if (!team) throw new SyncServerError('The server sent no team.', 204);
		return team;
	}

	/** Makes an invite and returns its one-time link (the secret rides in the fragment, never in a request line). */
	async invite(email: string, name: string, role: Role): Promise<{ link: string; expiresAt: string }> {
		const invite = await call(
			this.server.url,
			'/api/v1/team/invites',
			InviteResponse,
			{ body: { email, name, role }, token: this.server.token },
			this.fetcher
		);
		if (!invite) throw new SyncServerError('The server sent no invite.', 204);
		return { link: `${this.server.url}/invite#${invite.token}`, expiresAt: invite.expiresAt };
	}

	async revokeDevice(id: string): Promise<void> {
		await call(
			this.server.url,
			`/api/v1/team/devices/${encodeURIComponent(id)}`,
			undefined,
			{ method: 'DELETE', token: this.server.token },
			this.fetcher
		);
	}

	async removePerson(id: string): Promise<void> {
		await call(
			this.server.url,
			`/api/v1/team/people/${encodeURIComponent(id)}`,
			undefined,
			{ method: 'DELETE', token: this.server.token },
			this.fetcher
		);
	}
}

/** Sets a new password; every other device of this person is signed out, this one stays signed in. */
export async function changePassword(
	server: SyncServer,
	currentPassword: string,
	newPassword: string,
	fetcher?: typeof fetch
): Promise<number> {
	const done = await call(
		server.url,
		'/api/v1/auth/password',
		ChangePasswordResponse,
		{ body: { currentPassword, newPassword }, token: server.token },
		fetcher
	);
	return done?.revokedDevices ?? 0;
}
