-- Balance snapshots: each row is the sum of one partner's ledger entries up to and including `through_entry_id`,
-- appended (never changed) when many entries have accumulated since the last one. A balance is the latest
-- snapshot plus the entries after it, so reading one costs a few hundred rows at most, and every snapshot can be
-- checked against the entries it sums. The entries stay the only record of money.
CREATE TABLE ledger_snapshots (
    partner_id        INTEGER NOT NULL REFERENCES partners (id),
    through_entry_id  INTEGER NOT NULL,
    pending           INTEGER NOT NULL,
    available         INTEGER NOT NULL,
    paid              INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    PRIMARY KEY (partner_id, through_entry_id)
) WITHOUT ROWID;
CREATE TRIGGER ledger_snapshots_no_update BEFORE UPDATE ON ledger_snapshots
BEGIN SELECT RAISE(ABORT, 'ledger snapshots are append-only'); END;
