-- Placeholder on the `resources` branch only: 0012 is reserved for another branch, and migrations must be
-- numbered without gaps. Drop this file when merging (the real 0012 replaces it).
SELECT 1;
