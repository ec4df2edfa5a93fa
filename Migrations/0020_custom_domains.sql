-- Custom domains: a host name that shows one program's portal, with the certificate the TLS port presents for
-- it. The private key is sealed (AES-256-GCM under a key derived from the master key, bound to the host name);
-- the certificate is public and stored as uploaded. `not_after` is the certificate's expiry, for the admin page.
CREATE TABLE custom_domains (
    id              INTEGER PRIMARY KEY,
    program_id      INTEGER NOT NULL REFERENCES programs (id),
    host            TEXT    NOT NULL UNIQUE CHECK (host = lower(host) AND length(host) BETWEEN 1 AND 253),
    certificate_pem TEXT    NOT NULL,
    key_sealed      TEXT    NOT NULL,
    not_after       INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX custom_domains_program ON custom_domains (program_id, host);
