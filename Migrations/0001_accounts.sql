-- Accounts, sessions and the program/partner skeleton they hang off.
-- Times are unix seconds (INTEGER, UTC). Money is INTEGER minor units. Secrets are stored hashed or
-- encrypted, never in clear.

CREATE TABLE programs (
    id              INTEGER PRIMARY KEY,
    slug            TEXT    NOT NULL UNIQUE CHECK (slug GLOB '[a-z0-9]*' AND length(slug) BETWEEN 2 AND 40),
    name            TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    currency        TEXT    NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    commission_bps  INTEGER NOT NULL DEFAULT 2000 CHECK (commission_bps BETWEEN 0 AND 10000),
    hold_days       INTEGER NOT NULL DEFAULT 30 CHECK (hold_days BETWEEN 0 AND 365),
    cookie_days     INTEGER NOT NULL DEFAULT 60 CHECK (cookie_days BETWEEN 1 AND 730),
    min_payout      INTEGER NOT NULL DEFAULT 5000 CHECK (min_payout >= 0),
    created_at      INTEGER NOT NULL
);

CREATE TABLE partners (
    id          INTEGER PRIMARY KEY,
    program_id  INTEGER NOT NULL REFERENCES programs (id),
    name        TEXT    NOT NULL,
    email       TEXT    NOT NULL COLLATE NOCASE,
    status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'suspended')),
    created_at  INTEGER NOT NULL,
    UNIQUE (program_id, email)
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    email          TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name           TEXT    NOT NULL DEFAULT '',
    password_hash  TEXT,                      -- PHC string; NULL until the user sets one (invitation, setup link)
    created_at     INTEGER NOT NULL,
    disabled_at    INTEGER
);

-- A user's roles: platform admins have neither program nor partner; program staff have a program;
-- partner team members have a partner (and through it, a program).
CREATE TABLE memberships (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL CHECK (role IN ('platform_admin', 'program_manager', 'program_viewer',
                                                 'partner_owner', 'partner_admin', 'partner_member', 'partner_viewer')),
    program_id  INTEGER REFERENCES programs (id) ON DELETE CASCADE,
    partner_id  INTEGER REFERENCES partners (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    CHECK ((role = 'platform_admin' AND program_id IS NULL AND partner_id IS NULL)
        OR (role IN ('program_manager', 'program_viewer') AND program_id IS NOT NULL AND partner_id IS NULL)
        OR (role LIKE 'partner_%' AND partner_id IS NOT NULL))
);
CREATE UNIQUE INDEX memberships_unique ON memberships (user_id, role, ifnull(program_id, 0), ifnull(partner_id, 0));

-- Server-side sessions. The cookie holds a random 256-bit id; only its SHA-256 is stored, so a copy of
-- the database cannot be used to sign in. Anonymous sessions (user_id NULL) carry the CSRF token of the
-- sign-in form.
CREATE TABLE sessions (
    id_hash       BLOB    PRIMARY KEY,
    user_id       INTEGER REFERENCES users (id) ON DELETE CASCADE,
    csrf_token    TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    address       TEXT    NOT NULL DEFAULT '',
    user_agent    TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_attempts (
    id         INTEGER PRIMARY KEY,
    email      TEXT    NOT NULL COLLATE NOCASE,
    address    TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    succeeded  INTEGER NOT NULL CHECK (succeeded IN (0, 1))
);
CREATE INDEX login_attempts_email ON login_attempts (email, at);
CREATE INDEX login_attempts_address ON login_attempts (address, at);

-- Single-use links (password reset, invitation, admin setup): only the token's hash is stored.
CREATE TABLE one_time_tokens (
    token_hash  BLOB    PRIMARY KEY,
    purpose     TEXT    NOT NULL CHECK (purpose IN ('password_reset', 'invitation', 'setup')),
    user_id     INTEGER REFERENCES users (id) ON DELETE CASCADE,
    email       TEXT    NOT NULL COLLATE NOCASE,
    role        TEXT,
    program_id  INTEGER REFERENCES programs (id) ON DELETE CASCADE,
    partner_id  INTEGER REFERENCES partners (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
) WITHOUT ROWID;

-- E-mail waits here until the sender delivers it (or, without SMTP, an admin reads it at /admin/outbox).
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    recipient   TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    body_text   TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);
CREATE INDEX outbox_unsent ON outbox (sent_at, id);

-- API keys: `sk_` program secret keys and `pk_` partner keys. Only a hash and a display prefix are kept.
CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY,
    program_id  INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    partner_id  INTEGER REFERENCES partners (id) ON DELETE CASCADE,
    prefix      TEXT    NOT NULL,
    key_hash    BLOB    NOT NULL UNIQUE,
    scopes      TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
