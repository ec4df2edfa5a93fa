-- When each API key was last used (shown to admins beside the key's prefix).
ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;
