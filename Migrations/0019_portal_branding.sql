-- Issue 6: how a program's partner portal looks and what it offers. One row per program that customised it;
-- a program without a row uses the defaults of `PortalBranding`.
CREATE TABLE portal_branding (
    program_id            INTEGER PRIMARY KEY REFERENCES programs (id) ON DELETE CASCADE,
    brand_color           TEXT    NOT NULL DEFAULT '#4f46e5',
    brand_ink             TEXT    NOT NULL DEFAULT '#ffffff',
    font                  TEXT    NOT NULL DEFAULT 'system',
    -- The dashboard's components in order, space-separated; a component left out is hidden.
    dashboard_components  TEXT    NOT NULL DEFAULT 'welcome checklist messages earnings recent best_links',
    -- JSON object: navigation path → the program's own label.
    navigation_labels     TEXT    NOT NULL DEFAULT '{}',
    welcome_markdown      TEXT    NOT NULL DEFAULT '' CHECK (length(welcome_markdown) <= 20000),
    onboarding_markdown   TEXT    NOT NULL DEFAULT '' CHECK (length(onboarding_markdown) <= 20000),
    show_commission_rates INTEGER NOT NULL DEFAULT 1 CHECK (show_commission_rates IN (0, 1)),
    reporting_enabled     INTEGER NOT NULL DEFAULT 1 CHECK (reporting_enabled IN (0, 1)),
    resources_enabled     INTEGER NOT NULL DEFAULT 1 CHECK (resources_enabled IN (0, 1)),
    messaging_enabled     INTEGER NOT NULL DEFAULT 1 CHECK (messaging_enabled IN (0, 1)),
    api_access            TEXT    NOT NULL DEFAULT 'full' CHECK (api_access IN ('none', 'read', 'full')),
    logo                  BLOB    CHECK (logo IS NULL OR length(logo) <= 524288),
    logo_type             TEXT,
    logo_width            INTEGER,
    logo_height           INTEGER,
    updated_at            INTEGER NOT NULL
);
