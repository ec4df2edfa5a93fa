-- The clicks table is written on every counted redirect, and an index keyed by the visitor hash (random by
-- design) puts each insert on a random page of a large B-tree: in a measurement of 400,000 inserts with random
-- visitors, batches of 500, it cut the insert rate by three quarters (37,000 rows/s without it, 8,500 with it).
-- Its readers now have other paths (docs/DECISIONS.md, "Click uniqueness in memory"):
--   * uniqueness comes from the click writer's in-memory map, rebuilt at start through clicks_partner_at;
--     the rare look-up the map cannot answer reads the partner's clicks through clicks_partner_at;
--   * the click-flood check asks for one visitor hash's clicks on one partner's links; a visitor hash exists
--     only within one UTC day, so that is the partner's clicks of that day, again through clicks_partner_at.
DROP INDEX clicks_visitor_link;
