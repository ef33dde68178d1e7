-- Accounts: people sign in with email and password; each signed-in device holds its own token.
--   users    a person of one team: `email` and `password_hash` (Argon2id, PHC string) once they have an
--            account; people made by `docket server user add` have neither and use their device token.
--   devices  one row per token: only its SHA-256 is kept, with the device's name and when it was last seen.
--            Signing out, revoking or removing deletes the row; the hash moves to `revoked_tokens` so the
--            next request can say why it is refused.
--   invites  one-time links (only the hash of the secret), valid for 7 days.
ALTER TABLE users ADD COLUMN email text, ADD COLUMN password_hash text,
	ADD COLUMN role text NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member'));
CREATE UNIQUE INDEX users_email ON users (lower(email));
CREATE INDEX users_team ON users (team_id, name);

CREATE TABLE devices (
	id uuid PRIMARY KEY,
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash text NOT NULL UNIQUE,
	name text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	last_seen_at timestamptz
);
CREATE INDEX devices_user ON devices (user_id);

-- Tokens made before accounts existed become one device each.
INSERT INTO devices (id, user_id, token_hash, name, created_at)
	SELECT gen_random_uuid(), id, token_hash, 'command line', created_at FROM users;
ALTER TABLE users DROP COLUMN token_hash;

CREATE TABLE revoked_tokens (
	token_hash text PRIMARY KEY,
	-- 'admin' (a device revoked or its person removed), 'password' (changed on another device), 'signed-out'
	reason text NOT NULL,
	revoked_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE invites (
	id uuid PRIMARY KEY,
	team_id uuid NOT NULL REFERENCES teams (id),
	token_hash text NOT NULL UNIQUE,
	email text NOT NULL,
	name text NOT NULL,
	role text NOT NULL CHECK (role IN ('admin', 'member')),
	invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	accepted_at timestamptz
);
