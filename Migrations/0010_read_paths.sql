-- Read paths for pages over millions of rows (BENCHMARKS.md, portal pages):
-- * program-wide daily totals, kept equal to the sum of daily_stats by triggers (every writer of daily_stats —
--   the click writer, the conversion recorder, refunds, the generator — updates them without knowing);
-- * a covering index for balances (sums over a partner's ledger entries read from the index alone);
-- * a partner's commissions newest first.

CREATE TABLE daily_program_stats (
    program_id     INTEGER NOT NULL,
    day            INTEGER NOT NULL,
    clicks         INTEGER NOT NULL DEFAULT 0,
    unique_clicks  INTEGER NOT NULL DEFAULT 0,
    leads          INTEGER NOT NULL DEFAULT 0,
    sales          INTEGER NOT NULL DEFAULT 0,
    revenue        INTEGER NOT NULL DEFAULT 0,
    commission     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (program_id, day)
) WITHOUT ROWID;

INSERT INTO daily_program_stats (program_id, day, clicks, unique_clicks, leads, sales, revenue, commission)
SELECT program_id, day, sum(clicks), sum(unique_clicks), sum(leads), sum(sales), sum(revenue), sum(commission)
FROM daily_stats GROUP BY program_id, day;

CREATE TRIGGER daily_stats_to_program_insert AFTER INSERT ON daily_stats
BEGIN
    INSERT INTO daily_program_stats (program_id, day, clicks, unique_clicks, leads, sales, revenue, commission)
    VALUES (NEW.program_id, NEW.day, NEW.clicks, NEW.unique_clicks, NEW.leads, NEW.sales, NEW.revenue, NEW.commission)
    ON CONFLICT (program_id, day) DO UPDATE SET
        clicks = clicks + excluded.clicks, unique_clicks = unique_clicks + excluded.unique_clicks,
        leads = leads + excluded.leads, sales = sales + excluded.sales,
        revenue = revenue + excluded.revenue, commission = commission + excluded.commission;
END;

CREATE TRIGGER daily_stats_to_program_update AFTER UPDATE ON daily_stats
BEGIN
    INSERT INTO daily_program_stats (program_id, day, clicks, unique_clicks, leads, sales, revenue, commission)
    VALUES (NEW.program_id, NEW.day, NEW.clicks - OLD.clicks, NEW.unique_clicks - OLD.unique_clicks, NEW.leads - OLD.leads,
            NEW.sales - OLD.sales, NEW.revenue - OLD.revenue, NEW.commission - OLD.commission)
    ON CONFLICT (program_id, day) DO UPDATE SET
        clicks = clicks + excluded.clicks, unique_clicks = unique_clicks + excluded.unique_clicks,
        leads = leads + excluded.leads, sales = sales + excluded.sales,
        revenue = revenue + excluded.revenue, commission = commission + excluded.commission;
END;

CREATE INDEX ledger_partner_sums ON ledger_entries (partner_id, kind, stage, amount);
CREATE INDEX commissions_partner_recent ON commissions (partner_id, id);
