-- Tax forms: a partner's W-9, W-8BEN, W-8BEN-E or EU VAT id, signed electronically by typing the legal name.
-- A new submission supersedes the current one (superseded_at set); rows are history and their sealed tax id is
-- never changed in place. Only `status`, `status_reason` and `superseded_at` are ever updated.

CREATE TABLE tax_forms (
    id                       INTEGER PRIMARY KEY,
    partner_id               INTEGER NOT NULL REFERENCES partners (id),
    program_id               INTEGER NOT NULL REFERENCES programs (id),
    kind                     TEXT    NOT NULL CHECK (kind IN ('w9', 'w8ben', 'w8bene', 'eu_vat')),
    legal_name               TEXT    NOT NULL CHECK (length(legal_name) BETWEEN 1 AND 200),
    business_name            TEXT    NOT NULL DEFAULT '',
    -- ISO 3166 alpha-2, upper case.
    country                  TEXT    NOT NULL CHECK (length(country) = 2),
    -- The mailing address in plain text: it is needed to read and file the form, and is no more secret than the
    -- partner's name and e-mail already stored in plain text. Only the tax id is sealed.
    address_line1            TEXT    NOT NULL DEFAULT '',
    address_line2            TEXT    NOT NULL DEFAULT '',
    city                     TEXT    NOT NULL DEFAULT '',
    region                   TEXT    NOT NULL DEFAULT '',
    postal_code              TEXT    NOT NULL DEFAULT '',
    -- W-9 line 3 (individual, c_corporation, s_corporation, partnership, trust_estate, llc, other); '' for others.
    federal_tax_classification TEXT  NOT NULL DEFAULT '',
    -- The tax id (SSN, EIN, foreign TIN, VAT id), normalised, sealed with SecretBox and bound to this row's
    -- id and partner; the US TIN of a W-8 form sealed the same way when given.
    tax_id_sealed            TEXT    NOT NULL,
    us_tin_sealed            TEXT,
    -- The last four characters of the tax id, for the masked display; not secret on their own.
    tax_id_last4             TEXT    NOT NULL,
    -- Which kind of number it is (ssn, ein, itin, tin, vat): how the masked display is written.
    tax_id_type              TEXT    NOT NULL CHECK (tax_id_type IN ('ssn', 'ein', 'itin', 'tin', 'vat')),
    signature_name           TEXT    NOT NULL CHECK (length(signature_name) BETWEEN 1 AND 200),
    signed_at                INTEGER NOT NULL,
    signer_user_id           INTEGER REFERENCES users (id),
    -- A keyed hash of the signer's address (AddressHash), as for terms acceptances: evidence, not the address.
    signer_address_hash      BLOB,
    status                   TEXT    NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'accepted', 'rejected')),
    status_reason            TEXT    NOT NULL DEFAULT '',
    superseded_at            INTEGER
);
CREATE INDEX tax_forms_partner ON tax_forms (partner_id, id);
CREATE UNIQUE INDEX tax_forms_current ON tax_forms (partner_id) WHERE superseded_at IS NULL;
