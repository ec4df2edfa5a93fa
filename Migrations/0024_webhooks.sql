-- Webhook endpoints and their durable delivery queue (issue 7, CONTRACTS.md "Webhooks").
-- A queued delivery is only a row: it survives restarts and is sent by `portal jobs run` / the server's job loop.

-- partner_id NULL: a program endpoint (all of the program's events it picked); set: a partner's postback
-- endpoint (only that partner's events). Secrets are sealed with AES-GCM (SecretBox, key derived "webhook-secret",
-- associated data naming the row), never stored in clear. During a rotation the previous secret keeps signing
-- (a second v1=) until previous_secret_expires_at.
CREATE TABLE webhook_endpoints (
    id                          INTEGER PRIMARY KEY,
    program_id                  INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    partner_id                  INTEGER REFERENCES partners (id) ON DELETE CASCADE,
    url                         TEXT    NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
    events                      TEXT    NOT NULL DEFAULT '',   -- space-separated event types; '' for every event
    secret_sealed               TEXT    NOT NULL,
    previous_secret_sealed      TEXT,
    previous_secret_expires_at  INTEGER,
    created_at                  INTEGER NOT NULL,
    disabled_at                 INTEGER,
    disabled_reason             TEXT    NOT NULL DEFAULT '',
    deleted_at                  INTEGER,
    failure_count               INTEGER NOT NULL DEFAULT 0,    -- deliveries given up in a row (reset by a success)
    last_success_at             INTEGER
);
CREATE INDEX webhook_endpoints_program ON webhook_endpoints (program_id, partner_id);

CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY,
    endpoint_id      INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    program_id       INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    event_id         TEXT    NOT NULL,                 -- evt_…; the same for every attempt (Portal-Event-Id)
    event_type       TEXT    NOT NULL,
    payload          TEXT    NOT NULL,                 -- the exact JSON body sent
    created_at       INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,                          -- NULL once delivered or given up
    last_attempt_at  INTEGER,
    last_status      INTEGER,                          -- HTTP status of the last answer, NULL without one
    last_error       TEXT    NOT NULL DEFAULT '',
    delivered_at     INTEGER,
    failed_at        INTEGER,                          -- given up (3 days passed, or the endpoint was disabled)
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
