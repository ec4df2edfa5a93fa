-- Issue 6: program staff gain an owner role (owners run settings, keys, domains, branding and the admin team;
-- managers run partners, commissions, payouts and messages; viewers read). SQLite cannot change a CHECK
-- constraint in place, so memberships is rebuilt with the same columns, rows and index.
CREATE TABLE memberships_new (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL CHECK (role IN ('platform_admin', 'program_owner', 'program_manager', 'program_viewer',
                                                 'partner_owner', 'partner_admin', 'partner_member', 'partner_viewer')),
    program_id  INTEGER REFERENCES programs (id) ON DELETE CASCADE,
    partner_id  INTEGER REFERENCES partners (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    CHECK ((role = 'platform_admin' AND program_id IS NULL AND partner_id IS NULL)
        OR (role IN ('program_owner', 'program_manager', 'program_viewer') AND program_id IS NOT NULL AND partner_id IS NULL)
        OR (role LIKE 'partner_%' AND partner_id IS NOT NULL))
);
INSERT INTO memberships_new (id, user_id, role, program_id, partner_id, created_at)
    SELECT id, user_id, role, program_id, partner_id, created_at FROM memberships;
DROP TABLE memberships;
ALTER TABLE memberships_new RENAME TO memberships;
CREATE UNIQUE INDEX memberships_unique ON memberships (user_id, role, ifnull(program_id, 0), ifnull(partner_id, 0));
-- Managers who ran a program before owners existed keep every power they had: they become its owners.
UPDATE memberships SET role = 'program_owner' WHERE role = 'program_manager';

-- When approved balances are paid: by hand only, or a batch proposed every week (Monday) or month (the 1st).
ALTER TABLE programs ADD COLUMN payout_schedule TEXT NOT NULL DEFAULT 'manual'
    CHECK (payout_schedule IN ('manual', 'weekly', 'monthly'));
