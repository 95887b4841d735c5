//! The register's schema, one migration per version.

/// Schema versions, applied in order; `PRAGMA user_version` is the count
/// applied.
pub(super) const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE campaign (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    year INTEGER NOT NULL,
    UNIQUE (name, year)
);
CREATE TABLE decision (
    id INTEGER PRIMARY KEY,
    campaign INTEGER NOT NULL REFERENCES campaign(id),
    list_id TEXT NOT NULL,
    honour TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'signed')),
    document_code TEXT NOT NULL,
    number INTEGER,
    number_year INTEGER,
    date TEXT,
    signer TEXT,
    list_hash TEXT NOT NULL,
    list_json TEXT NOT NULL,
    UNIQUE (campaign, list_id),
    CHECK ((status = 'draft') = (number IS NULL))
);
CREATE UNIQUE INDEX decision_number ON decision (document_code, number_year, number)
    WHERE number IS NOT NULL;
CREATE TABLE person (
    id INTEGER PRIMARY KEY,
    full_name TEXT NOT NULL,
    birth TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    merged_into INTEGER REFERENCES person(id),
    UNIQUE (full_name, birth, unit_code)
);
CREATE TABLE grant_record (
    id INTEGER PRIMARY KEY,
    decision INTEGER NOT NULL REFERENCES decision(id),
    ordinal INTEGER NOT NULL,
    register_number TEXT NOT NULL UNIQUE,
    person INTEGER REFERENCES person(id),
    subject TEXT NOT NULL,
    name TEXT NOT NULL,
    birth TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    honour TEXT NOT NULL,
    year INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    UNIQUE (decision, ordinal)
);
"#,
    r#"
ALTER TABLE decision ADD COLUMN corrects INTEGER REFERENCES decision(id);
ALTER TABLE decision ADD COLUMN removed_json TEXT NOT NULL DEFAULT '[]';
"#,
    // The SHA-256 of the certificate file as first issued: a PDF whose
    // bytes differ is not the one that was issued.
    r#"
ALTER TABLE grant_record ADD COLUMN file_sha256 TEXT;
"#,
    // The web application's people and what they did: users with an
    // argon2 password hash and a role ("clerk" or a unit code), units'
    // upload links (only the token's SHA-256 is kept), and the audit log,
    // which nothing may change or delete.
    r#"
CREATE TABLE web_user (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE unit_link (
    token_sha256 TEXT PRIMARY KEY,
    unit_code TEXT NOT NULL,
    created TEXT NOT NULL,
    revoked TEXT
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#,
];
