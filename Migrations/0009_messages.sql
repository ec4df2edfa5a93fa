-- The communication center: threads between a partner team and the program's managers, per-user read marks,
-- and announcements to all partners or one group.

CREATE TABLE message_threads (
    id               INTEGER PRIMARY KEY,
    program_id       INTEGER NOT NULL REFERENCES programs (id),
    partner_id       INTEGER NOT NULL REFERENCES partners (id),
    subject          TEXT    NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    created_at       INTEGER NOT NULL,
    last_message_at  INTEGER NOT NULL
);
CREATE INDEX message_threads_partner ON message_threads (partner_id, last_message_at);
CREATE INDEX message_threads_program ON message_threads (program_id, last_message_at);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    thread_id       INTEGER NOT NULL REFERENCES message_threads (id),
    author_user_id  INTEGER REFERENCES users (id),
    -- Which side wrote it: the partner team or the program's managers.
    author_side     TEXT    NOT NULL CHECK (author_side IN ('partner', 'program')),
    body            TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    created_at      INTEGER NOT NULL
);
CREATE INDEX messages_thread ON messages (thread_id, id);

-- The last message each user has seen in a thread; unread = messages after it from the other side.
CREATE TABLE message_reads (
    thread_id        INTEGER NOT NULL REFERENCES message_threads (id),
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_message_id  INTEGER NOT NULL,
    PRIMARY KEY (thread_id, user_id)
) WITHOUT ROWID;

CREATE TABLE announcements (
    id             INTEGER PRIMARY KEY,
    program_id     INTEGER NOT NULL REFERENCES programs (id),
    -- '' for every partner of the program, else one partner group.
    group_name     TEXT    NOT NULL DEFAULT '',
    title          TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body_markdown  TEXT    NOT NULL,
    published_at   INTEGER NOT NULL
);
CREATE INDEX announcements_program ON announcements (program_id, published_at);

CREATE TABLE announcement_reads (
    announcement_id  INTEGER NOT NULL REFERENCES announcements (id),
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    read_at          INTEGER NOT NULL,
    PRIMARY KEY (announcement_id, user_id)
) WITHOUT ROWID;
