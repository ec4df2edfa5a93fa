-- Web Push subscriptions and their durable delivery queue, weekly digest marks, and the server's VAPID key
-- (issue 7, notifications). See docs/DECISIONS.md, "Notifications: e-mail, weekly digest and Web Push".

-- One row per browser that opted in (its push endpoint is unique). p256dh is the browser's public key (clear);
-- auth is its secret, sealed with SecretBox (key derived "push-subscription", associated data naming the
-- endpoint). events: space-separated NotificationEvent values this device wants.
CREATE TABLE push_subscriptions (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    partner_id       INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    endpoint         TEXT    NOT NULL UNIQUE CHECK (length(endpoint) BETWEEN 10 AND 2000),
    p256dh           TEXT    NOT NULL,
    auth_sealed      TEXT    NOT NULL,
    events           TEXT    NOT NULL DEFAULT '',
    label            TEXT    NOT NULL DEFAULT '' CHECK (length(label) <= 200),
    created_at       INTEGER NOT NULL,
    last_success_at  INTEGER
);
CREATE INDEX push_subscriptions_member ON push_subscriptions (partner_id, user_id);

-- A queued push is only a row: it survives restarts. 404/410 from the push service deletes the subscription
-- (and with it its deliveries); 429/5xx/network errors retry with backoff; other answers give up.
CREATE TABLE push_deliveries (
    id               INTEGER PRIMARY KEY,
    subscription_id  INTEGER NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
    event            TEXT    NOT NULL,
    payload          TEXT    NOT NULL,                 -- JSON {title, body, url}, encrypted afresh per attempt
    created_at       INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,                          -- NULL once delivered or given up
    last_status      INTEGER,
    last_error       TEXT    NOT NULL DEFAULT '',
    delivered_at     INTEGER,
    failed_at        INTEGER
);
CREATE INDEX push_deliveries_due ON push_deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX push_deliveries_subscription ON push_deliveries (subscription_id);

-- The weekly digest went out for this partner in this ISO week ('2026-W48'): a restart does not resend.
CREATE TABLE digest_marks (
    partner_id  INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    week        TEXT    NOT NULL,
    sent_at     INTEGER NOT NULL,
    PRIMARY KEY (partner_id, week)
) WITHOUT ROWID;

-- The server's VAPID key pair (RFC 8292), generated once. The private scalar is sealed with SecretBox (key derived
-- "vapid", associated data "vapid_keys.private_key:1").
CREATE TABLE vapid_keys (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    public_key          TEXT    NOT NULL,               -- base64url, 65-byte uncompressed point
    private_key_sealed  TEXT    NOT NULL,
    created_at          INTEGER NOT NULL
);
