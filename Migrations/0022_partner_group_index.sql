-- The admin partner list with 10,000 partners (issue 6): its group choices (SELECT DISTINCT group_name) and group
-- filter read this index instead of every partner row.
CREATE INDEX partners_program_group ON partners (program_id, group_name);
