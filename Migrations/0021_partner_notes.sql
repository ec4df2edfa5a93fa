-- Issue 6: the program's internal notes on a partner (never shown in the portal), newest first on the partner page.
-- Append-only like the audit log: a note is corrected by another note.
CREATE TABLE partner_notes (
    id              INTEGER PRIMARY KEY,
    program_id      INTEGER NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    partner_id      INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    author_user_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    author_email    TEXT    NOT NULL,
    body            TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    created_at      INTEGER NOT NULL
);
CREATE INDEX partner_notes_partner ON partner_notes (partner_id, id);
CREATE TRIGGER partner_notes_no_update BEFORE UPDATE ON partner_notes
BEGIN SELECT RAISE(ABORT, 'partner notes are append-only'); END;
