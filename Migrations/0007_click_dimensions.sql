-- Clicks per partner, day and one dimension of the click (its country or its device), kept in the click
-- writer's group commit next to daily_stats, so the portal's country and device breakdowns read a few rows
-- per day instead of the clicks table. `value` is the click's country code ('' when unknown) or device class.
CREATE TABLE daily_click_dimensions (
    partner_id     INTEGER NOT NULL,
    day            INTEGER NOT NULL,
    dimension      TEXT    NOT NULL CHECK (dimension IN ('country', 'device')),
    value          TEXT    NOT NULL,
    clicks         INTEGER NOT NULL DEFAULT 0,
    unique_clicks  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (partner_id, day, dimension, value)
) WITHOUT ROWID;

-- The clicks recorded before this table existed, once, so the rollup agrees with the clicks table.
INSERT INTO daily_click_dimensions (partner_id, day, dimension, value, clicks, unique_clicks)
SELECT partner_id, CASE WHEN at >= 0 THEN at / 86400 ELSE (at - 86399) / 86400 END AS d, 'country', country, count(*), sum(is_unique)
FROM clicks GROUP BY partner_id, d, country;
INSERT INTO daily_click_dimensions (partner_id, day, dimension, value, clicks, unique_clicks)
SELECT partner_id, CASE WHEN at >= 0 THEN at / 86400 ELSE (at - 86399) / 86400 END AS d, 'device', device, count(*), sum(is_unique)
FROM clicks GROUP BY partner_id, d, device;
