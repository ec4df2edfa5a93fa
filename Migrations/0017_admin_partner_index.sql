-- The admin console's partner list: a program's partners by name or by joining date, read in index order so a
-- page of 50 stays fast with 10,000 partners (status filters use partners_program_status).
CREATE INDEX partners_program_name ON partners (program_id, name COLLATE NOCASE, id);
CREATE INDEX partners_program_created ON partners (program_id, created_at, id);
