/**
 * The accounts API, shared by the app and the server: first-run setup, sign-in, invites and the team
 * admin page. Kept apart from `protocol.ts` (the sync protocol) because it changes for other reasons.
 */
import { z } from 'zod';

export const ROLES = ['admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

/** Invites are one-time links valid for this long. */
export const INVITE_LIFETIME_MS = 7 * 24 * 3600 * 1000;

export const Email = z
	.string()
	.trim()
	.max(254)
	.regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address')
	.transform((email) => email.toLowerCase());
/** Long passphrases are welcome; the cap keeps one request from making the hash do unbounded work. */
export const Password = z.string().min(10, 'must be at least 10 characters').max(1024);
const PersonName = z.string().trim().min(1).max(200);
const DeviceName = z.string().trim().min(1).max(200);

export const SetupRequest = z.object({
	team: PersonName.optional(),
	name: PersonName,
	email: Email,
	password: Password,
	deviceName: DeviceName
});
export const SetupStatus = z.object({ needed: z.boolean() });

export const LoginRequest = z.object({
	email: Email,
	// Not `Password`: a sign-in with a short password must fail as a wrong password, not as a malformed request.
	password: z.string().min(1).max(1024),
	deviceName: DeviceName
});
export const TokenResponse = z.object({ token: z.string() });

export const InviteRequest = z.object({ email: Email, name: PersonName, role: z.enum(ROLES).default('member') });
export const InviteResponse = z.object({ id: z.string(), token: z.string(), expiresAt: z.string() });
export const InviteLookupRequest = z.object({ token: z.string().min(1).max(200) });
export const InviteLookupResponse = z.object({ email: z.string(), name: z.string(), team: z.string() });
export const AcceptInviteRequest = z.object({
	token: z.string().min(1).max(200),
	password: Password,
	deviceName: DeviceName
});

export const ChangePasswordRequest = z.object({ currentPassword: z.string().min(1).max(1024), newPassword: Password });
export const ChangePasswordResponse = z.object({ revokedDevices: z.number() });

export const Me = z.object({
	userId: z.string(),
	deviceId: z.string(),
	name: z.string(),
	email: z.string().nullable(),
	role: z.enum(ROLES),
	team: z.string()
});
export type Me = z.infer<typeof Me>;

export const DeviceInfo = z.object({
	id: z.string(),
	name: z.string(),
	createdAt: z.string(),
	lastSeenAt: z.string().nullable()
});
export const PersonInfo = z.object({
	id: z.string(),
	name: z.string(),
	email: z.string().nullable(),
	role: z.enum(ROLES),
	team: z.string(),
	devices: z.array(DeviceInfo)
});
export type PersonInfo = z.infer<typeof PersonInfo>;
export const PendingInvite = z.object({ id: z.string(), email: z.string(), name: z.string(), expiresAt: z.string() });
export const TeamResponse = z.object({
	team: z.string(),
	people: z.array(PersonInfo),
	invites: z.array(PendingInvite)
});
export type TeamResponse = z.infer<typeof TeamResponse>;

/** Why a token is refused (the `code` of a 401): the app words each one for the person. */
export const REVOKED_CODES = {
	admin: 'revoked-by-admin',
	password: 'password-changed',
	'signed-out': 'signed-out'
} as const;

/** `docket server user list` / `user remove` through a running server. */
export const UserListResponse = z.object({ people: z.array(PersonInfo) });
export const RemoveUserRequest = z.object({ name: z.string().min(1).max(200), team: z.string().max(200).optional() });
export const RemoveUserResponse = z.object({ userId: z.string(), team: z.string(), devices: z.number() });

/** `docket server user add` through a running server; `role` makes a team admin for scripted setups. */
export const AdminAddUserRequest = z.object({
	name: z.string().min(1).max(200),
	team: z.string().min(1).max(200),
	role: z.enum(ROLES).optional()
});
