-- The server's epoch: an id that changes when the database is restored from a backup (epoch.ts decides
-- that at start-up). Devices keep the epoch of their last pull and pull everything again when it changes.
CREATE TABLE server_epoch (
	only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
	epoch uuid NOT NULL,
	changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO server_epoch (epoch) VALUES (gen_random_uuid());
