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
/** Keyboard rows, digits (round to 0 again) and the alphabet: a run along one of these, either way, is no secret. */
const SEQUENCES = [
	'01234567890',
	'abcdefghijklmnopqrstuvwxyz',
	'qwertyuiop',
	'asdfghjkl',
	'zxcvbnm',
	'1qaz2wsx3edc4rfv'
];
/** The stems of the passwords attackers try first (lists of leaked passwords), with digits or a mark after. */
const COMMON =
	/^(?:password|passw0rd|p@ssw0rd|welcome|letmein|iloveyou|admin|qwerty|monkey|dragon|football|baseball|sunshine|princess|docket|changeme)[\d!.@#$]*$/;

/**
 * Whether a password is one a guesser tries first (NIST SP 800-63B asks for such a check): one short
 * pattern repeated ("aaaaaaaaaa", "abcabcabca"), a run along the keyboard or the alphabet, or a common
 * password with digits after it.
 */
export function easilyGuessed(password: string): boolean {
	const p = password.toLowerCase();
	for (let size = 1; size <= 4; size++)
		if (
			p
				.slice(0, size)
				.repeat(Math.ceil(p.length / size))
				.slice(0, p.length) === p
		)
			return true;
	if (SEQUENCES.some((run) => run.includes(p) || [...run].reverse().join('').includes(p))) return true;
	return COMMON.test(p);
}

/** Long passphrases are welcome; the cap keeps one request from making the hash do unbounded work. */
export const Password = z
	.string()
	.min(10, 'must be at least 10 characters')
	.max(1024)
	.refine(
		(p) => !easilyGuessed(p),
		'is one of the first a guesser tries (a repeated or keyboard pattern, or a common password): choose a few words of your own'
	);
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
