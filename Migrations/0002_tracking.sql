-- Tracking: links and the clicks on them.

ALTER TABLE programs ADD COLUMN attribution_model TEXT NOT NULL DEFAULT 'last_click'
    CHECK (attribution_model IN ('last_click', 'first_click'));
-- Where a link of a suspended partner (or a removed link) sends visitors.
ALTER TABLE programs ADD COLUMN fallback_url TEXT;

CREATE TABLE links (
    id               INTEGER PRIMARY KEY,
    program_id       INTEGER NOT NULL REFERENCES programs (id),
    partner_id       INTEGER NOT NULL REFERENCES partners (id),
    code             TEXT    NOT NULL UNIQUE CHECK (length(code) BETWEEN 2 AND 64),
    destination_url  TEXT    NOT NULL,
    campaign         TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    archived_at      INTEGER
);
CREATE INDEX links_partner ON links (partner_id);

-- One row per counted click (bots are not counted). The visitor is a daily-salted hash of address and user
-- agent: no raw IP is stored. `is_unique` is 0 when the same visitor clicked the same link within 24 hours.
CREATE TABLE clicks (
    id          INTEGER PRIMARY KEY,
    program_id  INTEGER NOT NULL,
    partner_id  INTEGER NOT NULL,
    link_id     INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    visitor     BLOB    NOT NULL,
    is_unique   INTEGER NOT NULL CHECK (is_unique IN (0, 1)),
    device      TEXT    NOT NULL DEFAULT 'unknown',
    country     TEXT    NOT NULL DEFAULT '',
    referrer    TEXT    NOT NULL DEFAULT '',
    sub1        TEXT    NOT NULL DEFAULT '',
    sub2        TEXT    NOT NULL DEFAULT '',
    sub3        TEXT    NOT NULL DEFAULT '',
    sub4        TEXT    NOT NULL DEFAULT '',
    sub5        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX clicks_visitor_link ON clicks (visitor, link_id, at);
CREATE INDEX clicks_partner_at ON clicks (partner_id, at);
