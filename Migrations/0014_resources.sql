-- The partner resource library: creatives (banners with their files), content templates with merge fields,
-- product information, campaign materials, training, guidelines and pages. Files live in SQLite as BLOBs (one
-- binary, one file to back up; see docs/DECISIONS.md, Resources). Times are unix seconds.

CREATE TABLE resources (
    id             INTEGER PRIMARY KEY,
    program_id     INTEGER NOT NULL REFERENCES programs (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('creative', 'template', 'product', 'campaign', 'training', 'guideline', 'page')),
    title          TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description    TEXT    NOT NULL DEFAULT '',
    -- A campaign name ('' for none): the library filters by it.
    campaign       TEXT    NOT NULL DEFAULT '',
    -- Markdown for pages, training, guidelines and product information; the copy text with [merge] fields for templates.
    body           TEXT    NOT NULL DEFAULT '',
    -- For templates: where the copy is meant to go (email, social, blog, …); '' otherwise.
    channel        TEXT    NOT NULL DEFAULT '',
    -- Shown only from starts_at and before ends_at; NULL is open-ended.
    starts_at      INTEGER,
    ends_at        INTEGER,
    -- NULL for every partner of the program, else only partners whose partners.group_name is this.
    group_name     TEXT,
    position       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    archived_at    INTEGER,
    CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)
);
CREATE INDEX resources_program ON resources (program_id, kind, position, id) WHERE archived_at IS NULL;

-- A resource's files: the original upload, and the thumbnail and mobile-sized variants made from it.
CREATE TABLE resource_files (
    id            INTEGER PRIMARY KEY,
    resource_id   INTEGER NOT NULL REFERENCES resources (id),
    variant       TEXT    NOT NULL CHECK (variant IN ('original', 'thumbnail', 'mobile')),
    content_type  TEXT    NOT NULL,
    file_name     TEXT    NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    width         INTEGER CHECK (width > 0),
    height        INTEGER CHECK (height > 0),
    byte_size     INTEGER NOT NULL CHECK (byte_size >= 0),
    -- SHA-256 of data, for ETags and duplicate checks.
    sha256        BLOB    NOT NULL,
    data          BLOB    NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (resource_id, variant)
);

-- One row per download (append-only): usage per asset and per partner.
CREATE TABLE resource_downloads (
    id             INTEGER PRIMARY KEY,
    resource_id    INTEGER NOT NULL REFERENCES resources (id),
    file_id        INTEGER NOT NULL REFERENCES resource_files (id),
    partner_id     INTEGER NOT NULL REFERENCES partners (id),
    user_id        INTEGER REFERENCES users (id),
    downloaded_at  INTEGER NOT NULL
);
CREATE INDEX resource_downloads_resource ON resource_downloads (resource_id, downloaded_at);
CREATE INDEX resource_downloads_partner ON resource_downloads (partner_id, downloaded_at);
