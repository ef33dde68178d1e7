import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type pg from 'pg';
import type { z } from 'zod';
import {
	AccountError,
	acceptInvite,
	changePassword,
	createInvite,
	listPeople,
	login,
	logout,
	lookupInvite,
	me,
	removePerson,
	removePersonByName,
	revokeDevice,
	setup,
	setupNeeded,
	teamOverview
} from './accounts.ts';
import { addUser, type Principal } from './auth.ts';
import { LoginLimiter, type LoginKey, type LoginLimitOptions } from './login-limit.ts';
import {
	AcceptInviteRequest,
	AdminAddUserRequest,
	ChangePasswordRequest,
	InviteLookupRequest,
	InviteRequest,
	LoginRequest,
	RemoveUserRequest,
	SetupRequest
} from '../src/lib/sync/accounts-protocol.ts';

/**
 * The accounts routes: first-run setup, sign-in and sign-out, invites, password change, the team admin
 * page's API, and the loopback-only routes `docket server user …` uses while a server owns the data dir.
 * Request bodies hold passwords: nothing here logs a body, and the logger only ever sees ids.
 */
export interface AccountRoutesOptions {
	pool: pg.Pool;
	requireUser: preHandlerAsyncHookHandler;
	principalOf(request: FastifyRequest): Principal;
	adminSecret?: string | undefined;
	loginLimit?: LoginLimitOptions | undefined;
	/** Tests move time on instead of waiting out the sign-in delays. */
	now?: (() => number) | undefined;
}

function errorBody(code: string, message: string) {
	return { error: { code, message } };
}

function parse<T extends z.ZodType>(schema: T, input: unknown, reply: FastifyReply): z.infer<T> | undefined {
	const result = schema.safeParse(input);
	if (result.success) return result.data;
	const issue = result.error.issues[0];
	const where = issue?.path.join('.') || 'request';
	// The message names the field and the rule, never the value (which may be a password).
	void reply.code(400).send(errorBody('invalid-request', `${where}: ${issue?.message ?? 'invalid'}`));
	return undefined;
}

function isLoopback(address: string | undefined): boolean {
	return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

function sameSecret(a: string, b: string): boolean {
	const x = Buffer.from(a);
	const y = Buffer.from(b);
	return x.length === y.length && timingSafeEqual(x, y);
}

export function registerAccountRoutes(app: FastifyInstance, options: AccountRoutesOptions): void {
	const { pool, requireUser, principalOf } = options;
	const limiter = new LoginLimiter(options.loginLimit, options.now);

	/** Runs `work`, turning an AccountError into its HTTP answer. */
	const answer = async <T>(reply: FastifyReply, work: () => Promise<T>): Promise<T | FastifyReply> => {
		try {
			return await work();
		} catch (error) {
			if (error instanceof AccountError) return reply.code(error.status).send(errorBody(error.code, error.message));
			throw error;
		}
	};

	const tooMany = (reply: FastifyReply, retryAfterMs: number) => {
		const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
		return reply
			.code(429)
			.header('retry-after', String(seconds))
			.send({
				error: {
					code: 'too-many-attempts',
					message: `Too many failed sign-ins; try again in ${seconds} s.`,
					retryAfterMs
				}
			});
	};

	const requireAdmin = async (request: FastifyRequest, reply: FastifyReply) => {
		if (principalOf(request).role !== 'admin')
			return reply.code(403).send(errorBody('forbidden', 'Only the team’s admins can do this.'));
	};

	app.get('/api/v1/auth/setup', async () => ({ needed: await setupNeeded(pool) }));

	app.post('/api/v1/auth/setup', async (request, reply) => {
		const body = parse(SetupRequest, request.body, reply);
		if (!body) return reply;
		const address: LoginKey[] = [{ kind: 'address', id: request.ip }];
		const verdict = limiter.check(address);
		if (!verdict.ok) return tooMany(reply, verdict.retryAfterMs);
		return answer(reply, async () => {
			const done = await setup(pool, body).catch((error: unknown) => {
				if (error instanceof AccountError) limiter.fail(address);
				throw error;
			});
			request.log.info({ userId: done.userId, teamId: done.teamId }, 'server set up');
			return { token: done.token };
		});
	});

	app.post('/api/v1/auth/login', async (request, reply) => {
		const body = parse(LoginRequest, request.body, reply);
		if (!body) return reply;
		const keys: LoginKey[] = [
			{ kind: 'address', id: request.ip },
			{ kind: 'account', id: body.email }
		];
		const verdict = limiter.check(keys);
		if (!verdict.ok) {
			request.log.warn('sign-in throttled');
			return tooMany(reply, verdict.retryAfterMs);
		}
		const done = await login(pool, body.email, body.password, body.deviceName);
		if (!done) {
			limiter.fail(keys);
			request.log.info('sign-in refused');
			return reply.code(401).send(errorBody('wrong-credentials', 'The email or the password is not right.'));
		}
		limiter.succeed(body.email);
		request.log.info({ userId: done.userId }, 'signed in');
		return { token: done.token };
	});

	app.post('/api/v1/auth/logout', { preHandler: requireUser }, async (request, reply) => {
		await logout(pool, principalOf(request));
		return reply.code(204).send();
	});

	app.get('/api/v1/auth/me', { preHandler: requireUser }, async (request) => me(pool, principalOf(request)));

	app.post('/api/v1/auth/password', { preHandler: requireUser }, async (request, reply) => {
		const body = parse(ChangePasswordRequest, request.body, reply);
		if (!body) return reply;
		const principal = principalOf(request);
		const keys: LoginKey[] = [{ kind: 'account', id: `user:${principal.userId}` }];
		const verdict = limiter.check(keys);
		if (!verdict.ok) return tooMany(reply, verdict.retryAfterMs);
		return answer(reply, async () => {
			try {
				const revoked = await changePassword(pool, principal, body.currentPassword, body.newPassword);
				request.log.info({ revoked }, 'password changed');
				return { revokedDevices: revoked };
			} catch (error) {
				if (error instanceof AccountError) limiter.fail(keys);
				throw error;
			}
		});
	});

	app.post('/api/v1/auth/invite', async (request, reply) => {
		const body = parse(InviteLookupRequest, request.body, reply);
		if (!body) return reply;
		return answer(reply, () => lookupInvite(pool, body.token));
	});

	app.post('/api/v1/auth/invite/accept', async (request, reply) => {
		const body = parse(AcceptInviteRequest, request.body, reply);
		if (!body) return reply;
		const address: LoginKey[] = [{ kind: 'address', id: request.ip }];
		const verdict = limiter.check(address);
		if (!verdict.ok) return tooMany(reply, verdict.retryAfterMs);
		return answer(reply, async () => {
			const done = await acceptInvite(pool, body.token, body.password, body.deviceName).catch((error: unknown) => {
				if (error instanceof AccountError) limiter.fail(address);
				throw error;
			});
			request.log.info({ userId: done.userId }, 'invite accepted');
			return { token: done.token };
		});
	});

	const admin = { preHandler: [requireUser, requireAdmin] };

	app.get('/api/v1/team', admin, async (request) => teamOverview(pool, principalOf(request)));

	app.post('/api/v1/team/invites', admin, async (request, reply) => {
		const body = parse(InviteRequest, request.body, reply);
		if (!body) return reply;
		return answer(reply, async () => {
			const invite = await createInvite(pool, principalOf(request), body);
			request.log.info({ inviteId: invite.id }, 'invite created');
			return invite;
		});
	});

	app.delete<{ Params: { id: string } }>('/api/v1/team/invites/:id', admin, async (request, reply) => {
		await pool
			.query('DELETE FROM invites WHERE id::text = $1 AND team_id = $2 AND accepted_at IS NULL', [
				request.params.id,
				principalOf(request).teamId
			])
			.catch(() => undefined);
		return reply.code(204).send();
	});

	app.delete<{ Params: { id: string } }>('/api/v1/team/devices/:id', admin, async (request, reply) =>
		answer(reply, async () => {
			if (!/^[0-9a-f-]{36}$/i.test(request.params.id)) throw new AccountError(404, 'not-found', 'No such device.');
			await revokeDevice(pool, principalOf(request), request.params.id);
			request.log.info({ deviceId: request.params.id }, 'device revoked');
			return reply.code(204).send();
		})
	);

	app.delete<{ Params: { id: string } }>('/api/v1/team/people/:id', admin, async (request, reply) =>
		answer(reply, async () => {
			if (!/^[0-9a-f-]{36}$/i.test(request.params.id)) throw new AccountError(404, 'not-found', 'No such person.');
			const { devices } = await removePerson(pool, request.params.id, principalOf(request).teamId);
			request.log.info({ removedUserId: request.params.id, devices }, 'person removed');
			return reply.code(204).send();
		})
	);

	// `docket server user …` while this server owns the embedded database: loopback and the lock's secret.
	const cli = async (request: FastifyRequest, reply: FastifyReply) => {
		const secret = request.headers['x-docket-admin'];
		if (
			!options.adminSecret ||
			!isLoopback(request.socket.remoteAddress) ||
			typeof secret !== 'string' ||
			!sameSecret(secret, options.adminSecret)
		)
			return reply.code(404).send(errorBody('not-found', `Nothing at ${request.method} ${request.url}.`));
	};

	app.post('/api/v1/admin/users', { preHandler: cli }, async (request, reply) => {
		const body = parse(AdminAddUserRequest, request.body, reply);
		if (!body) return reply;
		const added = await addUser(pool, body.name, body.team, body.role);
		request.log.info({ userId: added.userId, teamId: added.teamId }, 'user added');
		return added;
	});

	app.get('/api/v1/admin/users', { preHandler: cli }, async () => ({ people: await listPeople(pool) }));

	app.post('/api/v1/admin/users/remove', { preHandler: cli }, async (request, reply) => {
		const body = parse(RemoveUserRequest, request.body, reply);
		if (!body) return reply;
		return answer(reply, async () => {
			const removed = await removePersonByName(pool, body.name, body.team);
			request.log.info({ removedUserId: removed.userId, devices: removed.devices }, 'user removed');
			return removed;
		});
	});
}
