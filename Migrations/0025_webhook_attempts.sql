-- The delivery log (issue 7): every attempt of a webhook delivery with its answer, so a program admin or a partner
-- sees what their receiver said each time, not only the last time; and replays (a person asking for an event to be
-- sent again). Attempts are append-only history, kept with their delivery.
CREATE TABLE webhook_attempts (
    id           INTEGER PRIMARY KEY,
    delivery_id  INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at INTEGER NOT NULL,
    status       INTEGER,                    -- HTTP status, NULL when there was no answer
    error        TEXT    NOT NULL DEFAULT '',
    duration_ms  INTEGER NOT NULL DEFAULT 0,
    replay       INTEGER NOT NULL DEFAULT 0 CHECK (replay IN (0, 1))   -- the first attempt after a replay
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

CREATE TRIGGER webhook_attempts_append_only_update BEFORE UPDATE ON webhook_attempts
BEGIN SELECT RAISE(ABORT, 'webhook_attempts is append-only'); END;

-- A replay starts a fresh retry series from its own time (the 3-day window counts from the replay).
ALTER TABLE webhook_deliveries ADD COLUMN replayed_at INTEGER;
