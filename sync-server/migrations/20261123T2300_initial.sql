-- The team sync schema. Every synced table has the same sync columns:
--   team_id   the owning team; every query filters on it, and it leads every key
--   rev       the row's revision, bumped by each accepted change
--   seq       the team's change sequence number of the row's latest change (pull order)
--   deleted   a tombstone: deleted rows stay, so the delete reaches every device and a stale update
--             cannot bring the row back
--   fields    the row's data as the app holds it (JSON)
--   field_revs the revision at which each field last changed, for per-field merges of stale edits
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE teams (
	id uuid PRIMARY KEY,
	name text NOT NULL UNIQUE,
	-- The team's change sequence: bumped, under a row lock, inside each writing transaction.
	seq bigint NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
	id uuid PRIMARY KEY,
	team_id uuid NOT NULL REFERENCES teams (id),
	name text NOT NULL,
	-- SHA-256 of the access token; the token itself is shown once and never stored.
	token_hash text NOT NULL UNIQUE,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cases (
	team_id uuid NOT NULL REFERENCES teams (id),
	id uuid NOT NULL,
	case_id uuid NOT NULL,
	rev integer NOT NULL,
	seq bigint NOT NULL,
	deleted boolean NOT NULL DEFAULT false,
	fields jsonb NOT NULL,
	field_revs jsonb NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (team_id, id)
);
CREATE INDEX cases_seq ON cases (team_id, seq);

CREATE TABLE documents (LIKE cases INCLUDING ALL);
ALTER TABLE documents ADD FOREIGN KEY (team_id) REFERENCES teams (id);
CREATE INDEX documents_case ON documents (team_id, case_id);

CREATE TABLE threads (LIKE cases INCLUDING ALL);
ALTER TABLE threads ADD FOREIGN KEY (team_id) REFERENCES teams (id);
CREATE INDEX threads_case ON threads (team_id, case_id);

CREATE TABLE messages (LIKE cases INCLUDING ALL);
ALTER TABLE messages ADD FOREIGN KEY (team_id) REFERENCES teams (id);
CREATE INDEX messages_case ON messages (team_id, case_id);

CREATE TABLE chunks (LIKE cases INCLUDING ALL);
ALTER TABLE chunks ADD FOREIGN KEY (team_id) REFERENCES teams (id);
-- Embeddings of any model: `dim` says how long; HNSW needs a fixed dimension, hence one partial
-- index per dimension the app's models use, each over a cast of the column.
ALTER TABLE chunks ADD COLUMN document_id uuid, ADD COLUMN embedding vector, ADD COLUMN dim integer,
	ADD COLUMN model_id text;
CREATE INDEX chunks_case ON chunks (team_id, case_id, dim);
CREATE INDEX chunks_embedding_384 ON chunks USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE dim = 384;
CREATE INDEX chunks_embedding_768 ON chunks USING hnsw ((embedding::vector(768)) vector_cosine_ops) WHERE dim = 768;

-- Idempotency: the stored result of every mutation a client sent, replayed verbatim on a retry.
CREATE TABLE applied_mutations (
	team_id uuid NOT NULL REFERENCES teams (id),
	client_id uuid NOT NULL,
	mutation_id uuid NOT NULL,
	result jsonb NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (team_id, client_id, mutation_id)
);

-- Original files. `storage_key` is made by the server from ids it validated, never from metadata text.
CREATE TABLE uploads (
	id text PRIMARY KEY,
	team_id uuid NOT NULL REFERENCES teams (id),
	case_id uuid NOT NULL,
	document_id uuid NOT NULL,
	sha256 text NOT NULL,
	filename text NOT NULL,
	state text NOT NULL CHECK (state IN ('open', 'complete', 'failed')),
	created_at timestamptz NOT NULL DEFAULT now(),
	finished_at timestamptz
);
CREATE INDEX uploads_state ON uploads (state);

CREATE TABLE files (
	team_id uuid NOT NULL REFERENCES teams (id),
	document_id uuid NOT NULL,
	case_id uuid NOT NULL,
	sha256 text NOT NULL,
	size bigint NOT NULL,
	filename text NOT NULL,
	storage_key text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (team_id, document_id)
);
