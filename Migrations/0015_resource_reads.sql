-- Which partner has opened which resource page (first time only): the onboarding checklist's "read the
-- guidelines" step, and page reads for the resource usage figures of the admin console.
CREATE TABLE resource_reads (
    partner_id     INTEGER NOT NULL REFERENCES partners (id),
    resource_id    INTEGER NOT NULL REFERENCES resources (id),
    user_id        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    first_read_at  INTEGER NOT NULL,
    PRIMARY KEY (partner_id, resource_id)
) WITHOUT ROWID;
CREATE INDEX resource_reads_resource ON resource_reads (resource_id);
