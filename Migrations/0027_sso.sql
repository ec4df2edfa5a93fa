-- OpenID Connect single sign-on (issue 7; docs/DECISIONS.md "Single sign-on").
-- partner_id NULL: the company's staff connection for the program (program_viewer / program_manager by JIT);
-- set: that partner team's connection (partner_admin / partner_member / partner_viewer by JIT). Never owner by JIT.
-- The client secret is sealed with SecretBox (key derived "sso-client-secret", associated data naming the row).
CREATE TABLE sso_connections (
    id                    INTEGER PRIMARY KEY,
    program_id            INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    partner_id            INTEGER REFERENCES partners (id) ON DELETE CASCADE,
    issuer                TEXT    NOT NULL CHECK (length(issuer) BETWEEN 8 AND 500),
    client_id             TEXT    NOT NULL CHECK (length(client_id) BETWEEN 1 AND 500),
    client_secret_sealed  TEXT    NOT NULL,
    default_role          TEXT    NOT NULL CHECK (default_role IN ('program_manager', 'program_viewer',
                                                                    'partner_admin', 'partner_member', 'partner_viewer')),
    mandatory             INTEGER NOT NULL DEFAULT 0,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    CHECK ((partner_id IS NULL AND default_role IN ('program_manager', 'program_viewer'))
        OR (partner_id IS NOT NULL AND default_role LIKE 'partner_%'))
);
-- One connection per partner team, one staff connection per program.
CREATE UNIQUE INDEX sso_connections_scope ON sso_connections (program_id, ifnull(partner_id, 0));

-- The e-mail domains a connection signs in. A domain can be claimed once across the whole installation.
CREATE TABLE sso_domains (
    domain         TEXT    PRIMARY KEY CHECK (domain = lower(domain) AND length(domain) BETWEEN 3 AND 253),
    connection_id  INTEGER NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE
);
CREATE INDEX sso_domains_connection ON sso_domains (connection_id);

-- One sign-in in flight: the state (only its SHA-256 kept), nonce and PKCE verifier. Single use, 10 minutes.
CREATE TABLE sso_login_states (
    state_hash     TEXT    PRIMARY KEY,
    connection_id  INTEGER NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
    nonce          TEXT    NOT NULL,
    code_verifier  TEXT    NOT NULL,
    email          TEXT    NOT NULL DEFAULT '',
    next           TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    used_at        INTEGER
);
CREATE INDEX sso_login_states_created ON sso_login_states (created_at);

-- Which identity at the provider (its stable `sub`) an account was first signed in with, per connection. A later
-- sign-in with the same e-mail but another `sub` (an address given to someone new) is refused, and so is one
-- `sub` for two accounts.
CREATE TABLE sso_identities (
    connection_id  INTEGER NOT NULL REFERENCES sso_connections (id) ON DELETE CASCADE,
    subject        TEXT    NOT NULL,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (connection_id, subject),
    UNIQUE (connection_id, user_id)
);
