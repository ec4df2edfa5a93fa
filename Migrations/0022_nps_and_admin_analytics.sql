-- Issue 6: the partner NPS question, and the read paths of the admin analytics page (/admin/analytics).

-- A partner user's answer to "How likely are you to recommend {program} to a friend?" (0–10, optional comment).
CREATE TABLE nps_responses (
    id          INTEGER PRIMARY KEY,
    program_id  INTEGER NOT NULL REFERENCES programs (id),
    partner_id  INTEGER NOT NULL REFERENCES partners (id),
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    score       INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    comment     TEXT    NOT NULL DEFAULT '' CHECK (length(comment) <= 1000),
    created_at  INTEGER NOT NULL
);
CREATE INDEX nps_responses_program ON nps_responses (program_id, created_at);
CREATE INDEX nps_responses_user ON nps_responses (user_id, program_id, created_at);

-- "Not now": the question is not asked again for 90 days, like after an answer.
CREATE TABLE nps_dismissals (
    id          INTEGER PRIMARY KEY,
    program_id  INTEGER NOT NULL REFERENCES programs (id),
    partner_id  INTEGER NOT NULL REFERENCES partners (id),
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL
);
CREATE INDEX nps_dismissals_user ON nps_dismissals (user_id, program_id, created_at);

-- When a partner was first approved (cohorts of the retention table). Partners inserted as approved (auto-approval,
-- the generator, tests) take their created_at by the trigger; PartnerStore.transition sets it on a first approval.
-- Partners approved before this migration: their created_at (the best that is known).
ALTER TABLE partners ADD COLUMN approved_at INTEGER;
UPDATE partners SET approved_at = created_at WHERE status IN ('approved', 'suspended');
CREATE TRIGGER partners_approved_at_insert AFTER INSERT ON partners
WHEN NEW.status = 'approved' AND NEW.approved_at IS NULL
BEGIN
    UPDATE partners SET approved_at = NEW.created_at WHERE id = NEW.id;
END;
CREATE INDEX partners_program_approved ON partners (program_id, approved_at) WHERE approved_at IS NOT NULL;

-- One row per partner and day on which a user of the partner's team signed in (LoginService).
CREATE TABLE partner_sign_ins (
    program_id  INTEGER NOT NULL,
    day         INTEGER NOT NULL,
    partner_id  INTEGER NOT NULL,
    PRIMARY KEY (program_id, day, partner_id)
) WITHOUT ROWID;

-- Per partner and day, and per partner and month (`month` is the day number of the month's 1st), the sums of
-- daily_stats over links, campaigns and sub ids, kept equal to them by triggers like daily_program_stats: the
-- admin analytics read a year of a program as ~12 rows per partner instead of every rollup row of the year.
CREATE TABLE daily_partner_stats (
    program_id     INTEGER NOT NULL,
    day            INTEGER NOT NULL,
    partner_id     INTEGER NOT NULL,
    clicks         INTEGER NOT NULL DEFAULT 0,
    leads          INTEGER NOT NULL DEFAULT 0,
    sales          INTEGER NOT NULL DEFAULT 0,
    revenue        INTEGER NOT NULL DEFAULT 0,
    commission     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (program_id, day, partner_id)
) WITHOUT ROWID;

CREATE TABLE monthly_partner_stats (
    program_id     INTEGER NOT NULL,
    month          INTEGER NOT NULL,
    partner_id     INTEGER NOT NULL,
    clicks         INTEGER NOT NULL DEFAULT 0,
    leads          INTEGER NOT NULL DEFAULT 0,
    sales          INTEGER NOT NULL DEFAULT 0,
    revenue        INTEGER NOT NULL DEFAULT 0,
    commission     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (program_id, month, partner_id)
) WITHOUT ROWID;

INSERT INTO daily_partner_stats (program_id, day, partner_id, clicks, leads, sales, revenue, commission)
SELECT program_id, day, partner_id, sum(clicks), sum(leads), sum(sales), sum(revenue), sum(commission)
FROM daily_stats GROUP BY partner_id, day;

INSERT INTO monthly_partner_stats (program_id, month, partner_id, clicks, leads, sales, revenue, commission)
SELECT program_id, CAST(strftime('%s', day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400 AS m, partner_id,
       sum(clicks), sum(leads), sum(sales), sum(revenue), sum(commission)
FROM daily_partner_stats GROUP BY program_id, m, partner_id;

CREATE TRIGGER daily_stats_to_partner_insert AFTER INSERT ON daily_stats
BEGIN
    INSERT INTO daily_partner_stats (program_id, day, partner_id, clicks, leads, sales, revenue, commission)
    VALUES (NEW.program_id, NEW.day, NEW.partner_id, NEW.clicks, NEW.leads, NEW.sales, NEW.revenue, NEW.commission)
    ON CONFLICT (program_id, day, partner_id) DO UPDATE SET
        clicks = clicks + excluded.clicks, leads = leads + excluded.leads, sales = sales + excluded.sales,
        revenue = revenue + excluded.revenue, commission = commission + excluded.commission;
    INSERT INTO monthly_partner_stats (program_id, month, partner_id, clicks, leads, sales, revenue, commission)
    VALUES (NEW.program_id, CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400, NEW.partner_id,
            NEW.clicks, NEW.leads, NEW.sales, NEW.revenue, NEW.commission)
    ON CONFLICT (program_id, month, partner_id) DO UPDATE SET
        clicks = clicks + excluded.clicks, leads = leads + excluded.leads, sales = sales + excluded.sales,
        revenue = revenue + excluded.revenue, commission = commission + excluded.commission;
END;

CREATE TRIGGER daily_stats_to_partner_update AFTER UPDATE ON daily_stats
BEGIN
    INSERT INTO daily_partner_stats (program_id, day, partner_id, clicks, leads, sales, revenue, commission)
    VALUES (NEW.program_id, NEW.day, NEW.partner_id, NEW.clicks - OLD.clicks, NEW.leads - OLD.leads, NEW.sales - OLD.sales,
            NEW.revenue - OLD.revenue, NEW.commission - OLD.commission)
    ON CONFLICT (program_id, day, partner_id) DO UPDATE SET
        clicks = clicks + excluded.clicks, leads = leads + excluded.leads, sales = sales + excluded.sales,
        revenue = revenue + excluded.revenue, commission = commission + excluded.commission;
    INSERT INTO monthly_partner_stats (program_id, month, partner_id, clicks, leads, sales, revenue, commission)
    VALUES (NEW.program_id, CAST(strftime('%s', NEW.day * 86400, 'unixepoch', 'start of month') AS INTEGER) / 86400, NEW.partner_id,
            NEW.clicks - OLD.clicks, NEW.leads - OLD.leads, NEW.sales - OLD.sales, NEW.revenue - OLD.revenue,
            NEW.commission - OLD.commission)
    ON CONFLICT (program_id, month, partner_id) DO UPDATE SET
        clicks = clicks + excluded.clicks, leads = leads + excluded.leads, sales = sales + excluded.sales,
        revenue = revenue + excluded.revenue, commission = commission + excluded.commission;
END;

-- Paid-out totals of a period: a program's paid payouts by settlement time.
CREATE INDEX payouts_program_settled ON payouts (program_id, settled_at) WHERE status = 'paid';
