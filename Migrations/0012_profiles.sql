-- The partner's profile (business details beyond name, company and website) and each team member's
-- notification preferences. A missing preference row means the event's default (see NotificationEvent).

ALTER TABLE partners ADD COLUMN country TEXT NOT NULL DEFAULT '' CHECK (country = '' OR length(country) = 2);
ALTER TABLE partners ADD COLUMN phone TEXT NOT NULL DEFAULT '' CHECK (length(phone) <= 40);
-- How the partner promotes the program (audience, channels): read by the program's managers.
ALTER TABLE partners ADD COLUMN about TEXT NOT NULL DEFAULT '' CHECK (length(about) <= 2000);

CREATE TABLE notification_preferences (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    partner_id  INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    event       TEXT    NOT NULL,
    email       INTEGER NOT NULL CHECK (email IN (0, 1)),
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, partner_id, event)
) WITHOUT ROWID;
