-- Where partners' links may point: the program's default landing page, and the hosts a destination may use
-- (space-separated; a host also allows its subdomains; empty allows any http or https destination).
ALTER TABLE programs ADD COLUMN default_url TEXT NOT NULL DEFAULT '';
ALTER TABLE programs ADD COLUMN allowed_domains TEXT NOT NULL DEFAULT '';
