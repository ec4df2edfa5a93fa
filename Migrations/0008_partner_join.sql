-- Joining a program: the public application form's own fields, auto-approval, the applicant's answers, and
-- versioned program terms that partners accept (a new version asks again).

-- JSON array of extra fields: [{"name", "label", "type": "text"|"url"|"textarea"|"select", "required", "options"?}].
ALTER TABLE programs ADD COLUMN application_fields TEXT NOT NULL DEFAULT '[]';
ALTER TABLE programs ADD COLUMN auto_approve INTEGER NOT NULL DEFAULT 0 CHECK (auto_approve IN (0, 1));
-- The applicant's answers to those fields, as a JSON object.
ALTER TABLE partners ADD COLUMN application_answers TEXT NOT NULL DEFAULT '{}';

CREATE TABLE terms_versions (
    id            INTEGER PRIMARY KEY,
    program_id    INTEGER NOT NULL REFERENCES programs (id),
    version       INTEGER NOT NULL CHECK (version >= 1),
    body_markdown TEXT    NOT NULL,
    published_at  INTEGER NOT NULL,
    UNIQUE (program_id, version)
);

-- Who accepted which version, when, and from where (a keyed address hash, not the address).
CREATE TABLE terms_acceptances (
    partner_id        INTEGER NOT NULL REFERENCES partners (id),
    terms_version_id  INTEGER NOT NULL REFERENCES terms_versions (id),
    user_id           INTEGER REFERENCES users (id),
    accepted_at       INTEGER NOT NULL,
    address_hash      BLOB,
    PRIMARY KEY (partner_id, terms_version_id)
) WITHOUT ROWID;
