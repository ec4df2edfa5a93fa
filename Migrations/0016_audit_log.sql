-- Every admin action that changes data: who, when, what, on which subject and from where (a keyed hash of the
-- address, never the address). Append-only, like the ledger.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    program_id    INTEGER REFERENCES programs (id),
    actor_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor_email   TEXT    NOT NULL,
    action        TEXT    NOT NULL CHECK (length(action) BETWEEN 1 AND 80),
    subject_type  TEXT    NOT NULL DEFAULT '',
    subject_id    INTEGER,
    details       TEXT    NOT NULL DEFAULT '',
    address_hash  BLOB,
    created_at    INTEGER NOT NULL
);
CREATE INDEX audit_log_program ON audit_log (program_id, id);
CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
