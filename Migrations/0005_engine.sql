-- The engine: partners' structure and payout details, coupons, customers, conversions, commission rules,
-- commissions and their review flags, the append-only ledger, payouts and their batches, and daily rollups.
-- Money is INTEGER minor units of the program's currency; times are unix seconds.

-- Sub-affiliate overrides: each parent up the chain earns `override_bps` of the commission one level below,
-- for at most `override_depth` levels (0 turns overrides off).
ALTER TABLE programs ADD COLUMN override_bps INTEGER NOT NULL DEFAULT 0 CHECK (override_bps BETWEEN 0 AND 10000);
ALTER TABLE programs ADD COLUMN override_depth INTEGER NOT NULL DEFAULT 1 CHECK (override_depth BETWEEN 0 AND 10);

ALTER TABLE partners ADD COLUMN company TEXT NOT NULL DEFAULT '';
ALTER TABLE partners ADD COLUMN website TEXT NOT NULL DEFAULT '';
-- The partner group name ('' for none): commission rules and resources can target a group.
ALTER TABLE partners ADD COLUMN group_name TEXT NOT NULL DEFAULT '';
ALTER TABLE partners ADD COLUMN parent_partner_id INTEGER REFERENCES partners (id);
-- Why the partner was rejected or suspended (shown to admins, e-mailed to the partner).
ALTER TABLE partners ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE partners ADD COLUMN payout_method TEXT CHECK (payout_method IN ('paypal', 'bank', 'wise', 'manual'));
-- The method's details (PayPal e-mail, IBAN, …) as JSON sealed with SecretBox, bound to this row's id.
ALTER TABLE partners ADD COLUMN payout_details_sealed TEXT;
-- The partner's own minimum for a payout; the program's minimum applies when it is higher.
ALTER TABLE partners ADD COLUMN payout_threshold INTEGER NOT NULL DEFAULT 0 CHECK (payout_threshold >= 0);
CREATE INDEX partners_program_status ON partners (program_id, status, id);
CREATE INDEX partners_parent ON partners (parent_partner_id) WHERE parent_partner_id IS NOT NULL;

CREATE TABLE coupons (
    id          INTEGER PRIMARY KEY,
    program_id  INTEGER NOT NULL REFERENCES programs (id),
    partner_id  INTEGER NOT NULL REFERENCES partners (id),
    code        TEXT    NOT NULL COLLATE NOCASE CHECK (length(code) BETWEEN 2 AND 64),
    created_at  INTEGER NOT NULL,
    archived_at INTEGER,
    UNIQUE (program_id, code)
);
CREATE INDEX coupons_partner ON coupons (partner_id);

-- A customer of the company, known by the id the company sends: the partner it was first attributed to
-- (renewals credit that partner) and when it first converted (recurring rules count months from there).
CREATE TABLE customers (
    program_id           INTEGER NOT NULL REFERENCES programs (id),
    customer_id          TEXT    NOT NULL,
    partner_id           INTEGER REFERENCES partners (id),
    first_conversion_at  INTEGER NOT NULL,
    PRIMARY KEY (program_id, customer_id)
) WITHOUT ROWID;

-- Which customer a click turned out to belong to (set when a conversion names both), for first/last-click
-- among a customer's clicks. NULL for almost every click, so the partial index costs nothing on insert.
ALTER TABLE clicks ADD COLUMN customer_id TEXT;
CREATE INDEX clicks_customer ON clicks (program_id, customer_id) WHERE customer_id IS NOT NULL;

CREATE TABLE conversions (
    id              INTEGER PRIMARY KEY,
    program_id      INTEGER NOT NULL REFERENCES programs (id),
    external_id     TEXT    NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
    type            TEXT    NOT NULL CHECK (type IN ('sale', 'lead')),
    amount          INTEGER CHECK (amount >= 0),
    currency        TEXT    NOT NULL,
    partner_id      INTEGER REFERENCES partners (id),
    -- Which reference decided the partner: click, coupon, customer, link, partner; NULL when none did.
    source          TEXT,
    click_id        INTEGER,
    link_id         INTEGER,
    sub_id          TEXT    NOT NULL DEFAULT '',
    customer_id     TEXT,
    product_sku     TEXT,
    occurred_at     INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    -- SHA-256 of the request's canonical body: the same external_id with another body is a 409.
    request_hash    BLOB    NOT NULL,
    refunded_amount INTEGER NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0),
    UNIQUE (program_id, external_id)
);
CREATE INDEX conversions_customer ON conversions (program_id, customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX conversions_partner ON conversions (partner_id, occurred_at);

CREATE TABLE refunds (
    id             INTEGER PRIMARY KEY,
    conversion_id  INTEGER NOT NULL REFERENCES conversions (id),
    amount         INTEGER NOT NULL CHECK (amount >= 0),
    created_at     INTEGER NOT NULL
);
CREATE INDEX refunds_conversion ON refunds (conversion_id);

-- A rule pays a share (rate_bps) or a flat amount, for sales or leads, to a scope: the whole program, a
-- partner group, a product SKU or one partner. `tiers` is JSON [[minimum monthly volume, rate_bps], …].
CREATE TABLE commission_rules (
    id                INTEGER PRIMARY KEY,
    program_id        INTEGER NOT NULL REFERENCES programs (id),
    name              TEXT    NOT NULL DEFAULT '',
    event             TEXT    NOT NULL CHECK (event IN ('sale', 'lead')),
    scope             TEXT    NOT NULL CHECK (scope IN ('program', 'group', 'sku', 'partner')),
    scope_value       TEXT    NOT NULL DEFAULT '',
    kind              TEXT    NOT NULL CHECK (kind IN ('percentage', 'flat')),
    rate_bps          INTEGER NOT NULL DEFAULT 0 CHECK (rate_bps BETWEEN 0 AND 10000),
    flat_amount       INTEGER NOT NULL DEFAULT 0 CHECK (flat_amount >= 0),
    tiers             TEXT    NOT NULL DEFAULT '[]',
    recurring_months  INTEGER CHECK (recurring_months > 0),
    created_at        INTEGER NOT NULL,
    archived_at       INTEGER
);
CREATE INDEX commission_rules_program ON commission_rules (program_id) WHERE archived_at IS NULL;

-- One partner's earning from one conversion (level 0) or a parent's override on it (level 1, 2, …).
-- `status` mirrors the ledger for filtering; the money itself is only in ledger_entries.
CREATE TABLE commissions (
    id              INTEGER PRIMARY KEY,
    program_id      INTEGER NOT NULL REFERENCES programs (id),
    partner_id      INTEGER NOT NULL REFERENCES partners (id),
    conversion_id   INTEGER NOT NULL REFERENCES conversions (id),
    level           INTEGER NOT NULL DEFAULT 0 CHECK (level >= 0),
    amount          INTEGER NOT NULL CHECK (amount > 0),
    currency        TEXT    NOT NULL,
    rule_id         INTEGER,
    rule            TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'paid', 'reversed', 'rejected')),
    -- 'flagged' waits for a reviewer; 'cleared' was looked at and may be approved when the hold ends.
    review          TEXT    CHECK (review IN ('flagged', 'cleared')),
    hold_until      INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    approved_at     INTEGER,
    UNIQUE (conversion_id, partner_id, level)
);
CREATE INDEX commissions_partner ON commissions (partner_id, status, id);
CREATE INDEX commissions_program_status ON commissions (program_id, status, id);
CREATE INDEX commissions_due ON commissions (hold_until) WHERE status = 'pending';

CREATE TABLE commission_flags (
    id             INTEGER PRIMARY KEY,
    commission_id  INTEGER NOT NULL REFERENCES commissions (id),
    kind           TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX commission_flags_commission ON commission_flags (commission_id);

CREATE TABLE payout_batches (
    id          INTEGER PRIMARY KEY,
    program_id  INTEGER NOT NULL REFERENCES programs (id),
    created_at  INTEGER NOT NULL
);

CREATE TABLE payouts (
    id               INTEGER PRIMARY KEY,
    program_id       INTEGER NOT NULL REFERENCES programs (id),
    batch_id         INTEGER NOT NULL REFERENCES payout_batches (id),
    partner_id       INTEGER NOT NULL REFERENCES partners (id),
    amount           INTEGER NOT NULL CHECK (amount > 0),
    currency         TEXT    NOT NULL,
    method           TEXT    NOT NULL,
    -- Where the money goes (PayPal e-mail, masked account), sealed like the partner's payout details.
    recipient_sealed TEXT    NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'failed')),
    reference        TEXT    NOT NULL DEFAULT '',
    failure_reason   TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    settled_at       INTEGER
);
CREATE INDEX payouts_program ON payouts (program_id, status, id);
CREATE INDEX payouts_batch ON payouts (batch_id);
CREATE INDEX payouts_partner ON payouts (partner_id, id);

-- Which commissions a payout settled (a failed payout's rows stay: they are history).
CREATE TABLE payout_commissions (
    payout_id      INTEGER NOT NULL REFERENCES payouts (id),
    commission_id  INTEGER NOT NULL REFERENCES commissions (id),
    PRIMARY KEY (payout_id, commission_id)
) WITHOUT ROWID;
CREATE INDEX payout_commissions_commission ON payout_commissions (commission_id);

-- Every money movement, never changed or removed (the triggers below refuse it). Signs as in LedgerEntry:
-- earned > 0, reversed < 0, adjusted either way; approved, paid_out and payout_failed are positive moves.
CREATE TABLE ledger_entries (
    id             INTEGER PRIMARY KEY,
    program_id     INTEGER NOT NULL REFERENCES programs (id),
    partner_id     INTEGER NOT NULL REFERENCES partners (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('earned', 'approved', 'reversed', 'adjusted', 'paid_out', 'payout_failed')),
    amount         INTEGER NOT NULL,
    commission_id  INTEGER REFERENCES commissions (id),
    payout_id      INTEGER REFERENCES payouts (id),
    stage          TEXT    CHECK (stage IN ('pending', 'available')),
    reason         TEXT,
    created_at     INTEGER NOT NULL,
    CHECK ((kind = 'reversed') = (stage IS NOT NULL)),
    CHECK (kind IN ('adjusted', 'reversed') OR amount > 0),
    CHECK (kind <> 'reversed' OR amount < 0),
    CHECK (kind <> 'adjusted' OR (amount <> 0 AND length(trim(reason)) > 0))
);
CREATE INDEX ledger_partner ON ledger_entries (partner_id, id);
CREATE INDEX ledger_commission ON ledger_entries (commission_id) WHERE commission_id IS NOT NULL;
CREATE INDEX ledger_payout ON ledger_entries (payout_id) WHERE payout_id IS NOT NULL;
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;

-- Daily totals, kept up to date as clicks and conversions arrive, so reports never scan raw clicks.
-- `day` is days since 1970-01-01 (UTC). link_id 0 and sub_id '' when the event had none; campaign is the
-- link's campaign at the time.
CREATE TABLE daily_stats (
    program_id     INTEGER NOT NULL,
    partner_id     INTEGER NOT NULL,
    day            INTEGER NOT NULL,
    link_id        INTEGER NOT NULL,
    campaign       TEXT    NOT NULL,
    sub_id         TEXT    NOT NULL,
    clicks         INTEGER NOT NULL DEFAULT 0,
    unique_clicks  INTEGER NOT NULL DEFAULT 0,
    leads          INTEGER NOT NULL DEFAULT 0,
    sales          INTEGER NOT NULL DEFAULT 0,
    revenue        INTEGER NOT NULL DEFAULT 0,
    commission     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (partner_id, day, link_id, campaign, sub_id)
) WITHOUT ROWID;
CREATE INDEX daily_stats_program ON daily_stats (program_id, day);
