-- The admin partner list with 10,000 partners (issue 6): its group choices (SELECT DISTINCT group_name) and group
-- filter read this index instead of every partner row.
CREATE INDEX partners_program_group ON partners (program_id, group_name);
-- The admin analytics' applications per month and their statuses, read from the index alone (10,000 partners).
CREATE INDEX partners_program_created_status ON partners (program_id, created_at, status);
